// Against a real OpenSearch cluster, through the exact command strings of the mock-evaluated program: an
// operator's exclusions for other nodes, persistent and transient, survive our drain and undrain untouched.

import assert from "node:assert/strict";
import { EXCLUDE_NAME, effectiveExclusion, excludeAttributeKey, parseNameList } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { bulkIndex, copiesOn, createIndex, idRange, waitGreen } from "./data";
import { ProgramCommands, programCommands, runStep } from "./program-commands";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("drain on a real OpenSearch cluster: other exclusions survive", function () {
    this.timeout(180_000);
    let cluster: TestCluster;
    let program: ProgramCommands;

    before(async function () {
        this.timeout(300_000);
        [cluster, program] = await Promise.all([sharedCluster(), programCommands({ timeouts: { drainSeconds: 120 } })]);
    });

    beforeEach(async () => resetCluster(cluster));

    it("adds and removes only its node in both the persistent and the shadowing transient list", async () => {
        const client = cluster.client();
        const node = "spot-a-g0";
        await client.putSettings({
            persistent: { [EXCLUDE_NAME]: "retired-node-g7" },
            transient: { [EXCLUDE_NAME]: "old-node-g2" },
        });
        await createIndex(client, "events", { number_of_shards: 3, number_of_replicas: 1 });
        await bulkIndex(cluster.endpoint, "events", idRange("e", 500));
        await waitGreen(client);
        assert.ok((await copiesOn(client, node)).length > 0);

        const drained = await runStep(program.nodes["spot-a"]!.drain!, "delete", cluster.endpoint);
        assert.equal(drained.code, 0, drained.stderr);
        assert.deepEqual(await copiesOn(client, node), [], "the transient list in force excluded the node");
        const during = await client.settings();
        assert.deepEqual(parseNameList(during.persistent[EXCLUDE_NAME]), ["retired-node-g7", node]);
        assert.deepEqual(parseNameList(during.transient[EXCLUDE_NAME]), ["old-node-g2", node]);

        const undrained = await runStep(program.nodes["spot-a"]!.undrain!, "delete", cluster.endpoint);
        assert.equal(undrained.code, 0, undrained.stderr);
        const after = await client.settings();
        assert.equal(after.persistent[EXCLUDE_NAME], "retired-node-g7");
        assert.equal(after.transient[EXCLUDE_NAME], "old-node-g2");
        assert.deepEqual(effectiveExclusion(after, EXCLUDE_NAME), ["old-node-g2"]);
        assert.deepEqual(effectiveExclusion(after, excludeAttributeKey("zone")), [], "the spot zone the drain excluded is restored");
    });
});
