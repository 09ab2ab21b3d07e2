// Against a real OpenSearch cluster: the program's wait-joined (a drain Command's create), its wait until the cluster
// answers (the ready Command), its drain of a node that is not in the cluster (a replaced node that is already
// gone), and the CLI's exclude-spot / restore-spot (not registered by the component; kept as CLI checks).

import assert from "node:assert/strict";
import { excludeSpotCommand, restoreSpotCommand } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { excludeAttributeKey, parseNameList } from "../../ops/search/settings";
import type { TestCluster } from "./cluster";
import { createIndex } from "./data";
import { programCommands, runStep } from "./program-commands";
import { runCommand } from "./run-command";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("wait-joined, ready, spot zone and absent-node commands on a real OpenSearch cluster", function () {
    this.timeout(120_000);
    let cluster: TestCluster;

    before(async function () {
        this.timeout(300_000);
        cluster = await sharedCluster();
    });

    beforeEach(async () => resetCluster(cluster));

    it("a drain Command's create waits until its node joined: done for a node in the cluster, a timeout for one that never joins", async () => {
        const present = await runStep((await programCommands({ timeouts: { joinSeconds: 10 } })).nodes["spot-a"]!.drain!, "create", cluster.endpoint);
        assert.equal(present.code, 0, present.stderr);
        const next = (await programCommands({ timeouts: { joinSeconds: 2 }, generations: { "spot-a": 1 } })).nodes["spot-a"]!.drain!;
        assert.equal(next.create, "node dist/cli/search.js wait-joined --node spot-a-g1 --timeout 2");
        const absent = await runStep(next, "create", cluster.endpoint);
        assert.equal(absent.code, EXIT_CODES.timeout, absent.stderr);
        assert.ok(absent.seconds >= 2, "waited for the whole timeout");
    });

    it("the ready Command returns once the cluster answers, and retries an endpoint that does not answer until its timeout", async () => {
        const ready = (await programCommands({ timeouts: { readySeconds: 8 } })).ready;
        const up = await runStep(ready, "create", cluster.endpoint);
        assert.equal(up.code, 0, up.stderr);
        const down = await runStep(ready, "create", "http://admin:s3cret-pw@127.0.0.1:9");
        assert.equal(down.code, EXIT_CODES.timeout, down.stderr);
        assert.ok((down.stderr.match(/ error: /g) ?? []).length >= 2, `it tried again after the first refusal: ${down.stderr}`);
        assert.match(down.stderr, /search cluster not yellow through \$SEARCH_ENDPOINT within 8s/);
        assert.doesNotMatch(down.stderr, /s3cret-pw/, "the endpoint's credentials are never printed");
    });

    it("exclude-spot and restore-spot add and remove only the spot zone", async () => {
        const client = cluster.client();
        const key = excludeAttributeKey("zone");
        await client.putSettings({ persistent: { [key]: "quarantine" } });
        assert.equal((await runCommand(excludeSpotCommand({ spotZone: "spot" }), cluster.endpoint)).code, 0);
        assert.deepEqual(parseNameList((await client.settings()).persistent[key]), ["quarantine", "spot"]);
        assert.equal((await runCommand(restoreSpotCommand({ spotZone: "spot" }), cluster.endpoint)).code, 0);
        assert.deepEqual(parseNameList((await client.settings()).persistent[key]), ["quarantine"]);
    });

    it("the drain of a node not in the cluster succeeds only while every copy is active elsewhere", async () => {
        const client = cluster.client();
        const drain = (await programCommands({ timeouts: { drainSeconds: 10 }, generations: { "spot-a": 7 } })).nodes["spot-a"]!.drain!;
        assert.match(drain.delete!, /^node dist\/cli\/search\.js drain --node spot-a-g7 /);
        const green = await runStep(drain, "delete", cluster.endpoint);
        assert.equal(green.code, 0, green.stderr);
        assert.match(green.stderr, /nothing to drain/);
        await client.json("PUT", "/half-assigned?wait_for_active_shards=1", {
            settings: { number_of_shards: 1, number_of_replicas: 1, "index.routing.allocation.require._name": "backup-b-g0" },
        });
        await createIndex(client, "other", { number_of_shards: 1, number_of_replicas: 0 });
        const yellow = await runStep(drain, "delete", cluster.endpoint);
        assert.equal(yellow.code, EXIT_CODES.refused, yellow.stderr);
        assert.match(yellow.stderr, /may hold the only copy/);
    });
});
