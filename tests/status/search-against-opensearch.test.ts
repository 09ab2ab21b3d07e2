/**
 * `npm run status -- --only search` for real against an OpenSearch cluster (tests/search/cluster.ts: a
 * cluster-manager and three data nodes on loopback) in good and bad states: healthy (exit 0), red (an index whose
 * primary cannot be placed), an exclusion left behind by an interrupted drain, allocation.enable none left by an
 * interrupted bounce, disks over the low watermark, another node answering the admin endpoint, a status endpoint that
 * stalls while queries answer (through a proxy that holds /_cluster/health), and an endpoint that does not answer
 * (unknown, exit 3). Each state is made with the engine's own APIs and undone after.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../peers/postgres/harness";
import { TestCluster } from "../search/cluster";
import { LIBFAKETIME } from "./moto-clock";
import { findingLines, runStatusCli, stackFile, writeJson } from "./support";

describe("status against a real OpenSearch cluster", function () {
    this.timeout(600_000);
    let cluster: TestCluster;
    let dir: string;
    let stack: string;
    let answering: string;

    before(async () => {
        cluster = await TestCluster.start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-search-"));
        stack = stackFile(dir, "search");
        const c = cluster.client();
        // The harness turns disk thresholds off for its small disks; a real cluster has them on.
        await c.putSettings({ transient: { "cluster.routing.allocation.disk.threshold_enabled": "true" } });
        await c.json("PUT", "/logs", { settings: { number_of_shards: 2, number_of_replicas: 1 } });
        await c.health({ waitForStatus: "green", timeoutSeconds: 120 });
        const local = (await c.json("GET", "/_nodes/_local?filter_path=nodes.*.name")) as { nodes: Record<string, { name: string }> };
        answering = Object.values(local.nodes)[0]!.name;
    });
    after(async () => {
        await cluster?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const run = (outputs: unknown) =>
        runStatusCli(
            ["--stack", "search", "--config", stack, "--outputs", writeJson(dir, `outputs-${Math.random()}.json`, outputs), "--only", "search", "--json"],
            {},
        );
    const outputs = (expectedNode = answering) => ({ search: { adminUrl: cluster.endpoint, endpointNode: expectedNode } });
    const notOk = (stdout: string) => findingLines(stdout, "search").filter((l) => !l.startsWith("ok "));

    it("healthy: green, every shard assigned, nothing left behind, disks under the watermarks, the expected node answers: exit 0", async () => {
        const r = await run(outputs());
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const lines = findingLines(r.stdout, "search");
        assert.ok(lines.includes("ok health cluster"));
        assert.ok(lines.includes(`ok endpoint ${cluster.endpoint}`));
        assert.equal(lines.filter((l) => l.startsWith("ok disk ")).length, 3, lines.join("\n"));
    });

    it("red: the health and the index with unassigned primaries are faults (exit 2)", async () => {
        const c = cluster.client();
        await c.json("PUT", "/coverage-20261201?wait_for_active_shards=0", {
            settings: { number_of_shards: 1, number_of_replicas: 0, "index.routing.allocation.require._name": "no-such-node" },
        });
        try {
            const r = await run(outputs());
            assert.equal(r.code, 2, r.stdout + r.stderr);
            assert.deepEqual(notOk(r.stdout), ["fault health cluster", "fault unassigned coverage-20261201"]);
        } finally {
            await c.json("DELETE", "/coverage-20261201");
        }
    });

    it("an exclusion left behind by an interrupted drain is a warning (exit 1)", async () => {
        const c = cluster.client();
        const node = cluster.dataNodes()[2]!.name;
        await c.putSettings({ transient: { "cluster.routing.allocation.exclude._name": node } });
        try {
            const r = await run(outputs());
            assert.equal(r.code, 1, r.stdout + r.stderr);
            assert.deepEqual(notOk(r.stdout), ["warn exclusions cluster"]);
            assert.match(r.stdout, new RegExp(`cluster.routing.allocation.exclude._name excludes ${node}`));
        } finally {
            await c.putSettings({ transient: { "cluster.routing.allocation.exclude._name": null } });
            await c.health({ waitForStatus: "green", waitForNoRelocatingShards: true, timeoutSeconds: 120 });
        }
    });

    it("allocation.enable none left by an interrupted bounce is a fault (exit 2)", async () => {
        const c = cluster.client();
        await c.putSettings({ persistent: { "cluster.routing.allocation.enable": "none" } });
        try {
            const r = await run(outputs());
            assert.equal(r.code, 2, r.stdout + r.stderr);
            assert.deepEqual(notOk(r.stdout), ["fault allocation cluster"]);
            assert.match(r.stdout, /cluster.routing.allocation.enable is \\"none\\" \(persistent\)/);
        } finally {
            await c.putSettings({ persistent: { "cluster.routing.allocation.enable": null } });
        }
    });

    it("disks over the low watermark, and another node answering the admin endpoint, are warnings", async () => {
        const c = cluster.client();
        await c.putSettings({
            transient: {
                "cluster.routing.allocation.disk.watermark.low": "1%",
                "cluster.routing.allocation.disk.watermark.high": "99%",
                "cluster.routing.allocation.disk.watermark.flood_stage": "99%",
            },
        });
        try {
            const r = await run(outputs("coordinator-g0"));
            assert.equal(r.code, 1, r.stdout + r.stderr);
            const bad = notOk(r.stdout);
            assert.equal(bad.filter((l) => l.startsWith("warn disk ")).length, 3, bad.join("\n"));
            assert.ok(bad.includes(`warn endpoint ${cluster.endpoint}`));
        } finally {
            await c.putSettings({
                transient: {
                    "cluster.routing.allocation.disk.watermark.low": null,
                    "cluster.routing.allocation.disk.watermark.high": null,
                    "cluster.routing.allocation.disk.watermark.flood_stage": null,
                },
            });
        }
    });

    it("the status endpoint stalls while queries still answer: a warning to wait, from the runbook's query (exit 1)", async () => {
        // A stand-in for the stall the runbook describes after a node loss: a proxy in front of the real cluster
        // that holds every /_cluster/health request open and forwards everything else.
        const upstream = new URL(cluster.endpoint);
        const held: http.ServerResponse[] = [];
        const proxy = http.createServer((req, res) => {
            if (req.url?.startsWith("/_cluster/health")) return void held.push(res);
            const out = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            });
            out.on("error", () => res.destroy());
            req.pipe(out);
        });
        await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
        try {
            const port = (proxy.address() as { port: number }).port;
            const r = await run({ search: { adminUrl: `http://127.0.0.1:${port}`, endpointNode: answering } });
            assert.equal(r.code, 1, r.stdout + r.stderr);
            assert.deepEqual(notOk(r.stdout), ["warn health cluster"]);
            assert.match(r.stdout, /the status endpoint did not answer .* but a query through the coordinator did/);
            assert.ok(held.length > 0, "the health request never reached the proxy");
        } finally {
            for (const res of held) res.destroy();
            proxy.closeAllConnections();
            await new Promise((r) => proxy.close(r));
        }
    });

    it("the ETL pipeline: the latest coverage index is today, and three days later it is not (a warning, exit 1)", async () => {
        const c = cluster.client();
        await c.json("PUT", "/coverage-today", { settings: { number_of_shards: 1, number_of_replicas: 1 } });
        await c.health({ waitForStatus: "green", timeoutSeconds: 120 });
        try {
            const fresh = await run(outputs());
            assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
            assert.match(fresh.stdout, /the latest coverage index is coverage-today, created .*: today/);
            // OpenSearch refuses to set index.creation_date, so the index cannot be made old: the status command is
            // run three days later instead, under libfaketime (its own clock only; the cluster keeps the real one).
            const file = writeJson(dir, "later.json", outputs());
            const later = await runStatusCli(["--stack", "search", "--config", stack, "--outputs", file, "--only", "search", "--json"], {
                LD_PRELOAD: LIBFAKETIME,
                FAKETIME: "+3d",
            });
            assert.equal(later.code, 1, later.stdout + later.stderr);
            assert.deepEqual(notOk(later.stdout), ["warn pipeline coverage"]);
            assert.match(later.stdout, /the latest coverage index is coverage-today, created .*: not today/);
        } finally {
            await c.json("DELETE", "/coverage-today");
        }
    });

    it("an endpoint that does not answer is unknown on every line, never ok (exit 3), in the table too", async () => {
        const closed = await freePort();
        const file = writeJson(dir, "closed.json", { search: { adminUrl: `http://127.0.0.1:${closed}` } });
        const r = await runStatusCli(["--stack", "search", "--config", stack, "--outputs", file, "--only", "search"], {});
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.doesNotMatch(r.stdout, /^ok /m);
        assert.match(r.stdout, /^UNKNOWN {2}health +cluster +http:\/\/127\.0\.0\.1:\d+ did not answer/m);
        assert.match(r.stdout, /-> bounce the coordinator node/);
    });
});
