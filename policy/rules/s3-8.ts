/** S3.8: every bucket has its own public access block with all four settings on. */
import { BUCKET_TYPES } from "../aws";
import { stackRule } from "../control";
import { perBucket } from "../s3";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3_8 = stackRule(
    {
        id: "S3.8",
        title: "S3 general purpose buckets should block public access",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: "attach a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true",
    },
    BUCKET_TYPES,
    (resources) =>
        perBucket(resources, ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"], (_b, blocks) => {
            if (blocks.length === 0) return "no public access block";
            const off = FLAGS.filter((f) => !blocks.some((pab) => pab.props[f] === true));
            return off.length ? `public access block leaves ${off.join(", ")} off` : undefined;
        }),
);
