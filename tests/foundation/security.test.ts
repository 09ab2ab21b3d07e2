/**
 * AWS Foundational Security Best Practices over the whole synth graph of both stacks, through the policy
 * pack (policy/: one rule per control, the only copy of each rule), plus the program's own rules that go
 * beyond FSBP: bucket versioning and default encryption, least-privilege tier roles, no all-protocol
 * ingress from anywhere.
 */
import assert from "node:assert/strict";
import { policyName } from "../../policy/control";
import { leastPrivilegeViolations } from "../../ops/security/iam";
import { StackGraph } from "../../stacks/offline/evaluate";
import { runPack, type PackRun } from "../policy/run-pack";
import { committedStack, json, ofType } from "../support/graph";

const siblingsOf = (g: StackGraph, type: string, bucketName: unknown) => ofType(g, type).filter((r) => r.inputs.bucket === bucketName);

/** The controls each group of resources is held to, by the pack's rule for it. */
const CONTROLS = [
    "S3.2",
    "S3.3",
    "S3.5",
    "S3.8",
    "S3.12",
    "S3.13",
    "SQS.1",
    "SQS.3",
    "EC2.2",
    "EC2.3",
    "EC2.8",
    "EC2.9",
    "EC2.18",
    "EC2.19",
    "EC2.25",
    "EC2.170",
    "EC2.181",
    "IAM.1",
    "IAM.21",
];

for (const stack of ["prod", "staging"] as const) {
    describe(`security rules over the ${stack} graph`, () => {
        let g: StackGraph;
        let pack: PackRun;
        before(async () => {
            g = await committedStack(stack);
            pack = await runPack(g.resources);
        });

        for (const id of CONTROLS) {
            it(`${id}: the pack's rule holds on every resource it applies to`, () => {
                assert.ok(pack.checked[policyName(id)] > 0, `${id} found resources to check`);
                assert.deepEqual(
                    pack.violations.filter((v) => v.policy === policyName(id)),
                    [],
                );
            });
        }

        it("EC2.9: only the prod frontend has a public IP, and only through the pack's listed exemption", () => {
            assert.deepEqual(
                pack.exempted.map((e) => `${e.policy} ${e.resource}`),
                stack === "prod" ? ["fsbp-ec2-9 activedata-frontend"] : [],
            );
        });

        it("beyond FSBP: every bucket has versioning enabled and default encryption", () => {
            for (const b of ofType(g, "aws:s3/bucket:Bucket")) {
                assert.equal(
                    (siblingsOf(g, "aws:s3/bucketVersioning:BucketVersioning", b.inputs.bucket)[0]?.inputs.versioningConfiguration as any)?.status,
                    "Enabled",
                    b.name,
                );
                const sse = (
                    siblingsOf(g, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", b.inputs.bucket)[0]?.inputs
                        .rules as any
                )?.[0];
                assert.ok(["aws:kms", "AES256"].includes(sse?.applyServerSideEncryptionByDefault?.sseAlgorithm), b.name);
            }
        });

        it("beyond FSBP: no ingress rule admits every protocol, from anywhere", () => {
            for (const r of ofType(g, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"))
                assert.notEqual(r.inputs.ipProtocol, "-1", `${r.name}: all protocols`);
        });

        it("beyond FSBP: the 7 tier roles' policies are least-privilege ('*' resources only for actions without resource-level permissions)", () => {
            const policies = ofType(g, "aws:iam/rolePolicy:RolePolicy");
            assert.equal(policies.length, 7);
            for (const p of policies) assert.deepEqual(leastPrivilegeViolations(json(p.inputs.policy).Statement), [], p.name);
        });
    });
}
