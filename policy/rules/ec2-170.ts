/** EC2.170: launch templates require IMDSv2. */
import { resourceRule } from "../control";
import { IMDS_CONFIG, imdsV2, type ImdsConfig } from "./imds";

export const ec2_170 = resourceRule<ImdsConfig>(
    {
        id: "EC2.170",
        title: "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)",
        severity: "low",
        enforcementLevel: "mandatory",
        remediation: "set metadataOptions.httpTokens: required (and httpPutResponseHopLimit: 1) in the launch template",
    },
    { "aws:ec2/launchTemplate:LaunchTemplate": imdsV2 },
    IMDS_CONFIG,
);
