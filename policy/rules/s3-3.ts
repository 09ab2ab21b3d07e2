/** S3.3: no bucket policy or ACL lets anyone write. */
import { allowsPublic, asList, BUCKET_TYPES, grants, statementsOf } from "../aws";
import { resourceRule, type Check } from "../control";

const WRITE = ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:PutBucketPolicy", "s3:DeleteBucket"];

const policy: Check = (p) =>
    statementsOf(p.policy)
        .filter((s) => allowsPublic(s) && asList(s.Action).some((a) => WRITE.some((w) => grants(a, w))))
        .map((s) => `statement ${s.Sid ?? "(no Sid)"} lets anyone write (${asList(s.Action).join(", ")})`);
const acl: Check = (p) => (p.acl === "public-read-write" ? ["canned ACL public-read-write lets anyone write"] : []);

export const s3_3 = resourceRule(
    {
        id: "S3.3",
        title: "S3 general purpose buckets should block public write access",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: 'grant writes to named principals only (no Principal "*" without a source condition) and no public-read-write ACL',
    },
    {
        "aws:s3/bucketPolicy:BucketPolicy": policy,
        "aws:s3/bucketAclV2:BucketAclV2": acl,
        "aws:s3/bucketAcl:BucketAcl": acl,
        ...Object.fromEntries(
            BUCKET_TYPES.map((t) => [t, (p: Record<string, any>, c: Record<string, unknown>, t: string) => [...acl(p, c, t), ...policy(p, c, t)]]),
        ),
    },
);
