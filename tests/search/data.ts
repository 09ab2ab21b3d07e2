// Small data for the integration tests and the benchmark: indexes, bulk loads with acknowledged ids, a writer
// that keeps indexing during a drain, and a checksum of the ids found afterwards.

import { createHash } from "node:crypto";
import type { SearchClient } from "../../runners/search/client";
import { type ShardCopy, copiesOnNode } from "../../ops/search/shards";

export async function createIndex(client: SearchClient, index: string, settings: Record<string, unknown>): Promise<void> {
    await client.json("PUT", `/${index}`, { settings });
}

/** Bulk-indexes `ids` (each with ~`padBytes` of payload), retrying items until every one is acknowledged. */
export async function bulkIndex(endpoint: string, index: string, ids: readonly string[], padBytes = 100): Promise<void> {
    let pending = [...ids];
    for (let attempt = 0; pending.length && attempt < 20; attempt++) {
        const failed: string[] = [];
        for (let i = 0; i < pending.length; i += 2000) {
            const batch = pending.slice(i, i + 2000);
            const acked = await bulk(endpoint, index, batch, padBytes);
            failed.push(...batch.filter((id) => !acked.has(id)));
        }
        pending = failed;
    }
    if (pending.length) throw new Error(`${pending.length} documents were never acknowledged`);
}

async function bulk(endpoint: string, index: string, ids: readonly string[], padBytes: number): Promise<Set<string>> {
    const pad = "x".repeat(padBytes);
    const body = ids.map((id) => `{"index":{"_index":"${index}","_id":"${id}"}}\n{"id":"${id}","pad":"${pad}${id}"}\n`).join("");
    const res = await fetch(`${endpoint}/_bulk`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
        signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) return new Set();
    const answer = (await res.json()) as { items: { index: { _id: string; status: number } }[] };
    return new Set(answer.items.filter((i) => i.index.status >= 200 && i.index.status < 300).map((i) => i.index._id));
}

/** Keeps indexing small batches until stopped; `acked` holds every id the cluster acknowledged. */
export class Writer {
    readonly acked = new Set<string>();
    failedBatches = 0;
    private stopped = false;
    private loop: Promise<void> | undefined;

    constructor(
        private readonly endpoint: string,
        private readonly index: string,
        private readonly batchSize = 50,
    ) {}

    start(): this {
        this.loop = (async () => {
            let seq = 0;
            let retry: string[] = [];
            while (!this.stopped) {
                const ids = [...retry, ...Array.from({ length: this.batchSize }, () => `w-${seq++}`)];
                let acked = new Set<string>();
                try {
                    acked = await bulk(this.endpoint, this.index, ids, 50);
                } catch {
                    this.failedBatches++;
                }
                for (const id of acked) this.acked.add(id);
                retry = ids.filter((id) => !acked.has(id));
                await new Promise((r) => setTimeout(r, 20));
            }
            // Writes that were never acknowledged are retried until they are, so the expected set is exact.
            if (retry.length) {
                await bulkIndex(this.endpoint, this.index, retry, 50);
                for (const id of retry) this.acked.add(id);
            }
        })();
        return this;
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.loop;
    }
}

/** Every id in the index (refreshed first). */
export async function allIds(client: SearchClient, index: string): Promise<string[]> {
    await client.json("POST", `/${index}/_refresh`);
    const res = (await client.json("POST", `/${index}/_search`, {
        size: 10_000,
        _source: false,
        track_total_hits: true,
        sort: ["_doc"],
    })) as { hits: { total: { value: number }; hits: { _id: string }[] } };
    if (res.hits.total.value > 10_000) throw new Error("test index too big for one search page");
    return res.hits.hits.map((h) => h._id).sort();
}

export function idsChecksum(ids: Iterable<string>): string {
    return createHash("sha256")
        .update([...ids].sort().join("\n"))
        .digest("hex");
}

export function idRange(prefix: string, n: number): string[] {
    return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

export async function copiesOn(client: SearchClient, node: string, index?: string): Promise<ShardCopy[]> {
    return copiesOnNode(await client.shards(), node).filter((c) => index === undefined || c.index === index);
}

export async function waitGreen(client: SearchClient, seconds = 60): Promise<void> {
    const h = await client.health({ waitForStatus: "green", waitForNoRelocatingShards: true, timeoutSeconds: seconds });
    if (h.timedOut || h.status !== "green") throw new Error(`cluster not green with no relocations after ${seconds}s: ${h.status}`);
}
