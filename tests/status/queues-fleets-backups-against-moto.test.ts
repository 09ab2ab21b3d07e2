/**
 * `npm run status` for real against moto's server (SQS, CloudWatch, EC2 Fleet, S3) through the AWS SDK: the
 * queues' depth, age against the time to data loss and dead letters; the spot fleet's fulfilled capacity, type
 * mix and spend; the headnode's backups against their maximum age and the blessed check. One healthy arrangement
 * exits 0; one with every fault class exits 2 and names each.
 *
 * How messages and backups get old: moto runs under libfaketime (moto-clock.ts), so a message sent while moto's
 * clock is 8 days back carries that SentTimestamp, and a backup manifest put then carries that LastModified.
 * SQS publishes ApproximateAgeOfOldestMessage to CloudWatch itself; moto does not, so `publishAgeLikeSqs` plays
 * that part, named: it peeks the queue's messages (visibility 0, queues without a redrive policy, so the peek
 * moves nothing) and puts now - oldest SentTimestamp into AWS/SQS as SQS would every minute. The status
 * command only reads CloudWatch, as in AWS.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateFleetCommand, CreateLaunchTemplateCommand, EC2Client, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ec2FleetApi } from "../../cli/spot";
import { formatStamp } from "../../ops/platform/backupunit";
import { type ClockedMoto, startClockedMoto } from "./moto-clock";
import { findingLines, runStatusCli, stackFile, writeJson } from "./support";

describe("status against moto: queues, spot fleets, control plane backups", function () {
    this.timeout(300_000);
    let moto: ClockedMoto;
    let dir: string;
    let sqs: SQSClient;
    let cw: CloudWatchClient;
    let ec2: EC2Client;
    let s3: S3Client;

    before(async () => {
        moto = await startClockedMoto();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-moto-test-"));
        const c = { region: "us-east-1", endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
        sqs = new SQSClient(c);
        cw = new CloudWatchClient(c);
        ec2 = new EC2Client(c);
        s3 = new S3Client({ ...c, forcePathStyle: true });
    });
    after(async () => {
        await moto?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function queue(name: string, deadLetterAfter?: number): Promise<string> {
        // 14 days, as the stack's retentionDays: moto drops a message older than the retention, as SQS does.
        let attributes: Record<string, string> = { MessageRetentionPeriod: String(14 * 86400) };
        if (deadLetterAfter !== undefined) {
            const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
            const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
            attributes = { ...attributes, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: deadLetterAfter }) };
        }
        return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    }

    async function sendAt(url: string, offset: string, body = "{}") {
        moto.setClock(offset);
        try {
            await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
        } finally {
            moto.setClock("+0");
        }
    }

    /** Stand-in for SQS's own metric publishing (see the header). */
    async function publishAgeLikeSqs(url: string) {
        const got = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ["SentTimestamp"] }),
        );
        const oldest = Math.min(...(got.Messages ?? []).map((m) => Number(m.Attributes!.SentTimestamp)));
        assert.ok(Number.isFinite(oldest), `no messages to age in ${url}`);
        await cw.send(
            new PutMetricDataCommand({
                Namespace: "AWS/SQS",
                MetricData: [
                    {
                        MetricName: "ApproximateAgeOfOldestMessage",
                        Dimensions: [{ Name: "QueueName", Value: url.split("/").pop()! }],
                        Timestamp: new Date(),
                        Value: Math.round((Date.now() - oldest) / 1000),
                        Unit: "Seconds",
                    },
                ],
            }),
        );
    }

    /** A maintain fleet of c5.xlarge (weight 4), as the program's SpotFleet creates one. */
    async function fleet(name: string, units: number): Promise<string> {
        const lt = await ec2.send(
            new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "c5.xlarge" } }),
        );
        const f = await ec2.send(
            new CreateFleetCommand({
                Type: "maintain",
                TargetCapacitySpecification: { TotalTargetCapacity: units, DefaultTargetCapacityType: "spot" },
                LaunchTemplateConfigs: [
                    {
                        LaunchTemplateSpecification: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: "$Latest" },
                        Overrides: [
                            { InstanceType: "c5.xlarge", WeightedCapacity: 4 },
                            { InstanceType: "c5.2xlarge", WeightedCapacity: 8 },
                        ],
                    },
                ],
            }),
        );
        return f.FleetId!;
    }

    /** A complete headnode backup unit (parts, then MANIFEST) written while moto's clock is at `offset`. */
    async function backupUnit(bucket: string, root: string, minutesAgo: number) {
        moto.setClock(`-${minutesAgo}m`);
        try {
            // The stamp is the host's clock at the start of the run; freshness is read from S3's LastModified.
            const stamp = formatStamp(Math.floor(Date.now() / 1000) - minutesAgo * 60, 0, "headnode");
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${root}/${stamp}/database.dump`, Body: "dump" }));
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${root}/${stamp}/MANIFEST`, Body: "dataplat-backup-manifest 1\n" }));
        } finally {
            moto.setClock("+0");
        }
    }

    const run = (stack: string, outputs: unknown, env: NodeJS.ProcessEnv = moto.env) =>
        runStatusCli(
            [
                "--stack",
                "moto",
                "--config",
                stack,
                "--outputs",
                writeJson(dir, `outputs-${Math.random()}.json`, outputs),
                "--only",
                "queues,fleets,controlplane",
                "--json",
            ],
            env,
        );

    it("a healthy arrangement: young or empty backlogs, no dead letters, a fulfilled fleet within its budget, fresh backups: exit 0", async () => {
        const etl = await queue("ok-etl-backlog");
        await sendAt(etl, "-1m");
        await publishAgeLikeSqs(etl);
        const ingestion = await queue("ok-ingestion-backlog", 1);
        const tc = await queue("ok-tc-logger");
        const fleetId = await fleet("ok-etl", 8);
        await s3.send(new CreateBucketCommand({ Bucket: "ok-backups" }));
        await backupUnit("ok-backups", "triton/prod/headnode/units", 30);
        // An older unit next to the fresh one: the newest counts.
        await backupUnit("ok-backups", "triton/prod/headnode/units", 300);
        const stack = stackFile(dir, "ok", (c) => (c["dataplat:spotFleets"].etl.maxPercentPerType = 1));
        const r = await run(stack, {
            queueUrls: { "etl-backlog": etl, "ingestion-backlog": ingestion, "tc-logger": tc },
            spotFleets: { etl: { fleetId } },
            bucketNames: { backups: "ok-backups" },
        });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const lines = findingLines(r.stdout);
        assert.ok(lines.includes("ok age etl-backlog"), lines.join("\n"));
        assert.ok(lines.includes("ok dead-letters ingestion-backlog"));
        assert.ok(lines.includes(`ok capacity etl (${fleetId})`));
        assert.ok(lines.includes("ok backup headnode"));
        assert.ok(lines.includes("ok blessed essentials"));
        assert.match(r.stderr, /status: \[\d+\/\d+\] queues etl-backlog: ok/);
    });

    it("every fault class: aged backlogs, dead letters, an unfulfilled fleet over the share cap and its spend ceiling, a stale backup, not blessed: exit 2", async () => {
        const etl = await queue("bad-etl-backlog");
        await sendAt(etl, "-8d");
        await sendAt(etl, "-1d");
        await publishAgeLikeSqs(etl);
        const tc = await queue("bad-tc-logger");
        await sendAt(tc, "-10m");
        await publishAgeLikeSqs(tc);
        const ingestion = await queue("bad-ingestion-backlog", 1);
        await sqs.send(new SendMessageCommand({ QueueUrl: ingestion, MessageBody: "fails" }));
        // A consumer that fails it: received twice with maxReceiveCount 1, moto moves it to the dead-letter queue.
        for (let i = 0; i < 2; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: ingestion, VisibilityTimeout: 0 }));
        const fleetId = await fleet("bad-etl", 16);
        const ids = (await ec2FleetApi(ec2).fleetInstances(fleetId)).map((i) => i.id);
        // A reclaimed instance that the fleet has not replaced yet.
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
        await s3.send(new CreateBucketCommand({ Bucket: "bad-backups" }));
        await backupUnit("bad-backups", "triton/prod/headnode/units", 180);
        const stack = stackFile(dir, "bad", (c) => {
            c["dataplat:spotFleets"].etl.budget = 0.1;
            c["dataplat:spotFleets"].etl.spendCeiling = 0.2;
            c["dataplat:controlPlane"].essentials.moray.hosts = ["headnode", "cn-1"];
        });
        const r = await run(stack, {
            queueUrls: { "etl-backlog": etl, "ingestion-backlog": ingestion, "tc-logger": tc },
            spotFleets: { etl: { fleetId } },
            bucketNames: { backups: "bad-backups" },
        });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        const bad = findingLines(r.stdout).filter((l) => !l.startsWith("ok "));
        assert.deepEqual(bad, [
            "fault age etl-backlog",
            "warn dead-letters ingestion-backlog",
            "warn age tc-logger",
            `warn capacity etl (${fleetId})`,
            `warn mix etl (${fleetId})`,
            `fault spend etl (${fleetId})`,
            "fault blessed essentials",
            "fault backup headnode",
        ]);
        const report = JSON.parse(r.stdout) as { findings: { check: string; subject: string; detail: string; fix?: string }[] };
        const of = (check: string, subject: string) => report.findings.find((f) => f.check === check && f.subject.startsWith(subject))!;
        assert.match(of("age", "etl-backlog").detail, /oldest message 8(\.0)? days old; data is lost after 14 days/);
        assert.match(of("dead-letters", "ingestion-backlog").detail, /1 message\(s\) in bad-ingestion-backlog-dlq/);
        assert.match(of("capacity", "etl").detail, /12 of 16 units fulfilled/);
        assert.match(of("spend", "etl").detail, /\$0\.204\/h of \$0\.10\/h budget, ceiling \$0\.20\/h: over the ceiling/);
        assert.match(of("backup", "headnode").detail, /3(\.0)? h old \(a restore accepts 2 h\)/);
        assert.match(of("age", "etl-backlog").fix!, /push-to-es/);
    });

    it("an AWS call that fails is unknown (exit 3), never ok, and the credentials never appear in the output", async () => {
        const stack = stackFile(dir, "gone");
        const r = await run(stack, {
            queueUrls: {
                "etl-backlog": `${moto.endpoint}/123456789012/no-such-queue`,
                "ingestion-backlog": `${moto.endpoint}/123456789012/nope`,
                "tc-logger": `${moto.endpoint}/123456789012/nope2`,
            },
            spotFleets: { etl: { fleetId: "fleet-00000000-0000-0000-0000-000000000000" } },
            bucketNames: { backups: "no-such-bucket" },
        });
        assert.equal(r.code, 3, r.stdout + r.stderr);
        const lines = findingLines(r.stdout);
        assert.ok(lines.includes("unknown depth etl-backlog"), lines.join("\n"));
        assert.ok(lines.includes("unknown backup headnode"), lines.join("\n"));
        assert.ok(!lines.some((l) => /^ok (depth|backup)/.test(l)));
        for (const out of [r.stdout, r.stderr]) assert.ok(!out.includes(moto.env.AWS_SECRET_ACCESS_KEY!), "the secret key was printed");
    });
});
