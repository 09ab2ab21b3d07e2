/**
 * AWS Foundational Security Best Practices, checked over the whole synth graph of both stacks: every
 * bucket, queue, launch template, instance, security-group rule and role policy the program registers.
 */
import assert from "node:assert/strict";
import { ADMIN_AND_DATA_PORTS, overlaps } from "../../ops/network/ports";
import { leastPrivilegeViolations } from "../../ops/security/iam";
import { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, json, ofType } from "../support/graph";

const siblingsOf = (g: StackGraph, type: string, bucketName: unknown) => ofType(g, type).filter((r) => r.inputs.bucket === bucketName);

for (const stack of ["prod", "staging"] as const) {
    describe(`security rules over the ${stack} graph`, () => {
        let g: StackGraph;
        before(async () => (g = await committedStack(stack)));

        it("S3.2/S3.3/S3.8: every bucket has a public access block with all four flags", () => {
            const buckets = ofType(g, "aws:s3/bucket:Bucket");
            assert.ok(buckets.length >= 2);
            for (const b of buckets) {
                const [pab] = siblingsOf(g, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b.inputs.bucket);
                assert.ok(pab, `${b.name} has no public access block`);
                for (const f of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab.inputs[f], true, `${b.name}.${f}`);
            }
        });

        it("S3.5: every bucket policy denies non-TLS requests; no bucket policy allows a public principal", () => {
            for (const b of ofType(g, "aws:s3/bucket:Bucket")) {
                const policies = siblingsOf(g, "aws:s3/bucketPolicy:BucketPolicy", b.inputs.bucket);
                assert.equal(policies.length, 1, b.name);
                const stmts = json(policies[0].inputs.policy).Statement;
                assert.ok(stmts.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
                assert.ok(!stmts.some((s: any) => s.Effect === "Allow" && (s.Principal === "*" || s.Principal?.AWS === "*")));
            }
        });

        it("S3.12: ACLs are disabled (BucketOwnerEnforced); S3.13: lifecycle configured; versioning and encryption on", () => {
            for (const b of ofType(g, "aws:s3/bucket:Bucket")) {
                assert.equal((siblingsOf(g, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", b.inputs.bucket)[0]?.inputs.rule as any)?.objectOwnership, "BucketOwnerEnforced", b.name);
                assert.equal(siblingsOf(g, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", b.inputs.bucket).length, 1, b.name);
                assert.equal((siblingsOf(g, "aws:s3/bucketVersioning:BucketVersioning", b.inputs.bucket)[0]?.inputs.versioningConfiguration as any)?.status, "Enabled");
                const sse = (siblingsOf(g, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", b.inputs.bucket)[0]?.inputs.rules as any)?.[0];
                assert.ok(["aws:kms", "AES256"].includes(sse?.applyServerSideEncryptionByDefault?.sseAlgorithm), b.name);
            }
        });

        it("SQS.1: every queue is encrypted at rest; SQS.3: no queue policy allows a public principal", () => {
            const queues = ofType(g, "aws:sqs/queue:Queue");
            assert.ok(queues.length >= 2);
            for (const q of queues) assert.ok(q.inputs.sqsManagedSseEnabled === true || typeof q.inputs.kmsMasterKeyId === "string", q.name);
            const policies = ofType(g, "aws:sqs/queuePolicy:QueuePolicy");
            assert.equal(policies.length, queues.length);
            for (const p of policies) {
                for (const s of json(p.inputs.policy).Statement) {
                    if (s.Effect === "Allow") assert.ok(s.Principal !== "*" && s.Principal?.AWS !== "*" && !s.Condition, p.name);
                }
            }
        });

        it("EC2.8/EC2.170: instances and launch templates require IMDSv2 with hop limit 1", () => {
            const hosts: GraphResource[] = [...ofType(g, "aws:ec2/instance:Instance"), ...ofType(g, "aws:ec2/launchTemplate:LaunchTemplate")];
            assert.ok(hosts.length >= 4);
            for (const h of hosts) {
                const m = h.inputs.metadataOptions as any;
                assert.equal(m?.httpTokens, "required", h.name);
                assert.equal(m?.httpPutResponseHopLimit, 1, h.name);
            }
        });

        it("EC2.3/EC2.181: every volume is encrypted", () => {
            for (const i of ofType(g, "aws:ec2/instance:Instance")) {
                assert.equal((i.inputs.rootBlockDevice as any)?.encrypted, true, i.name);
                for (const v of (i.inputs.ebsBlockDevices as any[]) ?? []) assert.equal(v.encrypted, true, i.name);
            }
            for (const lt of ofType(g, "aws:ec2/launchTemplate:LaunchTemplate")) {
                const bdm = lt.inputs.blockDeviceMappings as any[];
                assert.ok(bdm.length > 0);
                for (const m of bdm) assert.equal(m.ebs?.encrypted, "true", lt.name);
            }
        });

        it("EC2.9/EC2.25: only the frontend may have a public IP, only when config says so; launch templates never", async () => {
            const publicHosts = ofType(g, "aws:ec2/instance:Instance").filter((i) => i.inputs.associatePublicIpAddress !== false).map((i) => i.name);
            assert.deepEqual(publicHosts, stack === "prod" ? ["activedata-frontend"] : []);
            for (const lt of ofType(g, "aws:ec2/launchTemplate:LaunchTemplate")) {
                for (const ni of (lt.inputs.networkInterfaces as any[]) ?? []) assert.equal(ni.associatePublicIpAddress, "false", lt.name);
            }
        });

        it("EC2.2: the VPC default group has no rules, and no instance uses it", () => {
            const defaults = ofType(g, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
            assert.equal(defaults.length, 1);
            assert.deepEqual([defaults[0].inputs.ingress, defaults[0].inputs.egress], [[], []]);
            for (const i of ofType(g, "aws:ec2/instance:Instance")) {
                const sgs = i.inputs.vpcSecurityGroupIds as string[];
                assert.ok(sgs.length > 0 && !sgs.includes(defaults[0].urn));
            }
        });

        it("EC2.18/EC2.19: no ingress from 0.0.0.0/0 or ::/0 except HTTPS on the frontend", () => {
            for (const r of ofType(g, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
                const open = r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0";
                const range = { from: r.inputs.fromPort as number, to: r.inputs.toPort as number };
                assert.notEqual(r.inputs.ipProtocol, "-1", `${r.name}: all protocols`);
                if (!open) continue;
                assert.deepEqual(range, { from: 443, to: 443 }, `${r.name} is open to the world on ${range.from}-${range.to}`);
                assert.match(r.name, /-tiers-frontend-443-from-internet6?$/);
                assert.ok(!ADMIN_AND_DATA_PORTS.some((p) => overlaps(p, range)));
            }
        });

        it("IAM.1/IAM.21: no role policy allows '*' or 'service:*' actions, or '*' resources for scoped actions", () => {
            const policies = ofType(g, "aws:iam/rolePolicy:RolePolicy");
            assert.equal(policies.length, 7);
            for (const p of policies) assert.deepEqual(leastPrivilegeViolations(json(p.inputs.policy).Statement), [], p.name);
        });
    });
}
