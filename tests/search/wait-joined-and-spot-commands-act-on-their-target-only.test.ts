// Against a real OpenSearch cluster, through the exact command strings: wait-joined, exclude-spot /
// restore-spot, and a drain of a node that is not in the cluster.

import assert from "node:assert/strict";
import { drainCommand, excludeSpotCommand, restoreSpotCommand, waitJoinedCommand } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { excludeAttributeKey, parseNameList } from "../../ops/search/model";
import type { TestCluster } from "./cluster";
import { createIndex } from "./data";
import { runCommand } from "./run-command";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("wait-joined, spot zone and absent-node commands on a real OpenSearch cluster", function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async function () {
    this.timeout(300_000);
    cluster = await sharedCluster();
  });

  beforeEach(async () => resetCluster(cluster));

  it("wait-joined succeeds for a node in the cluster and times out (non-zero) for one that never joins", async () => {
    const present = await runCommand(waitJoinedCommand({ node: "spot-a-g0", timeoutSeconds: 10 }), cluster.endpoint);
    assert.equal(present.code, 0, present.stderr);
    const absent = await runCommand(waitJoinedCommand({ node: "spot-a-g1", timeoutSeconds: 2 }), cluster.endpoint);
    assert.equal(absent.code, EXIT_CODES.timeout, absent.stderr);
    assert.ok(absent.seconds >= 2, "waited for the whole timeout");
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

  it("a drain of a node not in the cluster succeeds only while every copy is active elsewhere", async () => {
    const client = cluster.client();
    const green = await runCommand(drainCommand({ node: "spot-a-g7", timeoutSeconds: 10 }), cluster.endpoint);
    assert.equal(green.code, 0, green.stderr);
    assert.match(green.stderr, /nothing to drain/);
    await client.json("PUT", "/half-assigned?wait_for_active_shards=1", {
      settings: { number_of_shards: 1, number_of_replicas: 1, "index.routing.allocation.require._name": "backup-b-g0" },
    });
    await createIndex(client, "other", { number_of_shards: 1, number_of_replicas: 0 });
    const yellow = await runCommand(drainCommand({ node: "spot-a-g7", timeoutSeconds: 10 }), cluster.endpoint);
    assert.equal(yellow.code, EXIT_CODES.refused, yellow.stderr);
    assert.match(yellow.stderr, /may hold the only copy/);
  });
});
