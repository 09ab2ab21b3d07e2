// Against a real OpenSearch cluster with zone awareness (zones.awareness: true, as in Pulumi.prod.yaml) and two
// spot nodes, through the program's drain string: while a backup node drains (the spot zone excluded first), a spot
// node dies. Awareness lets its lost replicas go only to the other spot node, which this drain excluded: the drain
// explains that, takes its exclusions back so the cluster heals, and fails early, long before its timeout.

import assert from "node:assert/strict";
import { EXIT_CODES } from "../../ops/search/failures";
import { EXCLUDE_NAME, effectiveExclusion, excludeAttributeKey } from "../../ops/search/settings";
import { TestCluster } from "./cluster";
import { bulkIndex, copiesOn, createIndex, idRange } from "./data";
import { programCommands, runStep } from "./program-commands";

const DRAIN_TIMEOUT_SECONDS = 600;

describe("drain on a real OpenSearch cluster with zone awareness: healing first", function () {
    this.timeout(600_000);
    let cluster: TestCluster;

    before(async function () {
        this.timeout(420_000);
        cluster = await TestCluster.start({ spotNodes: 2, awareness: true });
    });

    after(async function () {
        this.timeout(60_000);
        await cluster?.close();
    });

    it("a replica that only the drain's spot exclusion keeps out fails the drain early, with the explanation and its exclusions back", async () => {
        const client = cluster.client();
        await client.putSettings({ persistent: { "cluster.routing.rebalance.enable": "none" } });
        // A slow copy on the node being drained (the drain's own 100kb throttle), and a replicated index with its spot
        // copies on spot-b (awareness keeps one copy per zone).
        await createIndex(client, "slow", { number_of_shards: 1, number_of_replicas: 0, "index.routing.allocation.require._name": "backup-a-g0" });
        await bulkIndex(cluster.endpoint, "slow", idRange("big", 12_000), 300);
        await createIndex(client, "events", { number_of_shards: 2, number_of_replicas: 1, "index.routing.allocation.include._name": "backup-b-g0,spot-b-g0" });
        await bulkIndex(cluster.endpoint, "events", idRange("e", 200));
        const h = await client.health({ waitForStatus: "green", timeoutSeconds: 120 });
        assert.equal(h.status, "green");
        await client.json("PUT", "/slow,events/_settings", { "index.routing.allocation.require._name": null, "index.routing.allocation.include._name": null });
        assert.equal((await copiesOn(client, "spot-b-g0", "events")).length, 2);

        const program = await programCommands({ awareness: true, timeouts: { drainSeconds: DRAIN_TIMEOUT_SECONDS }, drain: { maxBytesPerSec: "100kb" } });
        const command = program.nodes["backup-a"]!.drain!;
        assert.match(command.delete!, /--spot-zone spot/, "a backup node's drain excludes the spot zone first");
        let killed: Promise<void> | undefined;
        let killedAt = 0;
        const r = await runStep(command, "delete", cluster.endpoint, {
            timeoutMs: (DRAIN_TIMEOUT_SECONDS + 60) * 1000,
            onStderrLine: (line) => {
                if (!killed && /[1-9]\d* relocating away/.test(line)) {
                    killedAt = Date.now();
                    killed = cluster.killNode("spot-b-g0");
                }
            },
        });
        await killed;
        assert.ok(killed, `the drain never reported progress: ${r.stderr}`);
        const afterKill = (Date.now() - killedAt) / 1000;
        assert.equal(r.code, EXIT_CODES.lost, r.stderr);
        assert.match(r.stderr, /healing first: \d+ unassigned shard copies elsewhere in the cluster can only be placed on nodes this drain excluded/);
        assert.match(r.stderr, /events\/\d replica .*spot-a-g0: only the exclusion of this drain/);
        assert.ok(
            r.seconds < DRAIN_TIMEOUT_SECONDS / 3,
            `failed early (${r.seconds.toFixed(0)}s, ${afterKill.toFixed(0)}s after the kill), not at the ${DRAIN_TIMEOUT_SECONDS}s timeout`,
        );
        const s = await client.settings();
        assert.deepEqual(effectiveExclusion(s, EXCLUDE_NAME), [], "the node exclusion is taken back");
        assert.deepEqual(effectiveExclusion(s, excludeAttributeKey("zone")), [], "the spot exclusion is taken back");
        // And the cluster heals: the lost replicas go to spot-a.
        const healed = await client.health({ waitForStatus: "green", timeoutSeconds: 150 });
        assert.equal(healed.status, "green", "the cluster healed once the exclusions were back");
        process.stderr.write(`healing: drain failed after ${r.seconds.toFixed(1)}s, ${afterKill.toFixed(1)}s after spot-b died\n`);
    });
});
