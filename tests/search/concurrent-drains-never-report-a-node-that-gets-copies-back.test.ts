// Against a real OpenSearch cluster, through the program's drain strings: two drains of different nodes started at
// the same moment, many times over. Neither may exit 0 while its node can get copies back: seconds after both
// returned, each node that was reported drained is still excluded and holds no copy. (Before the drain lock, each
// drain wrote the whole exclusion list from a stale read, and the later write dropped the other drain's node.)

import assert from "node:assert/strict";
import { EXCLUDE_NAME, effectiveExclusion } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { bulkIndex, copiesOn, createIndex, idRange, waitGreen } from "./data";
import { ProgramCommands, programCommands, runStep } from "./program-commands";
import { resetCluster, sharedCluster } from "./shared-cluster";

const ITERATIONS = Number(process.env.SEARCH_RACE_ITERATIONS ?? 10);
const SETTLE_MS = 4000;

describe("concurrent drains on a real OpenSearch cluster: no lost update", function () {
    this.timeout(600_000);
    let cluster: TestCluster;
    let program: ProgramCommands;

    before(async function () {
        this.timeout(300_000);
        [cluster, program] = await Promise.all([sharedCluster(), programCommands({ timeouts: { drainSeconds: 120 } })]);
    });

    beforeEach(async () => resetCluster(cluster));

    it(`${ITERATIONS} times: two drains of different nodes started together both finish, and neither node gets a copy back`, async () => {
        const client = cluster.client();
        // No replica: backup-b alone can hold every copy, so both drains (backup-a, spot-a) can succeed.
        await createIndex(client, "events", { number_of_shards: 6, number_of_replicas: 0 });
        await bulkIndex(cluster.endpoint, "events", idRange("e", 600));
        await waitGreen(client);
        const nodes = ["backup-a", "spot-a"] as const;
        const timings: string[] = [];
        for (let i = 0; i < ITERATIONS; i++) {
            const started = Date.now();
            // Every iteration starts with copies on both nodes.
            for (;;) {
                await waitGreen(client, 60);
                const held = await Promise.all(nodes.map((n) => copiesOn(client, `${n}-g0`, "events")));
                if (held.every((h) => h.length > 0)) break;
                assert.ok(Date.now() - started < 60_000, `iteration ${i}: copies did not come back to ${nodes.join(" and ")} after the undrains`);
                await new Promise((r) => setTimeout(r, 500));
            }
            const results = await Promise.all(nodes.map((n) => runStep(program.nodes[n]!.drain!, "delete", cluster.endpoint)));
            const text = results.map((r, j) => `--- ${nodes[j]} exit ${r.code} in ${r.seconds.toFixed(1)}s\n${r.stderr}`).join("\n");
            await new Promise((r) => setTimeout(r, SETTLE_MS));
            const s = await client.settings();
            for (const [j, n] of nodes.entries()) {
                assert.equal(results[j]!.code, 0, `iteration ${i}: both drains can finish (one after the other):\n${text}`);
                assert.ok(effectiveExclusion(s, EXCLUDE_NAME).includes(`${n}-g0`), `iteration ${i}: ${n} reported drained but is no longer excluded:\n${text}`);
                assert.deepEqual(await copiesOn(client, `${n}-g0`), [], `iteration ${i}: ${n} reported drained but got copies back:\n${text}`);
            }
            for (const n of nodes) {
                const u = await runStep(program.nodes[n]!.undrain!, "delete", cluster.endpoint);
                assert.equal(u.code, 0, u.stderr);
            }
            assert.deepEqual(effectiveExclusion(await client.settings(), EXCLUDE_NAME), [], "the undrains took both nodes back");
            timings.push(`${((Date.now() - started) / 1000).toFixed(1)}s (drains ${results.map((r) => r.seconds.toFixed(1)).join("/")}s)`);
        }
        process.stderr.write(`race iterations: ${timings.join(", ")}\n`);
    });
});
