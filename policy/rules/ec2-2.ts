/** EC2.2: the VPC's default security group has no rules. */
import { resourceRule } from "../control";

export const ec2_2 = resourceRule(
    {
        id: "EC2.2",
        title: "VPC default security groups should not allow inbound or outbound traffic",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: "adopt the default group as aws.ec2.DefaultSecurityGroup with ingress: [] and egress: [], and use tier groups instead",
    },
    {
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (p) =>
            (["ingress", "egress"] as const)
                .filter((k) => Array.isArray(p[k]) && p[k].length > 0)
                .map((k) => `the default security group has ${p[k].length} ${k} rule(s)`),
    },
);
