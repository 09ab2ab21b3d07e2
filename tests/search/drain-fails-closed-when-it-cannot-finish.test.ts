// Against a real OpenSearch cluster, through the exact drain strings of the mock-evaluated program: a drain that
// cannot finish refuses up front or times out with a non-zero exit, a red cluster is refused, a node killed
// mid-drain fails the command, and in every case the cluster is left as the drain found it (no exclusion of ours,
// throttles back). That is what lets a failed `pulumi up` leave the old node in place, undrained.

import type { SearchClient } from "../../runners/search/client";
import assert from "node:assert/strict";
import { drainCommand } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { EXCLUDE_NAME, RECOVERY_MAX_BYTES, effectiveExclusion, excludeAttributeKey } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { bulkIndex, copiesOn, createIndex, idRange, waitGreen } from "./data";
import { programCommands, runStep } from "./program-commands";
import { runCommand } from "./run-command";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("drain on a real OpenSearch cluster: fails closed", function () {
    this.timeout(180_000);
    let cluster: TestCluster;

    before(async function () {
        this.timeout(300_000);
        cluster = await sharedCluster();
    });

    beforeEach(async () => resetCluster(cluster));

    async function assertNoExclusionOfOurs(): Promise<void> {
        const s = await cluster.client().settings();
        assert.deepEqual(effectiveExclusion(s, EXCLUDE_NAME), []);
        assert.deepEqual(effectiveExclusion(s, excludeAttributeKey("zone")), []);
    }

    it("refuses to start when the cluster is red", async () => {
        const client = cluster.client();
        await client.json("PUT", "/nowhere?wait_for_active_shards=0", {
            settings: { number_of_shards: 1, number_of_replicas: 0, "index.routing.allocation.require._name": "no-such-node" },
        });
        assert.equal((await client.health()).status, "red");
        const r = await runStep((await programCommands()).nodes["backup-a"]!.drain!, "delete", cluster.endpoint);
        assert.equal(r.code, EXIT_CODES.refused, r.stderr);
        assert.match(r.stderr, /cluster is red/);
        await assertNoExclusionOfOurs();
    });

    it("refuses up front, moving nothing, when total_shards_per_node leaves a shard nowhere to go", async () => {
        const client = cluster.client();
        await createIndex(client, "pinned", { number_of_shards: 3, number_of_replicas: 0, "index.routing.allocation.total_shards_per_node": 1 });
        await waitGreen(client);
        const before = await copiesOn(client, "backup-a-g0");
        assert.equal(before.length, 1);
        const r = await runStep((await programCommands()).nodes["backup-a"]!.drain!, "delete", cluster.endpoint);
        assert.equal(r.code, EXIT_CODES.refused, r.stderr);
        assert.match(r.stderr, /cannot move anywhere/);
        assert.match(r.stderr, /shards_limit/);
        assert.doesNotMatch(r.stderr, /excluding node/, "refused before any exclusion");
        assert.deepEqual(await copiesOn(client, "backup-a-g0"), before, "the node still holds its shard");
        await assertNoExclusionOfOurs();
    });

    it("refuses a drain whose replica could only go to the spot zone it is about to exclude", async () => {
        const client = cluster.client();
        await client.putSettings({ persistent: { "cluster.routing.rebalance.enable": "none" } });
        await createIndex(client, "two-copies", {
            number_of_shards: 1,
            number_of_replicas: 1,
            "index.routing.allocation.include._name": "backup-a-g0,backup-b-g0",
        });
        await waitGreen(client);
        await client.json("PUT", "/two-copies/_settings", { "index.routing.allocation.include._name": null });
        const before = await copiesOn(client, "backup-a-g0");
        assert.equal(before.length, 1);

        const r = await runStep((await programCommands()).nodes["backup-a"]!.drain!, "delete", cluster.endpoint);
        assert.equal(r.code, EXIT_CODES.refused, r.stderr);
        assert.match(r.stderr, /same_shard/);
        assert.match(r.stderr, /spot-a-g0: excluded by this drain/);
        assert.deepEqual(await copiesOn(client, "backup-a-g0"), before);
        await assertNoExclusionOfOurs();

        // Contrast (the CLI without --spot-zone, which the component never registers for a backup node): the copy
        // could move to the spot node, so it is the spot exclusion that made the drain refuse.
        const withoutSpot = await runCommand(drainCommand({ node: "backup-a-g0", timeoutSeconds: 60 }), cluster.endpoint);
        assert.equal(withoutSpot.code, 0, `without the spot exclusion the copy can move to the spot node: ${withoutSpot.stderr}`);
    });

    it("times out (non-zero) while a copy elsewhere stays unassigned, and takes its exclusion back", async () => {
        const client = cluster.client();
        await createIndex(client, "movable", { number_of_shards: 2, number_of_replicas: 0 });
        await client.json("PUT", "/half-assigned?wait_for_active_shards=1", {
            settings: { number_of_shards: 1, number_of_replicas: 1, "index.routing.allocation.require._name": "backup-b-g0" },
        });
        assert.equal((await client.health()).status, "yellow");
        const r = await runStep((await programCommands({ timeouts: { drainSeconds: 4 } })).nodes["spot-a"]!.drain!, "delete", cluster.endpoint);
        assert.equal(r.code, EXIT_CODES.timeout, r.stderr);
        assert.match(r.stderr, /1 unassigned in cluster/);
        await assertNoExclusionOfOurs();
    });

    /** Drains backup-a slowly (100kb/s), kills it once the drain reports progress, and checks it failed closed. */
    async function killMidDrain(client: SearchClient, node: string): Promise<string> {
        await createIndex(client, "slow", { number_of_shards: 2, number_of_replicas: 0, "index.routing.allocation.require._name": node });
        await bulkIndex(cluster.endpoint, "slow", idRange("big", 12_000), 300);
        await client.json("PUT", "/slow/_settings", { "index.routing.allocation.require._name": null });
        assert.equal((await copiesOn(client, node, "slow")).length, 2);

        let killed: Promise<void> | undefined;
        const program = await programCommands({ timeouts: { drainSeconds: 120 }, drain: { maxBytesPerSec: "100kb" } });
        const r = await runStep(program.nodes["backup-a"]!.drain!, "delete", cluster.endpoint, {
            onStderrLine: (line) => {
                if (!killed && /relocating away/.test(line)) killed = cluster.killNode(node);
            },
        });
        await killed;
        assert.ok(killed, `the drain never reported progress: ${r.stderr}`);
        assert.equal(r.code, EXIT_CODES.lost, r.stderr);
        assert.match(r.stderr, /left the cluster during the drain/);
        const s = await client.settings();
        assert.equal(s.persistent[RECOVERY_MAX_BYTES], "100kb", "the operator's recovery bandwidth is as before");
        await assertNoExclusionOfOurs();
        return r.stderr;
    }

    it("fails closed when the node is killed during the drain", async () => {
        const client = cluster.client();
        await client.putSettings({ persistent: { [RECOVERY_MAX_BYTES]: "100kb", "cluster.routing.rebalance.enable": "none" } });
        await killMidDrain(client, "backup-a-g0");
    });

    it("fails closed, and still takes back what it added, when the node dies holding the only copy of the drain records", async () => {
        const client = cluster.client();
        const node = "backup-a-g0";
        await client.putSettings({ persistent: { [RECOVERY_MAX_BYTES]: "100kb", "cluster.routing.rebalance.enable": "none" } });
        // The lock and the records live in .dataplat-drains: pin its only copy to the node about to die.
        await client.json("PUT", "/.dataplat-drains", {
            settings: { number_of_shards: 1, number_of_replicas: 0, "index.routing.allocation.require._name": node },
            mappings: { dynamic: false },
        });
        const stderr = await killMidDrain(client, node);
        assert.match(stderr, /records could not be read|was not updated|lock was not released/, "it says what it could not do");
        await client.json("DELETE", "/.dataplat-drains");
    });
});
