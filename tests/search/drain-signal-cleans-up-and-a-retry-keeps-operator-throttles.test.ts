// Against a real OpenSearch cluster, through the program's drain string: SIGTERM in the middle of a slow drain
// (its own bandwidth throttle) stops it like a timeout: it restores the throttles and takes back the exclusions it
// added, leaves the operator's, prints what it restored and what it left, and exits non-zero. A drain that crashed
// (SIGKILL, no cleanup at all) is recognised by the retried drain from its record: the retry takes the stale lock
// over, and at its end puts back the OPERATOR's throttle values, not the ones the crashed drain had raised.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { SEARCH_ENDPOINT_ENV, drainCommand } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { EXCLUDE_NAME, NODE_CONCURRENT_RECOVERIES, RECOVERY_MAX_BYTES, type ClusterSettings, excludeAttributeKey } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { repoRoot } from "./cluster";
import { bulkIndex, copiesOn, createIndex, idRange } from "./data";
import { programCommands } from "./program-commands";
import { runCommand } from "./run-command";
import { resetCluster, sharedCluster } from "./shared-cluster";

const NODE = "backup-a-g0";
const ZONE = excludeAttributeKey("zone");

/** Starts a command as Pulumi's command provider does (bash -c, own process group); resolves on "relocating away". */
function start(
    command: string,
    endpoint: string,
): { child: ChildProcess; moving: Promise<void>; done: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
    const child = spawn("bash", ["-c", command], {
        cwd: repoRoot(),
        env: { ...process.env, [SEARCH_ENDPOINT_ENV]: endpoint },
        stdio: ["ignore", "ignore", "pipe"],
        detached: true,
    });
    let stderr = "";
    let resolveMoving: () => void = () => undefined;
    const moving = new Promise<void>((r) => (resolveMoving = r));
    child.stderr!.on("data", (d) => {
        stderr += d;
        if (/relocating away/.test(stderr) && /[1-9]\d* relocating away/.test(stderr)) resolveMoving();
    });
    const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
        child.on("close", (code, signal) => resolve({ code, signal, stderr })),
    );
    return { child, moving, done };
}

async function placeOn(client: ReturnType<TestCluster["client"]>, node: string): Promise<void> {
    await client.json("PUT", "/slow/_settings", { "index.routing.allocation.require._name": node });
    const deadline = Date.now() + 180_000;
    while ((await copiesOn(client, node, "slow")).filter((c) => c.state === "STARTED").length < 2 || (await client.health()).relocatingShards > 0) {
        assert.ok(Date.now() < deadline, "the copies did not come back to the node");
        await new Promise((r) => setTimeout(r, 1000));
    }
    await client.json("PUT", "/slow/_settings", { "index.routing.allocation.require._name": null });
}

describe("drain on a real OpenSearch cluster: signals and retries", function () {
    this.timeout(300_000);
    let cluster: TestCluster;

    before(async function () {
        this.timeout(300_000);
        cluster = await sharedCluster();
    });

    beforeEach(async () => resetCluster(cluster));

    const operator = {
        persistent: { [EXCLUDE_NAME]: "retired-node-g7", [NODE_CONCURRENT_RECOVERIES]: "1" },
        transient: { [ZONE]: "quarantine", [RECOVERY_MAX_BYTES]: "20kb" },
    };
    function assertOperatorsOnly(s: ClusterSettings, stderr: string): void {
        for (const layer of ["persistent", "transient"] as const) {
            for (const key of [EXCLUDE_NAME, NODE_CONCURRENT_RECOVERIES, RECOVERY_MAX_BYTES, ZONE]) {
                assert.equal(s[layer][key], (operator[layer] as Record<string, string>)[key], `${layer} ${key} is as the operator left it:\n${stderr}`);
            }
        }
    }

    it("SIGTERM mid-drain restores what it added, keeps the operator's settings, says so and exits non-zero; a crashed drain's retry keeps the operator's throttles", async () => {
        const client = cluster.client();
        await client.putSettings({ persistent: { "cluster.routing.rebalance.enable": "none" } });
        await createIndex(client, "slow", { number_of_shards: 2, number_of_replicas: 0, "index.routing.allocation.require._name": NODE });
        await bulkIndex(cluster.endpoint, "slow", idRange("big", 12_000), 300);
        await client.json("PUT", "/slow/_settings", { "index.routing.allocation.require._name": null });
        assert.equal((await copiesOn(client, NODE, "slow")).length, 2);
        await client.putSettings(operator);
        // The drain's own bandwidth (100kb, above the operator's 20kb) keeps the copies moving for a minute.
        const program = await programCommands({ timeouts: { drainSeconds: 240 }, drain: { maxBytesPerSec: "100kb" } });
        const command = program.nodes["backup-a"]!.drain!.delete!;

        // 1. SIGTERM while copies move.
        const first = start(command, cluster.endpoint);
        const early = await Promise.race([first.moving, first.done]);
        assert.equal(early, undefined, `the drain ended before it moved anything: ${JSON.stringify(early)}`);
        process.kill(-first.child.pid!, "SIGTERM");
        const r = await first.done;
        assert.equal(r.signal, null, `the drain handled the signal instead of dying of it:\n${r.stderr}`);
        assert.equal(r.code, EXIT_CODES.timeout, r.stderr);
        assert.match(r.stderr, /SIGTERM: stopping the drain/);
        assert.match(r.stderr, /restored: .*cluster\.routing\.allocation\.node_concurrent_recoveries 4 -> 1/);
        assert.match(r.stderr, /restored: .*transient indices\.recovery\.max_bytes_per_sec 100kb -> 20kb/);
        assert.match(r.stderr, /restored: .*cluster\.routing\.allocation\.exclude\._name=backup-a-g0 removed/);
        assert.match(r.stderr, /left: .*exclude\.zone=spot: not added by this drain|error: interrupted by SIGTERM/);
        assert.match(r.stderr, /error: interrupted by SIGTERM/);
        assertOperatorsOnly(await client.settings(), r.stderr);
        assert.doesNotMatch(r.stderr, /drained in/, "interrupted before the node was empty");

        // Relocations already running finish on their own: put the copies back on the node for the next drain.
        await placeOn(client, NODE);

        // 2. A drain that dies without any cleanup (SIGKILL) leaves its exclusion, its raised throttles, its lock.
        const crashed = start(command, cluster.endpoint);
        const crashedEarly = await Promise.race([crashed.moving, crashed.done]);
        assert.equal(crashedEarly, undefined, `the drain ended before it moved anything: ${JSON.stringify(crashedEarly)}`);
        process.kill(-crashed.child.pid!, "SIGKILL");
        await crashed.done;
        const during = await client.settings();
        assert.equal(during.transient[RECOVERY_MAX_BYTES], "100kb", "the crashed drain's throttle is still in force");

        // 3. The retry (faster bandwidth) finishes, and puts back the operator's values, not the crashed drain's.
        const retry = await runCommand(drainCommand({ node: NODE, timeoutSeconds: 240, spotZone: "spot", maxBytesPerSec: "50mb" }), cluster.endpoint, {
            timeoutMs: 260_000,
        });
        assert.equal(retry.code, 0, retry.stderr);
        assert.match(retry.stderr, /took over the stale drain lock/);
        assert.match(retry.stderr, /found the record of an earlier drain of this node/);
        const after = await client.settings();
        assert.equal(after.persistent[NODE_CONCURRENT_RECOVERIES], "1", retry.stderr);
        assert.equal(after.transient[RECOVERY_MAX_BYTES], "20kb", retry.stderr);
        assert.equal(after.persistent[RECOVERY_MAX_BYTES], undefined, retry.stderr);
        assert.deepEqual(await copiesOn(client, NODE), []);
        assert.equal(after.persistent[EXCLUDE_NAME], `retired-node-g7,${NODE}`, "drained: its node stays excluded until undrain");
    });
});
