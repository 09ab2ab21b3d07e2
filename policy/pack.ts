/**
 * The pack's rules, one per FSBP control (rules/<control>.ts), and the pack's config: the per-rule settings
 * and the exemptions, each with its reason. `index.ts` serves them to the engine; the tests run the same
 * list and the same config over both stacks' synth graphs.
 */
import type { PolicyPackConfig, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyName } from "./control";
import { ec2_170 } from "./rules/ec2-170";
import { ec2_18 } from "./rules/ec2-18";
import { ec2_181 } from "./rules/ec2-181";
import { ec2_19 } from "./rules/ec2-19";
import { ec2_2 } from "./rules/ec2-2";
import { ec2_25 } from "./rules/ec2-25";
import { ec2_3 } from "./rules/ec2-3";
import { ec2_8 } from "./rules/ec2-8";
import { ec2_9 } from "./rules/ec2-9";
import { iam_1 } from "./rules/iam-1";
import { iam_21 } from "./rules/iam-21";
import { s3_1 } from "./rules/s3-1";
import { s3_12 } from "./rules/s3-12";
import { s3_13 } from "./rules/s3-13";
import { s3_2 } from "./rules/s3-2";
import { s3_3 } from "./rules/s3-3";
import { s3_5 } from "./rules/s3-5";
import { s3_8 } from "./rules/s3-8";
import { sqs_1 } from "./rules/sqs-1";
import { sqs_3 } from "./rules/sqs-3";

export const PACK_NAME = "dataplat-fsbp";

export const POLICIES: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    s3_1,
    s3_2,
    s3_3,
    s3_5,
    s3_8,
    s3_12,
    s3_13,
    sqs_1,
    sqs_3,
    ec2_2,
    ec2_3,
    ec2_8,
    ec2_9,
    ec2_18,
    ec2_19,
    ec2_25,
    ec2_170,
    ec2_181,
    iam_1,
    iam_21,
];

/**
 * The pack's config as this program uses it. EC2.9's one exemption is the prod frontend's public IP (docs/configuration.md
 * "Security rules": why it is kept rather than put behind a load balancer); it names the resource, so any
 * other instance with a public IP is still a violation.
 */
export const PACK_CONFIG: PolicyPackConfig = {
    [policyName("EC2.8")]: { maxHopLimit: 1 },
    [policyName("EC2.170")]: { maxHopLimit: 1 },
    [policyName("EC2.18")]: { authorizedTcpPorts: [443] },
    [policyName("EC2.9")]: {
        exemptions: [
            {
                resource: "activedata-frontend",
                reason:
                    "prod's public query service (network.frontendPublicHttps, hosts.frontend.associatePublicIp): only HTTPS 443 is open to the world " +
                    "(EC2.18), SSH only from network.operatorCidrs; a load balancer with an ACM certificate is the follow-up (docs/configuration.md)",
            },
        ],
    },
};
