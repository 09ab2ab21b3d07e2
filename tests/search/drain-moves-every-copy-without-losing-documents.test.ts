// Against a real OpenSearch cluster (tests/search/cluster.ts), through the exact command strings that the
// SearchCluster component registers (taken from the mock-evaluated program): a drain moves every copy off the
// node, loses no document, leaves the cluster green, and undrain leaves no exclusion behind.

import assert from "node:assert/strict";
import { EXCLUDE_NAME, NODE_CONCURRENT_RECOVERIES, RECOVERY_MAX_BYTES, effectiveExclusion, excludeAttributeKey } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { Writer, allIds, bulkIndex, copiesOn, createIndex, idRange, idsChecksum, waitGreen } from "./data";
import { ProgramCommands, programCommands, runStep } from "./program-commands";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("drain on a real OpenSearch cluster: every copy moves, no document is lost", function () {
    this.timeout(180_000);
    let cluster: TestCluster;
    let program: ProgramCommands;

    before(async function () {
        this.timeout(300_000);
        [cluster, program] = await Promise.all([sharedCluster(), programCommands({ timeouts: { drainSeconds: 120, readySeconds: 60 } })]);
    });

    beforeEach(async () => resetCluster(cluster));

    it("drains a spot node while documents are being indexed, then undrain leaves no exclusion", async () => {
        const client = cluster.client();
        const node = "spot-a-g0";
        await createIndex(client, "events", { number_of_shards: 3, number_of_replicas: 1 });
        await bulkIndex(cluster.endpoint, "events", idRange("seed", 3000));
        await waitGreen(client);
        const before = await copiesOn(client, node);
        assert.ok(before.length > 0, "the node must hold copies before the drain");

        const writer = new Writer(cluster.endpoint, "events").start();
        await new Promise((r) => setTimeout(r, 500));
        const drained = await runStep(program.nodes["spot-a"]!.drain!, "delete", cluster.endpoint);
        const onNodeAfter = await copiesOn(client, node);
        await new Promise((r) => setTimeout(r, 300));
        await writer.stop();

        assert.equal(drained.code, 0, drained.stderr);
        assert.match(drained.stderr, /shard copies on node/, "progress on stderr");
        assert.deepEqual(onNodeAfter, [], "no copy left on the drained node when the command returns");
        assert.ok(writer.acked.size > 100, `the writer kept indexing during the drain (${writer.acked.size} docs)`);

        const expected = new Set([...idRange("seed", 3000), ...writer.acked]);
        const found = await allIds(client, "events");
        assert.equal(found.length, expected.size, "document count");
        assert.equal(idsChecksum(found), idsChecksum(expected), "checksum of ids");

        const during = await client.settings();
        assert.deepEqual(effectiveExclusion(during, EXCLUDE_NAME), [node]);
        assert.deepEqual(effectiveExclusion(during, excludeAttributeKey("zone")), ["spot"], "the spot zone was excluded first");
        assert.equal(during.persistent[NODE_CONCURRENT_RECOVERIES], undefined, "recovery concurrency restored");
        assert.equal(during.persistent[RECOVERY_MAX_BYTES], undefined, "recovery bandwidth restored");

        const undrained = await runStep(program.nodes["spot-a"]!.undrain!, "delete", cluster.endpoint);
        assert.equal(undrained.code, 0, undrained.stderr);
        const after = await client.settings();
        assert.equal(after.persistent[EXCLUDE_NAME], undefined);
        assert.equal(after.transient[EXCLUDE_NAME], undefined);
        assert.deepEqual(effectiveExclusion(after, excludeAttributeKey("zone")), [], "the spot zone is restored");
        const ready = await runStep(program.ready, "create", cluster.endpoint);
        assert.equal(ready.code, 0, ready.stderr);
        await waitGreen(client);
    });

    it("moves the primaries of an index without replicas off the node, excluding the spot zone first", async () => {
        const client = cluster.client();
        const node = "backup-a-g0";
        // Keep the balancer from spreading the shards before the drain; moves off an excluded node still happen.
        await client.putSettings({ persistent: { "cluster.routing.rebalance.enable": "none" } });
        await createIndex(client, "single-copy", {
            number_of_shards: 4,
            number_of_replicas: 0,
            "index.routing.allocation.require._name": node,
        });
        const ids = idRange("doc", 2000);
        await bulkIndex(cluster.endpoint, "single-copy", ids);
        await client.json("PUT", "/single-copy/_settings", { "index.routing.allocation.require._name": null });
        const before = await copiesOn(client, node, "single-copy");
        assert.equal(before.filter((c) => c.primary && c.state === "STARTED").length, 4, "all four primaries start on the node");

        const drained = await runStep(program.nodes["backup-a"]!.drain!, "delete", cluster.endpoint);
        assert.equal(drained.code, 0, drained.stderr);
        const shards = (await client.shards()).filter((c) => c.index === "single-copy");
        assert.deepEqual(
            shards.map((c) => [c.state, c.node]),
            Array(4).fill(["STARTED", "backup-b-g0"]),
            "primaries moved to the other backup node, not to the excluded spot zone",
        );
        const found = await allIds(client, "single-copy");
        assert.equal(idsChecksum(found), idsChecksum(ids));

        const undrained = await runStep(program.nodes["backup-a"]!.undrain!, "delete", cluster.endpoint);
        assert.equal(undrained.code, 0, undrained.stderr);
        const after = await client.settings();
        assert.deepEqual(effectiveExclusion(after, EXCLUDE_NAME), []);
        assert.deepEqual(effectiveExclusion(after, excludeAttributeKey("zone")), []);
    });
});
