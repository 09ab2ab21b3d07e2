/**
 * `npm run status -- --only origin,platform,hosts` for real over SSH (tests/peers/sshd: a real OpenSSH server on
 * 127.0.0.1 that every host address of the outputs points at) with the stack's key, and moto's S3 for the
 * platform's backups:
 *   - hosts: the real `df` of this machine against thresholds (default, then lowered under what it uses), and
 *     `*.hprof` crash dumps in a directory given with --crash-dump-dirs;
 *   - platform: `systemctl is-active` through --systemctl, pointed at a stand-in (this machine runs no systemd)
 *     that prints the states written to a file, one per unit, as systemctl does; all "hosts" share it, so a
 *     state is per unit across hosts;
 *   - origin: the ring file at the configured configPath, and the health check with curl on the host, answered
 *     by a small HTTP server standing in for a Kraken origin's /health (NOT Kraken: the real Kraken peer needs
 *     network namespaces per origin, tests/peers/kraken).
 * Healthy exits 0; the faults (a full disk, a crash dump, a layer down under running ones, a lost worker, an
 * unhealthy origin, another hashstate) exit 2. No key: exit 77.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { formatStamp } from "../../ops/platform/backupunit";
import { hashstateDocument } from "../../ops/origin/rollout";
import { type MotoPeer, startMoto } from "../peers/moto/harness";
import { freePort } from "../peers/postgres/harness";
import { makeKeyPair, type SshdPeer, startSshd } from "../peers/sshd/harness";
import { findingLines, runStatusCli, stackFile, writeJson } from "./support";

describe("status over SSH: hosts, platform layers, origins", function () {
    this.timeout(300_000);
    let sshd: SshdPeer;
    let moto: MotoPeer;
    let dir: string;
    let key: string;
    let healthPort: number;
    let health: http.Server;
    let healthStatus = 200;
    let stack: string;
    let outputs: string;
    const ring = () => path.join(dir, "hashstate.yaml");
    const states = () => path.join(dir, "unit-states");
    const dumps = () => path.join(dir, "dumps");

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-ssh-"));
        fs.chmodSync(dir, 0o755);
        const pair = makeKeyPair(dir, "stack-key");
        key = pair.privateKey;
        sshd = await startSshd([pair.publicKey]);
        moto = await startMoto();
        await moto.createBucket("backups");
        healthPort = await freePort();
        health = http.createServer((req, res) => {
            res.statusCode = req.url === "/health" ? healthStatus : 404;
            res.end();
        });
        await new Promise<void>((r) => health.listen(healthPort, "127.0.0.1", r));
        // Stand-in for systemctl (see the header): `is-active UNIT...` prints each unit's state from the file.
        const stub = path.join(dir, "systemctl");
        fs.writeFileSync(
            stub,
            `#!/bin/sh\n[ "$1" = is-active ] || exit 2\nshift\nrc=0\nfor u in "$@"; do s=$(grep "^$u=" '${states()}' | cut -d= -f2); s=\${s:-active}; echo "$s"; [ "$s" = active ] || rc=3; done\nexit $rc\n`,
            { mode: 0o755 },
        );
        fs.mkdirSync(dumps());
        const ssh = { user: sshd.user, port: sshd.port };
        stack = stackFile(dir, "ssh", (c) => {
            delete c["dataplat:search"];
            c["dataplat:origin"].ssh = ssh;
            c["dataplat:origin"].port = healthPort;
            c["dataplat:origin"].configPath = ring();
            c["dataplat:platform"].ssh = ssh;
            c["dataplat:controlPlane"].ssh = ssh;
        });
        const origins = Object.keys((stackConfig(stack)["dataplat:origin"] as { hashstate: object }).hashstate);
        const platformHosts = (stackConfig(stack)["dataplat:platform"] as { hosts: { name: string }[] }).hosts.map((h) => h.name);
        outputs = writeJson(dir, "outputs.json", {
            origin: { hostIps: Object.fromEntries(origins.map((h) => [h, "127.0.0.1"])) },
            platform: { hostIps: Object.fromEntries(platformHosts.map((h) => [h, "127.0.0.1"])) },
            controlPlane: { headnodeIp: "127.0.0.1" },
            bucketNames: { backups: "backups" },
        });
    });
    after(async () => {
        await sshd?.stop();
        await moto?.stop();
        await new Promise((r) => health?.close(r));
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function stackConfig(file: string): Record<string, unknown> {
        return (parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    }

    function healthyState() {
        const c = stackConfig(stack)["dataplat:origin"] as { hashstate: Record<string, { label: string; weight: number }>; replicas: number };
        fs.writeFileSync(ring(), hashstateDocument(c.hashstate, c.replicas));
        fs.writeFileSync(states(), "");
        for (const f of fs.readdirSync(dumps())) fs.rmSync(path.join(dumps(), f));
        healthStatus = 200;
    }

    const run = (extra: string[] = [], env: NodeJS.ProcessEnv = { ...moto.env, DATAPLAT_SSH_KEY: key }) =>
        runStatusCli(
            [
                "--stack",
                "ssh",
                "--config",
                stack,
                "--outputs",
                outputs,
                "--only",
                "origin,platform,hosts",
                "--json",
                "--systemctl",
                path.join(dir, "systemctl"),
                "--crash-dump-dirs",
                dumps(),
                ...extra,
            ],
            env,
        );

    it("healthy: every origin healthy on the config's ring, every service up, a fresh backup, disks under 80%, no crash dumps: exit 0", async () => {
        healthyState();
        const stamp = formatStamp(Math.floor(Date.now() / 1000) - 60, 0, "master-3");
        await moto.putObject("backups", `koverse/prod/postgres/koverse/${stamp}/MANIFEST`, "dataplat-backup-manifest 1\n");
        const r = await run();
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const lines = findingLines(r.stdout);
        assert.equal(lines.filter((l) => /^ok health kraken-origin/.test(l)).length, 4, lines.join("\n"));
        assert.equal(lines.filter((l) => /^ok hashstate kraken-origin/.test(l)).length, 4);
        assert.ok(lines.includes("ok layer 1 zookeeper@master-1"));
        assert.ok(lines.includes("ok backup koverse postgres/koverse"));
        assert.equal(lines.filter((l) => /^ok disk /.test(l)).length, 13);
        assert.equal(lines.filter((l) => /^ok crash-dumps /.test(l)).length, 13);
        assert.match(r.stderr, /asking \d+ check\(s\) at once/);
    });

    it("faults: a disk over the threshold, a crash dump, a layer running over a layer that is down, a lost worker, an unhealthy origin on another ring: exit 2", async () => {
        healthyState();
        fs.writeFileSync(path.join(dumps(), "java_pid4242.hprof"), Buffer.alloc(4096));
        fs.writeFileSync(states(), "zookeeper=inactive\nhadoop-hdfs-datanode=failed\n");
        fs.writeFileSync(ring(), fs.readFileSync(ring(), "utf8").replace("weight: 7500", "weight: 15000"));
        healthStatus = 503;
        // The disk's real use, judged against thresholds under it.
        const used = Number(/(\d+)%/.exec(execFileSync("df", ["-P", "/"], { encoding: "utf8" }).split("\n")[1]!)![1]);
        const r = await run(["--disk-warn", String(Math.max(1, used - 2)), "--disk-fault", String(Math.max(1, used - 1))]);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        const lines = findingLines(r.stdout);
        assert.ok(lines.includes("fault disk controlPlane/headnode"), lines.join("\n"));
        assert.equal(lines.filter((l) => /^fault disk /.test(l)).length, 13);
        assert.equal(lines.filter((l) => /^warn crash-dumps /.test(l)).length, 13);
        assert.ok(lines.includes("fault layer 1 zookeeper@master-1"));
        assert.ok(lines.includes("warn layer 2 datanode@worker-1"));
        assert.deepEqual(
            lines.filter((l) => l.includes(" order ")),
            ["fault order layer 2", "fault order layer 3", "fault order layer 4"],
        );
        assert.equal(lines.filter((l) => /^fault health kraken-origin/.test(l)).length, 4);
        assert.equal(lines.filter((l) => /^fault hashstate kraken-origin/.test(l)).length, 4);
        const report = JSON.parse(r.stdout) as { findings: { check: string; subject: string; detail: string; fix?: string }[] };
        assert.match(report.findings.find((f) => f.check === "crash-dumps")!.detail, /java_pid4242\.hprof/);
        assert.match(report.findings.find((f) => f.check === "order")!.detail, /Data Storage Layer runs .* while Coordination Layer below it is down/);
    });

    it("a host SSH cannot reach is unknown (exit 3); without the key the command stops before asking (exit 77)", async () => {
        healthyState();
        const other = makeKeyPair(dir, `other-${Date.now()}`);
        const refused = await run([], { ...moto.env, DATAPLAT_SSH_KEY: other.privateKey });
        assert.equal(refused.code, 3, refused.stdout + refused.stderr);
        assert.ok(
            findingLines(refused.stdout)
                .filter((l) => !/backup/.test(l))
                .every((l) => l.startsWith("unknown ")),
            refused.stdout,
        );
        assert.match(refused.stdout, /the key was refused/);
        assert.ok(!refused.stdout.includes(other.privateKey.split("\n")[1]!), "the key was printed");
        const none = await run([], { ...moto.env });
        assert.equal(none.code, 77, none.stdout + none.stderr);
        assert.match(none.stderr, /DATAPLAT_SSH_KEY is not set/);
        assert.equal(none.stdout, "");
    });
});
