import assert from "node:assert/strict";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, depNames, evaluateDoc, json, named, ofType, stackDoc } from "../support/graph";

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    queue: "aws:sqs/queue:Queue",
    queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    randomId: "random:index/randomId:RandomId",
    instance: "aws:ec2/instance:Instance",
    lt: "aws:ec2/launchTemplate:LaunchTemplate",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    profile: "aws:iam/instanceProfile:InstanceProfile",
    provider: "pulumi:providers:aws",
    param: "aws:ssm/parameter:Parameter",
    topic: "aws:sns/topic:Topic",
    key: "aws:kms/key:Key",
};

describe("TierSecurityGroups", () => {
    let g: StackGraph;
    before(async () => (g = await committedStack("prod")));

    it("creates one group per tier, all children of the component, in the configured VPC", () => {
        const groups = ofType(g, T.sg);
        assert.deepEqual(
            groups.map((s) => s.name).sort(),
            ["controlplane", "etl", "frontend", "manager", "origin", "platform", "search"].map((t) => `activedata-tiers-${t}`).sort(),
        );
        for (const s of groups) {
            assert.equal(s.inputs.vpcId, "vpc-0a1b2c3d4e5f60718");
            assert.match(s.parent ?? "", /dataplat:network:TierSecurityGroups::activedata-tiers$/);
        }
    });

    it("empties the VPC's default security group (FSBP EC2.2)", () => {
        const [d] = ofType(g, T.defaultSg);
        assert.deepEqual(d.inputs.ingress, []);
        assert.deepEqual(d.inputs.egress, []);
    });

    it("lets frontend, ETL and manager reach search on 9200, and search nodes each other on 9300", () => {
        const into = (tier: string, port: number) =>
            ofType(g, T.ingress)
                .filter((r) => r.name.startsWith(`activedata-tiers-${tier}-${port}-`))
                .map((r) => r.name.replace(`activedata-tiers-${tier}-${port}-`, ""))
                .sort();
        assert.deepEqual(into("search", 9200), ["from-etl", "from-frontend", "from-manager"]);
        assert.deepEqual(into("search", 9300), ["from-frontend", "from-search"]);
        assert.deepEqual(into("frontend", 9300), ["from-search"]);
        // Rules that name a source tier reference that tier's group, never a CIDR.
        const r = named(g, T.ingress, "activedata-tiers-search-9200-from-etl");
        assert.equal(r.inputs.cidrIpv4, undefined);
        assert.ok(depNames(g, r).includes("activedata-tiers-etl"));
        assert.ok(depNames(g, r).includes("activedata-tiers-search"));
    });

    it("gives operators SSH on every tier from each configured CIDR, and nothing from elsewhere", () => {
        const ssh = ofType(g, T.ingress).filter((r) => r.inputs.fromPort === 22);
        assert.equal(ssh.length, 7 * 2);
        assert.deepEqual([...new Set(ssh.map((r) => r.inputs.cidrIpv4))].sort(), ["198.51.100.0/24", "203.0.113.17/32"]);
    });

    it("opens 443 to the internet on the frontend only when config says so", async () => {
        const public443 = (gr: StackGraph) =>
            ofType(gr, T.ingress).filter((r) => r.inputs.fromPort === 443 && (r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0"));
        assert.deepEqual(
            public443(g)
                .map((r) => r.name)
                .sort(),
            ["activedata-tiers-frontend-443-from-internet", "activedata-tiers-frontend-443-from-internet6"],
        );
        const staging = await committedStack("staging");
        assert.equal(public443(staging).length, 0);
    });
});

describe("BacklogQueue", () => {
    let g: StackGraph;
    before(async () => (g = await committedStack("prod")));

    it("keeps messages 14 days, encrypts them, and redrives to a dead-letter queue", () => {
        const q = named(g, T.queue, "activedata-etl-backlog");
        const dlq = named(g, T.queue, "activedata-etl-backlog-dlq");
        assert.equal(q.inputs.messageRetentionSeconds, 14 * 86400);
        assert.equal(q.inputs.sqsManagedSseEnabled, true);
        assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
        const redrive = json(q.inputs.redrivePolicy);
        assert.equal(redrive.maxReceiveCount, 5);
        assert.match(redrive.deadLetterTargetArn, /activedata-etl-backlog-dlq/);
        assert.ok(q.dependsOn.includes(dlq.urn), "the queue depends on its dead-letter queue");
    });

    it("admits only the account's principals, over TLS", () => {
        for (const p of ofType(g, T.queuePolicy)) {
            const doc = json(p.inputs.policy);
            for (const s of doc.Statement) {
                if (s.Effect === "Allow") assert.deepEqual(s.Principal, { AWS: "arn:aws:iam::123456789012:root" });
                else assert.deepEqual(s.Condition, { Bool: { "aws:SecureTransport": "false" } });
            }
        }
    });

    it("alarms on backlog age well before data expires; the TC logger within minutes, not days", () => {
        const age = (q: string) => named(g, T.alarm, `${q}-backlog-age`).inputs;
        const etl = age("activedata-etl-backlog");
        assert.equal(etl.metricName, "ApproximateAgeOfOldestMessage");
        assert.ok((etl.threshold as number) <= 14 * 86400 * 0.25);
        const logger = age("activedata-tc-logger");
        assert.ok(
            (logger.threshold as number) + (logger.period as number) * ((logger.evaluationPeriods as number) + 1) <= 15 * 60,
            `logger alarm too late: ${JSON.stringify(logger)}`,
        );
        assert.equal(logger.treatMissingData, "breaching");
        assert.match(String(logger.alarmActions), /arn:aws:sns:/);
    });
});

describe("SecureBucket", () => {
    let g: StackGraph;
    let staging: StackGraph;
    before(async () => {
        g = await committedStack("prod");
        staging = await committedStack("staging");
    });

    it("names buckets with a random suffix and blocks public access with all four flags", () => {
        const b = named(g, T.bucket, "activedata-raw");
        assert.match(String(b.inputs.bucket), /^activedata-raw-prod-[0-9a-f]{8}$/);
        assert.ok(depNames(g, b).includes("activedata-raw-suffix"));
        const pab = named(g, T.pab, "activedata-raw-public-access").inputs;
        for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[flag], true, flag);
    });

    it("enforces bucket-owner ownership, versioning, KMS encryption, TLS-only access and lifecycle", () => {
        assert.equal((named(g, T.ownership, "activedata-raw-ownership").inputs.rule as any).objectOwnership, "BucketOwnerEnforced");
        assert.equal((named(g, T.versioning, "activedata-raw-versioning").inputs.versioningConfiguration as any).status, "Enabled");
        const sse = (named(g, T.sse, "activedata-raw-encryption").inputs.rules as any)[0];
        assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        const policy = json(named(g, T.bucketPolicy, "activedata-raw-tls-only").inputs.policy);
        assert.equal(policy.Statement[0].Effect, "Deny");
        assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        const rule = (named(g, T.lifecycle, "activedata-raw-lifecycle").inputs.rules as any)[0];
        assert.deepEqual(
            rule.transitions.map((t: any) => [t.days, t.storageClass]),
            [
                [30, "STANDARD_IA"],
                [365, "GLACIER"],
            ],
        );
        assert.equal(rule.noncurrentVersionExpiration.noncurrentDays, 30);
    });

    it("orders the policy after the public access block and the lifecycle after versioning", () => {
        assert.ok(depNames(g, named(g, T.bucketPolicy, "activedata-backups-tls-only")).includes("activedata-backups-public-access"));
        assert.ok(named(g, T.bucketPolicy, "activedata-backups-tls-only").explicitDependsOn.length === 1);
        assert.ok(depNames(g, named(g, T.lifecycle, "activedata-backups-lifecycle")).includes("activedata-backups-versioning"));
    });

    it("protects prod backups from deletion, and nothing else", () => {
        const protectedNames = g.resources
            .filter((r) => r.options.protect)
            .map((r) => r.name)
            .sort();
        assert.deepEqual(protectedNames, ["activedata-backups", "activedata-backups-suffix"]);
        assert.equal(named(g, T.bucket, "activedata-backups").inputs.forceDestroy, false);
        assert.equal(staging.resources.filter((r) => r.options.protect).length, 0);
    });
});

describe("Host, HostTemplate and TierRole", () => {
    let g: StackGraph;
    before(async () => (g = await committedStack("prod")));

    it("hosts use IMDSv2 with hop limit 1, an encrypted root volume, their tier's group and profile", () => {
        for (const [host, tier] of [
            ["frontend", "frontend"],
            ["manager", "manager"],
            ["logger", "etl"],
        ]) {
            const i = named(g, T.instance, `activedata-${host}`);
            assert.deepEqual(i.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            assert.equal((i.inputs.rootBlockDevice as any).encrypted, true);
            assert.deepEqual(depNames(g, i).sort(), [`activedata-${tier}-role-profile`, `activedata-tiers-${tier}`].sort());
        }
        assert.equal(named(g, T.instance, "activedata-frontend").inputs.associatePublicIpAddress, true);
        assert.equal(named(g, T.instance, "activedata-manager").inputs.associatePublicIpAddress, false);
    });

    it("a generation bump changes the host's user data, which replaces the instance", async () => {
        const doc = stackDoc("prod");
        doc.config["dataplat:hosts"].manager.generation = 1;
        const next = await evaluateDoc(doc, undefined, "prod");
        const before = named(g, T.instance, "activedata-manager");
        const after = named(next, T.instance, "activedata-manager");
        assert.equal(after.inputs.userDataReplaceOnChange, true);
        assert.notEqual(after.inputs.userData, before.inputs.userData);
        // Nothing else about the frontend changes.
        assert.deepEqual(named(next, T.instance, "activedata-frontend").inputs, named(g, T.instance, "activedata-frontend").inputs);
    });

    it("the fleet launch template requires IMDSv2, encrypts EBS and never assigns a public IP", () => {
        const lt = named(g, T.lt, "activedata-etl-fleet-template").inputs as any;
        assert.equal(lt.metadataOptions.httpTokens, "required");
        assert.equal(lt.metadataOptions.httpPutResponseHopLimit, 1);
        assert.equal(lt.blockDeviceMappings[0].ebs.encrypted, "true");
        assert.equal(lt.networkInterfaces[0].associatePublicIpAddress, "false");
        assert.deepEqual(
            lt.tagSpecifications.map((t: any) => t.resourceType),
            ["instance", "volume"],
        );
    });

    it("roles grant exactly what the queues' and buckets' config lists", () => {
        const policy = (tier: string) => json(named(g, T.rolePolicy, `activedata-${tier}-role-policy`).inputs.policy).Statement;
        const search = policy("search");
        assert.deepEqual(
            search.map((s: any) => [s.Action.join(","), s.Resource.join(",").replace(/-[0-9a-f]{7,}/g, "")]),
            [
                [
                    "sqs:ReceiveMessage,sqs:DeleteMessage,sqs:ChangeMessageVisibility,sqs:GetQueueUrl,sqs:GetQueueAttributes",
                    "arn:aws:sqs:us-west-2:123456789012:activedata-ingestion-backlog",
                ],
                ["s3:PutObject,s3:AbortMultipartUpload", "arn:aws:s3:::activedata-backups-prod/*"],
                ["ssm:GetParameter", "arn:aws:mock:us-west-2:123456789012:ssm/parameter/mock"],
            ],
        );
        const origin = policy("origin");
        assert.equal(origin.length, 1);
        assert.equal(origin[0].Effect, "Deny");
    });
});

describe("providers, secrets and outputs", () => {
    let g: StackGraph;
    before(async () => (g = await committedStack("prod")));

    it("every AWS resource goes through an explicit provider with environment, stack and component tags", () => {
        const providers = ofType(g, T.provider);
        assert.ok(providers.length >= 5);
        for (const p of providers) {
            assert.equal(p.inputs.region, "us-west-2");
            const tags = JSON.parse(String(p.inputs.defaultTags)).tags;
            assert.equal(tags.environment, "prod");
            assert.equal(tags.stack, "prod");
            assert.equal(`aws-${tags.component}`, p.name);
        }
    });

    it("generates passwords that config does not supply, stored as SecureString and never printed", () => {
        const params = ofType(g, T.param);
        assert.deepEqual(params.map((p) => p.inputs.name).sort(), ["/activedata/prod/postgres-password", "/activedata/prod/search-admin-password"]);
        for (const p of params) {
            assert.equal(p.inputs.type, "SecureString");
            assert.equal(p.inputs.value, "[secret]");
            assert.ok(depNames(g, p).some((n) => n.endsWith("-password")));
        }
        assert.ok(!JSON.stringify(g).includes("offline-"), "no generated secret value leaks into the graph");
    });

    it("a password supplied as a secret is used instead of a generated one", async () => {
        const doc = stackDoc("staging");
        doc.config["dataplat:postgresPassword"] = { secure: "v1:abcd" };
        const next = await evaluateDoc(doc);
        assert.deepEqual(
            next.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name),
            ["activedata-stg-search-admin-password"],
        );
    });

    it("the alarm topic is encrypted with a key CloudWatch may use", () => {
        const key = ofType(g, T.key)[0];
        const stmts = json(key.inputs.policy).Statement;
        assert.ok(stmts.some((s: any) => s.Principal?.Service === "cloudwatch.amazonaws.com"));
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.ok(depNames(g, ofType(g, T.topic)[0]).includes(key.name));
    });

    it("records what it deployed for the next update's guardrails", () => {
        assert.deepEqual((g.outputs.deployed as any).foundation, { environment: "prod", prefix: "activedata", backupBuckets: ["backups"] });
    });
});
