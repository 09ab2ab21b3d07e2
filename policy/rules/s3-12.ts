/** S3.12: ACLs are disabled (object ownership BucketOwnerEnforced) on every bucket. */
import { BUCKET_TYPES } from "../aws";
import { stackRule } from "../control";
import { perBucket } from "../s3";

export const s3_12 = stackRule(
    {
        id: "S3.12",
        title: "ACLs should not be used to manage user access to S3 general purpose buckets",
        severity: "medium",
        enforcementLevel: "mandatory",
        remediation: "attach BucketOwnershipControls with rule.objectOwnership BucketOwnerEnforced, and no BucketAcl",
    },
    BUCKET_TYPES,
    (resources) =>
        perBucket(
            resources,
            ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl"],
            (b, att) => {
                if (att.some((r) => r.type !== "aws:s3/bucketOwnershipControls:BucketOwnershipControls") || b.props.acl !== undefined) return "an ACL is set";
                const enforced = att.some((r) => r.props.rule?.objectOwnership === "BucketOwnerEnforced");
                return enforced ? undefined : "object ownership is not BucketOwnerEnforced (ACLs stay enabled)";
            },
        ),
);
