/** S3.2: no bucket policy or ACL lets anyone read. */
import { allowsPublic, asList, BUCKET_TYPES, grants, statementsOf } from "../aws";
import { resourceRule, type Check } from "../control";

const READ = ["s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion"];
const PUBLIC_READ_ACLS = ["public-read", "public-read-write", "authenticated-read"];

const policy: Check = (p) =>
    statementsOf(p.policy)
        .filter((s) => allowsPublic(s) && asList(s.Action).some((a) => READ.some((r) => grants(a, r))))
        .map((s) => `statement ${s.Sid ?? "(no Sid)"} lets anyone read (${asList(s.Action).join(", ")})`);
const acl: Check = (p) => (PUBLIC_READ_ACLS.includes(p.acl) ? [`canned ACL ${p.acl} lets anyone read`] : []);

export const s3_2 = resourceRule(
    {
        id: "S3.2",
        title: "S3 general purpose buckets should block public read access",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: 'grant reads to named principals only (no Principal "*" without a source condition) and no public canned ACL',
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
