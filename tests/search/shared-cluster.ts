// One OpenSearch test cluster for every integration test file of this folder (started on first use, stopped
// by a root-level `after` hook), and the reset that isolates tests from each other.

import type { SearchClient } from "../../runners/search/client";
import { DRAIN_INDEX } from "../../ops/search/ownership";
import { TestCluster } from "./cluster";

let pending: Promise<TestCluster> | undefined;

/** Starts the cluster once; fails (with install instructions) when OpenSearch is not installed. */
export function sharedCluster(): Promise<TestCluster> {
    pending ??= TestCluster.start();
    return pending;
}

if (typeof after === "function") {
    after(async function () {
        this.timeout(60_000);
        const cluster = await pending?.catch(() => undefined);
        await cluster?.close();
    });
}

/** Back to an empty green cluster: every node running, no index, no cluster setting. */
export async function resetCluster(cluster: TestCluster): Promise<void> {
    for (const n of cluster.nodes) if (!cluster.isRunning(n.name)) await cluster.startNode(n.name);
    const client = cluster.client();
    await cluster.waitFor({ nodes: cluster.nodes.length }, 120);
    const indices = (await client.json("GET", "/_cat/indices?format=json&h=index&expand_wildcards=open,closed")) as { index: string }[];
    for (const { index } of indices.filter((i) => !i.index.startsWith("."))) await client.json("DELETE", `/${encodeURIComponent(index)}`);
    // The drains' lock and ownership records (ops/search/ownership.ts): each test starts with no drain on record.
    if (indices.some((i) => i.index === DRAIN_INDEX)) await client.json("DELETE", `/${DRAIN_INDEX}`);
    await clearSettings(client);
    await cluster.waitFor({ nodes: cluster.nodes.length, status: "green" }, 120);
}

export async function clearSettings(client: SearchClient): Promise<void> {
    const clear = { "cluster.routing.*": null, "indices.recovery.*": null };
    await client.putSettings({ persistent: clear, transient: clear });
}
