// Against a real OpenSearch cluster: a drain or undrain of a node the cluster does not know is an error (exit 3), not
// "nothing to drain", unless the caller says --absent-ok, as the program does for the drain and undrain it runs when a
// node's instance is deleted (the node may already be gone). Nothing is changed by the refusal.

import assert from "node:assert/strict";
import { SEARCH_CLI } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { EXCLUDE_NAME, effectiveExclusion } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { programCommands, runStep } from "./program-commands";
import { runCommand } from "./run-command";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("drain and undrain of an unknown node on a real OpenSearch cluster", function () {
    this.timeout(120_000);
    let cluster: TestCluster;

    before(async function () {
        this.timeout(300_000);
        cluster = await sharedCluster();
    });

    beforeEach(async () => resetCluster(cluster));

    it("a misspelt node on a green cluster exits non-zero and changes nothing; with --absent-ok it is nothing to drain", async () => {
        const client = cluster.client();
        assert.equal((await client.health()).status, "green");
        const before = await client.settings();
        const misspelt = await runCommand(`${SEARCH_CLI} drain --node backup-c-g0 --timeout 10 --spot-zone spot`, cluster.endpoint);
        assert.equal(misspelt.code, EXIT_CODES.refused, misspelt.stderr);
        assert.match(misspelt.stderr, /node backup-c-g0 is not in the cluster \(nodes in the cluster: backup-a-g0, backup-b-g0, cm-g0, spot-a-g0\)/);
        assert.match(misspelt.stderr, /--absent-ok/);
        assert.doesNotMatch(misspelt.stderr, /nothing to drain/);
        assert.deepEqual((await client.settings()).persistent, before.persistent, "nothing changed");

        const absentOk = await runCommand(`${SEARCH_CLI} drain --node backup-c-g0 --timeout 10 --spot-zone spot --absent-ok`, cluster.endpoint);
        assert.equal(absentOk.code, 0, absentOk.stderr);
        assert.match(absentOk.stderr, /nothing to drain/);

        const badGrammar = await runCommand(`${SEARCH_CLI} drain --node backup-a --timeout 10`, cluster.endpoint);
        assert.equal(badGrammar.code, EXIT_CODES.usage, badGrammar.stderr);
    });

    it("undrain: an unknown node is an error, an absent node that an exclusion names is not, --absent-ok accepts any", async () => {
        const client = cluster.client();
        await client.putSettings({ persistent: { [EXCLUDE_NAME]: "operator-g1,gone-g3" } });
        const unknown = await runCommand(`${SEARCH_CLI} undrain --node backup-c-g0 --spot-zone spot`, cluster.endpoint);
        assert.equal(unknown.code, EXIT_CODES.refused, unknown.stderr);
        assert.match(unknown.stderr, /backup-c-g0 is not in the cluster and no allocation exclusion names it/);
        assert.deepEqual(effectiveExclusion(await client.settings(), EXCLUDE_NAME), ["operator-g1", "gone-g3"], "nothing changed");
        assert.equal((await runCommand(`${SEARCH_CLI} undrain --node backup-c-g0 --absent-ok`, cluster.endpoint)).code, 0);

        // Known: a drained node that is gone since, still named by the exclusion (what undrain then takes back is the
        // drain's business: only what its record says it added).
        const gone = await runCommand(`${SEARCH_CLI} undrain --node gone-g3`, cluster.endpoint);
        assert.equal(gone.code, 0, gone.stderr);
        assert.doesNotMatch(gone.stderr, /not in the cluster/);
    });

    it("the undrain the program registers succeeds for a node that is already gone", async () => {
        const undrain = (await programCommands({ generations: { "spot-a": 7 } })).nodes["spot-a"]!.undrain!;
        assert.match(undrain.delete!, /^node dist\/cli\/search\.js undrain --node spot-a-g7 .*--absent-ok$/);
        const r = await runStep(undrain, "delete", cluster.endpoint);
        assert.equal(r.code, 0, r.stderr);
    });
});
