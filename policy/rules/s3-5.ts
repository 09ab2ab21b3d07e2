/** S3.5: every bucket's policy denies requests not made over TLS. */
import { BUCKET_TYPES, statementsOf } from "../aws";
import { stackRule } from "../control";
import { perBucket } from "../s3";

const deniesPlainHttp = (policy: unknown): boolean =>
    statementsOf(policy).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");

export const s3_5 = stackRule(
    {
        id: "S3.5",
        title: "S3 general purpose buckets should require requests to use SSL",
        severity: "medium",
        enforcementLevel: "mandatory",
        remediation: "attach a bucket policy with a Deny statement for every principal and action when aws:SecureTransport is false",
    },
    BUCKET_TYPES,
    (resources) =>
        perBucket(resources, ["aws:s3/bucketPolicy:BucketPolicy"], (b, policies) =>
            deniesPlainHttp(b.props.policy) || policies.some((p) => deniesPlainHttp(p.props.policy))
                ? undefined
                : "no bucket policy denies requests without TLS (aws:SecureTransport false)",
        ),
);
