/** S3.1: the account-level block public access settings, where a program declares them. */
import { resourceRule } from "../control";

export const s3_1 = resourceRule(
    {
        id: "S3.1",
        title: "S3 general purpose buckets should have block public access settings enabled",
        severity: "medium",
        enforcementLevel: "mandatory",
        remediation: "set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true on the account's public access block",
    },
    {
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": (p) =>
            ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]
                .filter((f) => p[f] !== true)
                .map((f) => `account public access block: ${f} is not true`),
    },
);
