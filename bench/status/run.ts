// Benchmark: how long a full `status` (every section) takes against the test peers, and whether its checks run
// concurrently: the total should be close to the slowest check, not the sum. The baseline, measured in the same
// run on the same peers, runs the same checks one after another (concurrency 1).
//
// Run from the repository root (peers installed by tests/peers/install.sh):
//   rm -rf dist && npx tsc -p . && node dist/bench/status/run.js [--trials 3]
//
// Peers: moto (SQS + CloudWatch + EC2 Fleet + S3), a real OpenSearch cluster (tests/search/cluster.ts), a real
// sshd on loopback that every host address points at, with a stand-in systemctl and a stand-in origin /health
// (as tests/status/hosts-platform-origin-over-ssh.test.ts). Prints, per trial: the concurrent total, the slowest
// check alone (its time in the baseline), their ratio (1.0 = fully concurrent), and the baseline's total.

import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateFleetCommand, CreateLaunchTemplateCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { parse } from "yaml";
import { parseStackConfig } from "../../ops/config/parse";
import { formatStamp } from "../../ops/platform/backupunit";
import { hashstateDocument } from "../../ops/origin/rollout";
import { SECTIONS } from "../../ops/status/findings";
import { DEFAULT_DISK_THRESHOLDS } from "../../ops/status/hosts";
import { statusTargets } from "../../ops/status/targets";
import { runStatus, type RunResult } from "../../runners/status/run";
import { readStackFile } from "../../stacks/offline/stackfile";
import { startMoto } from "../../tests/peers/moto/harness";
import { freePort } from "../../tests/peers/postgres/harness";
import { makeKeyPair, startSshd } from "../../tests/peers/sshd/harness";
import { TestCluster } from "../../tests/search/cluster";
import { stackFile } from "../../tests/status/support";

async function main() {
    const { values } = parseArgs({ options: { trials: { type: "string", default: "3" } } });
    const trials = Number(values.trials);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-bench-status-"));
    fs.chmodSync(dir, 0o755);
    const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
    log("starting peers: moto, OpenSearch, sshd");
    const [moto, cluster] = await Promise.all([startMoto(), TestCluster.start({ log: () => {} })]);
    const pair = makeKeyPair(dir, "key");
    const sshd = await startSshd([pair.publicKey]);
    const healthPort = await freePort();
    const health = http.createServer((_req, res) => res.end());
    await new Promise<void>((r) => health.listen(healthPort, "127.0.0.1", r));
    try {
        Object.assign(process.env, {
            AWS_ACCESS_KEY_ID: "testing",
            AWS_SECRET_ACCESS_KEY: "testing",
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        });
        const c = { region: "us-east-1" };
        const sqs = new SQSClient(c);
        const queueUrls: Record<string, string> = {};
        for (const name of ["etl-backlog", "ingestion-backlog", "tc-logger"]) {
            queueUrls[name] = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
            await sqs.send(new SendMessageCommand({ QueueUrl: queueUrls[name], MessageBody: "{}" }));
            await new CloudWatchClient(c).send(
                new PutMetricDataCommand({
                    Namespace: "AWS/SQS",
                    MetricData: [
                        { MetricName: "ApproximateAgeOfOldestMessage", Dimensions: [{ Name: "QueueName", Value: name }], Timestamp: new Date(), Value: 5 },
                    ],
                }),
            );
        }
        const ec2 = new EC2Client(c);
        const lt = await ec2.send(
            new CreateLaunchTemplateCommand({ LaunchTemplateName: "etl", LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "c5.xlarge" } }),
        );
        const fleetId = (
            await ec2.send(
                new CreateFleetCommand({
                    Type: "maintain",
                    TargetCapacitySpecification: { TotalTargetCapacity: 8, DefaultTargetCapacityType: "spot" },
                    LaunchTemplateConfigs: [
                        {
                            LaunchTemplateSpecification: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!, Version: "$Latest" },
                            Overrides: [{ InstanceType: "c5.xlarge", WeightedCapacity: 4 }],
                        },
                    ],
                }),
            )
        ).FleetId!;
        await moto.createBucket("backups");
        const now = Math.floor(Date.now() / 1000);
        await moto.putObject("backups", `koverse/prod/postgres/koverse/${formatStamp(now, 0, "master-3")}/MANIFEST`, "m");
        await moto.putObject("backups", `triton/prod/headnode/units/${formatStamp(now, 0, "headnode")}/MANIFEST`, "m");
        await cluster.client().json("PUT", "/logs", { settings: { number_of_shards: 2, number_of_replicas: 1 } });

        const ssh = { user: sshd.user, port: sshd.port };
        const ring = path.join(dir, "hashstate.yaml");
        const stub = path.join(dir, "systemctl");
        fs.writeFileSync(stub, '#!/bin/sh\nshift\nfor u in "$@"; do echo active; done\n', { mode: 0o755 });
        const file = stackFile(dir, "bench", (cfg) => {
            cfg["dataplat:origin"].ssh = ssh;
            cfg["dataplat:origin"].port = healthPort;
            cfg["dataplat:origin"].configPath = ring;
            cfg["dataplat:platform"].ssh = ssh;
            cfg["dataplat:controlPlane"].ssh = ssh;
            cfg["dataplat:spotFleets"].etl.maxPercentPerType = 1;
        });
        const raw = readStackFile(file);
        const parsed = parseStackConfig(raw.config, new Set(raw.secretKeys));
        const origin = parsed.config.origin!;
        fs.writeFileSync(ring, hashstateDocument(origin.hashstate, origin.replicas));
        const doc = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, { hosts: { name: string }[] }> };
        const outputs = {
            search: { adminUrl: cluster.endpoint },
            queueUrls,
            spotFleets: { etl: { fleetId } },
            bucketNames: { backups: "backups" },
            origin: { hostIps: Object.fromEntries(Object.keys(origin.hashstate).map((h) => [h, "127.0.0.1"])) },
            platform: { hostIps: Object.fromEntries(doc.config["dataplat:platform"]!.hosts.map((h) => [h.name, "127.0.0.1"])) },
            controlPlane: { headnodeIp: "127.0.0.1" },
        };
        const targets = statusTargets({ config: parsed.config, region: parsed.region, outputs, sections: SECTIONS, env: {} });
        const once = (concurrency?: number): Promise<RunResult> =>
            runStatus(targets, {
                now: Date.now(),
                sshKey: pair.privateKey,
                systemctl: stub,
                crashDumpDirs: [dir],
                disk: DEFAULT_DISK_THRESHOLDS,
                progress: () => {},
                ...(concurrency ? { concurrency } : {}),
            });
        await once(); // warm-up: JIT, first connections, OpenSearch caches
        const rows: string[] = [];
        for (let t = 1; t <= trials; t++) {
            // Alternate which goes first, so neither always meets the warmer peers.
            const order = t % 2 === 1 ? (["concurrent", "sequential"] as const) : (["sequential", "concurrent"] as const);
            const r: Partial<Record<"concurrent" | "sequential", RunResult>> = {};
            for (const mode of order) r[mode] = await once(mode === "sequential" ? 1 : undefined);
            const c = r.concurrent!;
            // Each check's own time is read from the sequential run: in the concurrent one, a host check's time
            // includes its wait for one of the 8 SSH slots.
            const seq = r.sequential!;
            const slowest = seq.timings.reduce((a, b) => (b.ms > a.ms ? b : a));
            const sum = seq.timings.reduce((a, b) => a + b.ms, 0);
            const levels = c.findings.reduce<Record<string, number>>((a, f) => ((a[f.level] = (a[f.level] ?? 0) + 1), a), {});
            rows.push(
                `trial ${t}: ${c.timings.length} checks, ${c.findings.length} findings ${JSON.stringify(levels)}; full status ${c.totalMs} ms; slowest check alone ${slowest.section} ${slowest.name} ${slowest.ms} ms; ` +
                    `total/slowest ${(c.totalMs / slowest.ms).toFixed(2)}; baseline one after another ${seq.totalMs} ms (sum of the checks ${sum} ms), ${(seq.totalMs / c.totalMs).toFixed(1)}x the full status`,
            );
            log(rows[rows.length - 1]!);
        }
        // On one machine every SSH handshake (client and sshd alike) shares its cores: say how many, and how busy.
        rows.push(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}; every host is 127.0.0.1 (one sshd), SSH ${8} at a time`);
        process.stdout.write(rows.join("\n") + "\n");
    } finally {
        await new Promise((r) => health.close(r));
        await sshd.stop();
        await moto.stop();
        await cluster.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().then(
    () => process.exit(0),
    (e: Error) => {
        process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
        process.exit(1);
    },
);
