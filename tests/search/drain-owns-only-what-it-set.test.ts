// Against a real OpenSearch cluster, through the program's drain / undrain strings: a drain owns only what it
// set. An operator's spot-zone exclusion (persistent or transient) made before the update survives the drain and
// the undrain of a spot node, and the drain that loses a race of two concurrent drains does not take away the spot
// exclusion the winner added and relies on.

import assert from "node:assert/strict";
import { EXIT_CODES } from "../../ops/search/failures";
import { EXCLUDE_NAME, effectiveExclusion, excludeAttributeKey } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { bulkIndex, copiesOn, createIndex, idRange, waitGreen } from "./data";
import { ProgramCommands, programCommands, runStep } from "./program-commands";
import { resetCluster, sharedCluster } from "./shared-cluster";

const ZONE = excludeAttributeKey("zone");

describe("drain on a real OpenSearch cluster: owns only what it set", function () {
    this.timeout(240_000);
    let cluster: TestCluster;
    let program: ProgramCommands;

    before(async function () {
        this.timeout(300_000);
        [cluster, program] = await Promise.all([sharedCluster(), programCommands({ timeouts: { drainSeconds: 120 } })]);
    });

    beforeEach(async () => resetCluster(cluster));

    for (const layer of ["persistent", "transient"] as const) {
        it(`an operator's ${layer} spot-zone exclusion survives the drain and the undrain of a spot node`, async () => {
            const client = cluster.client();
            await createIndex(client, "events", { number_of_shards: 3, number_of_replicas: 1 });
            await bulkIndex(cluster.endpoint, "events", idRange("e", 300));
            await waitGreen(client);
            await client.putSettings({ [layer]: { [ZONE]: "spot" } });

            const drained = await runStep(program.nodes["spot-a"]!.drain!, "delete", cluster.endpoint);
            assert.equal(drained.code, 0, drained.stderr);
            assert.deepEqual(await copiesOn(client, "spot-a-g0"), []);
            const undrained = await runStep(program.nodes["spot-a"]!.undrain!, "delete", cluster.endpoint);
            assert.equal(undrained.code, 0, undrained.stderr);

            const after = await client.settings();
            assert.equal(after[layer][ZONE], "spot", `the operator's ${layer} exclusion is untouched: ${undrained.stderr}`);
            assert.equal(after[layer === "persistent" ? "transient" : "persistent"][ZONE], undefined, "nothing written to the other layer");
            assert.deepEqual(effectiveExclusion(after, EXCLUDE_NAME), [], "the drain's own node exclusion is gone");
            assert.match(drained.stderr, /zone=spot already in force \(not this drain's/);
        });
    }

    it("the losing drain of a concurrent pair leaves the winner's spot exclusion and node exclusion in place", async () => {
        const client = cluster.client();
        // No replica: either backup node alone can hold everything, but not both drains (the spot zone is excluded).
        await createIndex(client, "events", { number_of_shards: 4, number_of_replicas: 0 });
        await bulkIndex(cluster.endpoint, "events", idRange("e", 400));
        await waitGreen(client);
        assert.ok((await copiesOn(client, "backup-a-g0", "events")).length > 0 && (await copiesOn(client, "backup-b-g0", "events")).length > 0);

        const [a, b] = await Promise.all([
            runStep(program.nodes["backup-a"]!.drain!, "delete", cluster.endpoint),
            runStep(program.nodes["backup-b"]!.drain!, "delete", cluster.endpoint),
        ]);
        const results = { "backup-a-g0": a, "backup-b-g0": b };
        const winners = Object.entries(results).filter(([, r]) => r.code === 0);
        assert.equal(winners.length, 1, `exactly one drain can win:\n--- a ${a.code}\n${a.stderr}\n--- b ${b.code}\n${b.stderr}`);
        const [winner] = winners[0]!;
        const [loser, lost] = Object.entries(results).find(([n]) => n !== winner)!;
        assert.equal(lost.code, EXIT_CODES.refused, lost.stderr);
        assert.match(lost.stderr, /cannot move anywhere/);

        await new Promise((r) => setTimeout(r, 3000));
        const s = await client.settings();
        assert.deepEqual(effectiveExclusion(s, ZONE), ["spot"], "the winner's spot exclusion stays");
        assert.deepEqual(effectiveExclusion(s, EXCLUDE_NAME), [winner], `only the winner is excluded, not ${loser}`);
        assert.deepEqual(await copiesOn(client, winner), [], "the winner's node holds nothing");

        // And the winner's undrain gives back what the winner added: the spot exclusion and its node.
        const undrained = await runStep(program.nodes[winner.replace(/-g0$/, "")]!.undrain!, "delete", cluster.endpoint);
        assert.equal(undrained.code, 0, undrained.stderr);
        const after = await client.settings();
        assert.deepEqual([effectiveExclusion(after, ZONE), effectiveExclusion(after, EXCLUDE_NAME)], [[], []]);
    });
});
