// Against a real OpenSearch cluster, through the exact command string: "Fixing Cluster" as one command.
// Allocation is limited while the node restarts, put back as it was, and the cluster ends green.

import assert from "node:assert/strict";
import { bounceCommand } from "../../ops/search/commands";
import { EXIT_CODES } from "../../ops/search/failures";
import { ALLOCATION_ENABLE, findNode } from "../../ops/search/model";
import type { TestCluster } from "./cluster";
import { bulkIndex, createIndex, idRange, waitGreen } from "./data";
import { runCommand } from "./run-command";
import { resetCluster, sharedCluster } from "./shared-cluster";

describe("bounce on a real OpenSearch cluster", function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async function () {
    this.timeout(300_000);
    cluster = await sharedCluster();
  });

  beforeEach(async () => resetCluster(cluster));

  it("restarts the node with allocation at primaries, restores the previous allocation, ends green", async () => {
    const client = cluster.client();
    const node = "spot-a-g0";
    await client.putSettings({ persistent: { [ALLOCATION_ENABLE]: "all" } });
    await createIndex(client, "events", { number_of_shards: 3, number_of_replicas: 1 });
    await bulkIndex(cluster.endpoint, "events", idRange("e", 1000));
    await waitGreen(client);
    const before = findNode(await client.nodes(), node)!;

    const seen: string[] = [];
    const poll = setInterval(() => {
      client.settings().then(
        (s) => seen.push(String(s.persistent[ALLOCATION_ENABLE])),
        () => undefined,
      );
    }, 250);
    const restart = `bash ${JSON.stringify(cluster.node(node).scripts.restart)}`;
    const r = await runCommand(bounceCommand({ node, restart, timeoutSeconds: 150 }), cluster.endpoint).finally(() => clearInterval(poll));

    assert.equal(r.code, 0, r.stderr);
    assert.ok(seen.includes("primaries"), `allocation was limited during the restart (saw ${[...new Set(seen)].join(",")})`);
    const after = await client.settings();
    assert.equal(after.persistent[ALLOCATION_ENABLE], "all", "previous persistent value restored");
    const restarted = findNode(await client.nodes(), node);
    assert.ok(restarted && restarted.ephemeralId !== before.ephemeralId, "a new process of the node joined");
    assert.equal((await client.health()).status, "green");
  });

  it("restores allocation when the restart command fails, and exits non-zero", async () => {
    const client = cluster.client();
    const r = await runCommand(bounceCommand({ node: "spot-a-g0", restart: "exit 3", timeoutSeconds: 30, allocation: "none" }), cluster.endpoint);
    assert.equal(r.code, EXIT_CODES.restart, r.stderr);
    const after = await client.settings();
    assert.equal(after.persistent[ALLOCATION_ENABLE], undefined, "the setting was absent before and is absent again");
  });
});
