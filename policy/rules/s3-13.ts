/** S3.13: every bucket has a lifecycle configuration with at least one enabled rule. */
import { BUCKET_TYPES } from "../aws";
import { stackRule } from "../control";
import { perBucket } from "../s3";

export const s3_13 = stackRule(
    {
        id: "S3.13",
        title: "S3 general purpose buckets should have Lifecycle configurations",
        severity: "low",
        enforcementLevel: "mandatory",
        remediation: "attach a BucketLifecycleConfiguration with at least one rule whose status is Enabled",
    },
    BUCKET_TYPES,
    (resources) =>
        perBucket(
            resources,
            ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
            (b, configs) => {
                const enabled = (rules: unknown) => Array.isArray(rules) && rules.some((r) => r?.status === "Enabled" || r?.enabled === true);
                return configs.some((c) => enabled(c.props.rules)) || enabled(b.props.lifecycleRules)
                    ? undefined
                    : "no lifecycle configuration with an enabled rule";
            },
        ),
);
