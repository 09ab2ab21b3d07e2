/**
 * The policy pack rule by rule, on small resources: for each FSBP control, a resource that complies passes
 * and each way of breaking the control is reported, with the control's policy name and enforcement level.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { policyName } from "../../policy/control";
import { PACK_CONFIG, POLICIES } from "../../policy/pack";
import { repoRoot } from "../../stacks/offline/root";
import { resource, runPack, type PackResource } from "./run-pack";

const policy = (id: string) => {
    const p = POLICIES.find((x) => x.name === policyName(id));
    assert.ok(p, `the pack has ${id}`);
    return p;
};
/** The messages `id` reports over `resources`, with the pack's config (or `config`). */
async function violations(id: string, resources: PackResource[], config = PACK_CONFIG): Promise<string[]> {
    const run = await runPack(resources, [policy(id)], config);
    return run.violations.map((v) => v.message);
}
async function passes(id: string, ...resources: PackResource[]) {
    assert.deepEqual(await violations(id, resources), []);
}
async function fails(id: string, pattern: RegExp, ...resources: PackResource[]) {
    const found = await violations(id, resources);
    assert.ok(found.length > 0 && found.every((m) => /\. Fix: /.test(m)), `${id} reports with a fix: ${JSON.stringify(found)}`);
    assert.ok(
        found.some((m) => pattern.test(m)),
        `${id}: ${JSON.stringify(found)} matches ${pattern}`,
    );
}

const policyDoc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const BUCKET = "aws:s3/bucket:Bucket";
const bucket = resource(BUCKET, { bucketPrefix: "b-" }, "b");
const attachedTo = (type: string, inputs: Record<string, unknown>, name: string) => resource(type, { bucket: "b-123", ...inputs }, name, [bucket.urn]);
const denyHttp = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
const SG_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const INSTANCE = "aws:ec2/instance:Instance";

describe("policy pack: each rule on small resources", () => {
    it("every rule is its own file named after its control, with the control's text, a severity and the mandatory level", () => {
        const dir = path.join(repoRoot(), "policy/rules");
        const files = fs
            .readdirSync(dir)
            .filter((f) => /^[a-z0-9]+-\d+\.ts$/.test(f))
            .map((f) => f.replace(/\.ts$/, ""));
        assert.deepEqual(files.map((f) => `fsbp-${f}`).sort(), POLICIES.map((p) => p.name).sort());
        for (const p of POLICIES) {
            assert.match(p.description, /^(S3|SQS|EC2|IAM)\.\d+: [A-Z].+\.$/, p.name);
            assert.equal(p.enforcementLevel, "mandatory", p.name);
            assert.ok(p.severity && p.remediationSteps && p.url?.startsWith("https://docs.aws.amazon.com/securityhub/"), p.name);
        }
    });

    it("S3.1: the account's public access block has all four settings", async () => {
        const t = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
        await passes("S3.1", resource(t, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }));
        await fails("S3.1", /restrictPublicBuckets is not true/, resource(t, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true }));
    });

    it("S3.2/S3.3: no bucket policy lets anyone read or write, no public canned ACL; a source condition restricts", async () => {
        const bp = (s: object) => attachedTo("aws:s3/bucketPolicy:BucketPolicy", { policy: policyDoc(s) }, "bp");
        await passes("S3.2", bp(denyHttp), bp({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "s3:GetObject", Resource: "*" }));
        await passes(
            "S3.2",
            bp({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } }),
        );
        await fails("S3.2", /lets anyone read/, bp({ Sid: "Pub", Effect: "Allow", Principal: "*", Action: "s3:Get*", Resource: "*" }));
        await fails("S3.2", /public-read/, resource("aws:s3/bucketAclV2:BucketAclV2", { acl: "public-read" }));
        await passes("S3.3", bp({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }));
        await fails("S3.3", /lets anyone write/, bp({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:PutObject"], Resource: "*" }));
        await fails("S3.3", /public-read-write/, resource(BUCKET, { acl: "public-read-write" }));
    });

    it("S3.5: a bucket passes with an attached policy denying requests without TLS, fails without one", async () => {
        await passes("S3.5", bucket, attachedTo("aws:s3/bucketPolicy:BucketPolicy", { policy: policyDoc(denyHttp) }, "tls"));
        await fails(
            "S3.5",
            /bucket b: no bucket policy denies requests without TLS/,
            bucket,
            attachedTo("aws:s3/bucketPolicy:BucketPolicy", { policy: policyDoc({ ...denyHttp, Effect: "Allow" }) }, "tls"),
        );
        // A policy attached to another bucket does not count.
        await fails("S3.5", /bucket b:/, bucket, resource("aws:s3/bucketPolicy:BucketPolicy", { bucket: "other", policy: policyDoc(denyHttp) }, "elsewhere"));
    });

    it("S3.8: a bucket passes with its public access block's four settings, fails without a block or with one off", async () => {
        const pab = (inputs: Record<string, unknown>) => attachedTo("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", inputs, "pab");
        const all = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
        await passes("S3.8", bucket, pab(all));
        await fails("S3.8", /no public access block/, bucket);
        await fails("S3.8", /leaves ignorePublicAcls off/, bucket, pab({ ...all, ignorePublicAcls: false }));
    });

    it("S3.12: ACLs disabled by BucketOwnerEnforced; an ACL or another ownership fails", async () => {
        const oc = (objectOwnership: string) => attachedTo("aws:s3/bucketOwnershipControls:BucketOwnershipControls", { rule: { objectOwnership } }, "oc");
        await passes("S3.12", bucket, oc("BucketOwnerEnforced"));
        await fails("S3.12", /not BucketOwnerEnforced/, bucket, oc("ObjectWriter"));
        await fails("S3.12", /an ACL is set/, bucket, oc("BucketOwnerEnforced"), attachedTo("aws:s3/bucketAclV2:BucketAclV2", { acl: "private" }, "acl"));
    });

    it("S3.13: a lifecycle configuration with an enabled rule", async () => {
        const lc = (status: string) => attachedTo("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", { rules: [{ id: "r", status }] }, "lc");
        await passes("S3.13", bucket, lc("Enabled"));
        await fails("S3.13", /no lifecycle configuration/, bucket, lc("Disabled"));
        await fails("S3.13", /no lifecycle configuration/, bucket);
    });

    it("SQS.1: SQS-managed SSE or a KMS key", async () => {
        await passes(
            "SQS.1",
            resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: true }),
            resource("aws:sqs/queue:Queue", { kmsMasterKeyId: "alias/aws/sqs" }, "k"),
        );
        await fails("SQS.1", /not encrypted at rest/, resource("aws:sqs/queue:Queue", { sqsManagedSseEnabled: false }));
    });

    it("SQS.3: no public principal without a source condition", async () => {
        const qp = (s: object) => resource("aws:sqs/queuePolicy:QueuePolicy", { policy: policyDoc(s) });
        await passes("SQS.3", qp({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "sqs:SendMessage", Resource: "*" }));
        await passes(
            "SQS.3",
            qp({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*", Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:x" } } }),
        );
        await fails("SQS.3", /public principal/, qp({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }));
    });

    it("EC2.2: the default security group has no rules", async () => {
        const t = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
        await passes("EC2.2", resource(t, { ingress: [], egress: [] }));
        await fails("EC2.2", /1 egress rule/, resource(t, { ingress: [], egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }));
    });

    it("EC2.3: root, additional and standalone volumes are encrypted", async () => {
        await passes("EC2.3", resource(INSTANCE, { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] }));
        await fails("EC2.3", /root volume/, resource(INSTANCE, {}));
        await fails("EC2.3", /volume \/dev\/sdf/, resource(INSTANCE, { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] }));
        await fails("EC2.3", /not encrypted/, resource("aws:ebs/volume:Volume", { size: 10 }));
    });

    it("EC2.8 and EC2.170: IMDSv2 required, and the pack's hop limit of 1", async () => {
        const ok = { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } };
        for (const [id, type] of [
            ["EC2.8", INSTANCE],
            ["EC2.170", LT],
        ]) {
            await passes(id, resource(type, ok));
            await fails(id, /httpTokens is optional/, resource(type, { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }));
            await fails(id, /httpTokens is unset/, resource(type, {}));
            await fails(id, /HopLimit is 2, above 1/, resource(type, { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }));
            // Without the pack's config the hop limit is not part of the control.
            assert.deepEqual(await violations(id, [resource(type, { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })], {}), []);
        }
    });

    it("EC2.9: no public IPv4 address unless the instance is listed in the exemptions", async () => {
        await passes("EC2.9", resource(INSTANCE, { associatePublicIpAddress: false }));
        await fails("EC2.9", /gets a public IPv4 address/, resource(INSTANCE, { associatePublicIpAddress: true }, "web"));
        await fails("EC2.9", /unset/, resource(INSTANCE, {}, "web"));
        const run = await runPack([resource(INSTANCE, { associatePublicIpAddress: true }, "activedata-frontend")], [policy("EC2.9")]);
        assert.deepEqual(run.violations, []);
        assert.deepEqual(
            run.exempted.map((e) => [e.policy, e.resource]),
            [["fsbp-ec2-9", "activedata-frontend"]],
        );
        assert.match(run.exempted[0].reason, /only HTTPS 443 is open to the world/);
    });

    it("EC2.18: only authorized TCP ports are open to the world (the pack authorizes 443)", async () => {
        const rule = (inputs: Record<string, unknown>) => resource(SG_RULE, inputs);
        await passes(
            "EC2.18",
            rule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 }),
            rule({ cidrIpv4: "10.0.0.0/8", ipProtocol: "tcp", fromPort: 22, toPort: 22 }),
        );
        await fails("EC2.18", /tcp 80-80 is open to 0.0.0.0\/0/, rule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 80, toPort: 80 }));
        await fails("EC2.18", /every protocol and port is open to ::\/0/, rule({ cidrIpv6: "::/0", ipProtocol: "-1" }));
        await fails(
            "EC2.18",
            /tcp 8443-8443/,
            resource("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ protocol: "tcp", fromPort: 8443, toPort: 8443, cidrBlocks: ["0.0.0.0/0"] }] }),
        );
        // AWS's default parameter authorizes 80 too.
        assert.deepEqual(await violations("EC2.18", [rule({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 80, toPort: 80 })], {}), []);
    });

    it("EC2.19: no high-risk port is open to the world", async () => {
        await passes(
            "EC2.19",
            resource(SG_RULE, { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 }),
            resource(SG_RULE, { cidrIpv4: "198.51.100.0/24", ipProtocol: "tcp", fromPort: 22, toPort: 22 }, "ssh"),
        );
        await fails("EC2.19", /high-risk port\(s\) 22 open/, resource(SG_RULE, { cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 22, toPort: 22 }));
        await fails(
            "EC2.19",
            /9200, 9300/,
            resource("aws:ec2/securityGroupRule:SecurityGroupRule", {
                type: "ingress",
                protocol: "tcp",
                fromPort: 9000,
                toPort: 9400,
                cidrBlocks: ["0.0.0.0/0"],
            }),
        );
    });

    it("EC2.25 and EC2.181: launch templates assign no public IP and encrypt every volume", async () => {
        await passes("EC2.25", resource(LT, { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }] }));
        await fails(
            "EC2.25",
            /may get a public IP \(associatePublicIpAddress true\)/,
            resource(LT, { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true" }] }),
        );
        await passes("EC2.181", resource(LT, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] }));
        await fails(
            "EC2.181",
            /block device \/dev\/xvda is not encrypted/,
            resource(LT, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 8 } }] }),
        );
    });

    it('IAM.1 and IAM.21: no "*" on "*", no service wildcard', async () => {
        const rp = (s: object) => resource("aws:iam/rolePolicy:RolePolicy", { policy: policyDoc(s) });
        const named = rp({ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: ["arn:aws:sqs:us-east-1:1:q"] });
        await passes("IAM.1", named);
        await passes("IAM.21", named);
        await fails("IAM.1", /allows "\*" on "\*"/, rp({ Effect: "Allow", Action: "*", Resource: "*" }));
        await fails(
            "IAM.21",
            /every action of a service \(s3:\*\)/,
            resource("aws:iam/policy:Policy", { policy: policyDoc({ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::b"] }) }),
        );
        await passes("IAM.21", rp({ Effect: "Deny", Action: "s3:*", Resource: "*" }));
    });
});
