import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Hashstate } from "../../ops/origin/hashstate";
import { planOriginUpdate, shardMovement, shardRepairPlan } from "../../ops/origin/repair";
import { repairScript } from "../../ops/origin/scripts";
import { type RecordedCall, type RepairStandin, startRepairStandin } from "./runbook-repair-recording-standin";

interface Run {
    readonly code: number | null;
    readonly stderr: string;
    readonly seconds: number;
}

function runScript(script: string): Promise<Run> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", script], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

/** Runs scripts one after the other and stops at the first that fails, as chained command resources do. */
async function runSequence(scripts: readonly string[]): Promise<Run[]> {
    const runs: Run[] = [];
    for (const s of scripts) {
        const r = await runScript(s);
        runs.push(r);
        if (r.code !== 0) break;
    }
    return runs;
}

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

const m = (n: number) => `kraken-origin-master0${n}-sjc1`;
const sjc1: Hashstate = {
    [m(1)]: { label: "origin0", weight: 30000 },
    [m(2)]: { label: "origin1", weight: 30000 },
    [m(3)]: { label: "origin2", weight: 30000 },
};
const added: Hashstate = { ...sjc1, [m(4)]: { label: "origin3", weight: 15000 } };

describe("origin.kraken: runbook: repair scripts against a recording stand-in for the runbook's repair endpoint", function () {
    this.timeout(60_000);
    let log: RecordedCall[];
    let standins: Map<string, RepairStandin>;

    beforeEach(async () => {
        log = [];
        standins = new Map();
        for (const host of Object.keys(added)) standins.set(host, await startRepairStandin(host, log));
    });
    afterEach(async () => {
        for (const s of standins.values()) await s.close();
    });

    const scriptFor = (host: string, extra: { shards?: readonly string[]; connectRetrySeconds?: number; timeoutSeconds?: number } = {}) =>
        repairScript({ host: "127.0.0.1", port: standins.get(host)!.port, timeoutSeconds: 10, ...extra });

    it("runs the planned full repairs in the planned order", async () => {
        const plan = planOriginUpdate(sjc1, added);
        const runs = await runSequence(plan.repairs.map((r) => scriptFor(r.host)));
        assert.deepEqual(
            runs.map((r) => r.code),
            [0, 0, 0, 0],
        );
        assert.deepEqual(
            log,
            plan.repairs.map((r) => ({ origin: r.host, method: "POST", path: "/repair" })),
        );
        assert.match(runs[0].stderr, /POST \/repair on 127\.0\.0\.1:\d+ done \(HTTP 200, 2 messages\)/);
    });

    it("runs shard-targeted repairs shard by shard, origin by origin", async () => {
        const plan = shardRepairPlan(added, shardMovement(sjc1, added, 3));
        const picked = plan.repairs.map((r) => ({ host: r.host, shards: r.shards.slice(0, 3) }));
        const runs = await runSequence(picked.map((p) => scriptFor(p.host, { shards: p.shards })));
        assert.ok(runs.every((r) => r.code === 0));
        assert.deepEqual(
            log,
            picked.flatMap((p) => p.shards.map((s) => ({ origin: p.host, method: "POST", path: `/repair/shard/${s}` }))),
        );
        assert.match(runs[0].stderr, /origin repair 3\/3: POST \/repair\/shard\/[0-9a-f]{4}/);
    });

    it("a 500 makes the script exit non-zero and stops the sequence there", async () => {
        standins.get(m(2))!.failWith500("/repair");
        const plan = planOriginUpdate(sjc1, added);
        const runs = await runSequence(plan.repairs.map((r) => scriptFor(r.host)));
        assert.deepEqual(
            runs.map((r) => r.code !== 0),
            [false, true],
        );
        assert.deepEqual(
            log.map((c) => c.origin),
            [m(1), m(2)],
        );
        assert.match(runs[1].stderr, /failed \(curl exit 22, HTTP 500\)/);
        assert.match(runs[1].stderr, /stand-in: repair failed/);
    });

    it("a failed item in a 200 answer also fails the step", async () => {
        standins.get(m(1))!.reportFailedItem("/repair");
        const r = await runScript(scriptFor(m(1)));
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /reported failed items/);
        assert.match(r.stderr, /"success":false/);
    });

    it("a failing shard stops the remaining shards of that origin", async () => {
        standins.get(m(1))!.failWith500("/repair/shard/0002");
        const r = await runScript(scriptFor(m(1), { shards: ["0001", "0002", "0003"] }));
        assert.notEqual(r.code, 0);
        assert.deepEqual(
            log.map((c) => c.path),
            ["/repair/shard/0001", "/repair/shard/0002"],
        );
    });

    it("an answer slower than the timeout fails without retrying", async () => {
        standins.get(m(1))!.delay("/repair", 5_000);
        const r = await runScript(scriptFor(m(1), { timeoutSeconds: 1 }));
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /curl exit 28/);
        assert.equal(log.length, 1);
    });

    it("retries a refused connection only for the bounded window, then fails", async () => {
        const port = await freePort();
        const r = await runScript(repairScript({ host: "127.0.0.1", port, timeoutSeconds: 5, connectRetrySeconds: 2 }));
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /refused the connection; retrying/);
        assert.match(r.stderr, /failed \(curl exit 7/);
        assert.ok(r.seconds >= 2 && r.seconds < 15, `took ${r.seconds}s`);
    });

    it("succeeds once an origin that was still restarting starts listening", async () => {
        const port = await freePort();
        const running = runScript(repairScript({ host: "127.0.0.1", port, timeoutSeconds: 5, connectRetrySeconds: 20 }));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const late = await startRepairStandin("late", log, port);
        try {
            const r = await running;
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, /refused the connection; retrying/);
            assert.deepEqual(log, [{ origin: "late", method: "POST", path: "/repair" }]);
        } finally {
            await late.close();
        }
    });
});
