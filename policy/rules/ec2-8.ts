/** EC2.8: instances require IMDSv2. */
import { resourceRule } from "../control";
import { IMDS_CONFIG, imdsV2, type ImdsConfig } from "./imds";

export const ec2_8 = resourceRule<ImdsConfig>(
    {
        id: "EC2.8",
        title: "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: "set metadataOptions.httpTokens: required (and httpPutResponseHopLimit: 1)",
    },
    { "aws:ec2/instance:Instance": imdsV2 },
    IMDS_CONFIG,
);
