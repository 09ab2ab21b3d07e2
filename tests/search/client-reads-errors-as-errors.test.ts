// The client and the drain loop against a scripted HTTP server on 127.0.0.1: every failure must surface as a
// failure (never as "empty" or "drained"), 408 long-polls are "not yet", and the right timeout parameter goes out.

import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SearchApiError, SearchClient } from "../../runners/search/client";
import { drain } from "../../runners/search/drain";
import { EXIT_CODES, OpsFailure, exitCodeOf } from "../../ops/search/failures";
import { EXCLUDE_NAME, NODE_CONCURRENT_RECOVERIES } from "../../ops/search/settings";
import * as es7 from "./recorded-es7";
import * as os from "./recorded-opensearch";

interface Seen {
    method: string;
    url: string;
    authorization?: string;
    body: string;
}
type Route = (req: Seen) => { status: number; body: unknown; raw?: string } | "hang" | undefined;

async function fakeCluster(route: Route): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
    const seen: Seen[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            const s: Seen = { method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, body };
            seen.push(s);
            const answer = route(s);
            if (answer === "hang") return;
            const a = answer ?? { status: 404, body: { error: "no route" } };
            res.writeHead(a.status, { "content-type": "application/json" });
            res.end(a.raw ?? JSON.stringify(a.body));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        seen,
        close: () =>
            new Promise((r) => {
                server.closeAllConnections();
                server.close(() => r());
            }),
    };
}

const path = (s: Seen): string => s.url.split("?")[0]!;

describe("search client: failures are failures", () => {
    it("sends cluster_manager_timeout to OpenSearch 2 and master_timeout to Elasticsearch 7", async () => {
        for (const [root, param] of [
            [os.osRoot, "cluster_manager_timeout"],
            [es7.es7Root, "master_timeout"],
        ] as const) {
            const srv = await fakeCluster((s) => (path(s) === "/" ? { status: 200, body: root } : { status: 200, body: os.osHealthRelocating }));
            try {
                await new SearchClient(srv.url).health();
                const health = srv.seen.find((s) => path(s) === "/_cluster/health")!;
                assert.equal(new URL(health.url, srv.url).searchParams.get(param), "30s");
            } finally {
                await srv.close();
            }
        }
    });

    it("reads HTTP 408 from a health long-poll as timed out, not as an error", async () => {
        const srv = await fakeCluster((s) => (path(s) === "/" ? { status: 200, body: os.osRoot } : { status: 408, body: os.osHealth408 }));
        try {
            const h = await new SearchClient(srv.url).health({ waitForNoRelocatingShards: true, timeoutSeconds: 5 });
            assert.equal(h.timedOut, true);
            const q = new URL(srv.seen.at(-1)!.url, srv.url).searchParams;
            assert.deepEqual([q.get("wait_for_no_relocating_shards"), q.get("timeout")], ["true", "5s"]);
        } finally {
            await srv.close();
        }
    });

    it("throws on 500, on 408 outside health, on a non-JSON body and on an unexpected shape", async () => {
        const answers: Record<string, { status: number; body: unknown; raw?: string }> = {
            "/_cat/shards": { status: 500, body: { error: "boom" } },
            "/_cluster/state/nodes": { status: 408, body: {} },
            "/_cluster/settings": { status: 200, body: null, raw: "<html>proxy error</html>" },
        };
        const srv = await fakeCluster((s) => (path(s) === "/" ? { status: 200, body: os.osRoot } : answers[path(s)]));
        const c = new SearchClient(srv.url);
        try {
            await assert.rejects(c.shards(), (e: unknown) => e instanceof SearchApiError && e.status === 500 && exitCodeOf(e) === EXIT_CODES.api);
            await assert.rejects(c.nodes(), (e: unknown) => e instanceof SearchApiError && e.status === 408);
            await assert.rejects(c.settings(), /not JSON/);
            answers["/_cat/shards"] = { status: 200, body: { shards: [] } };
            await assert.rejects(c.shards(), /unreadable answer/);
        } finally {
            await srv.close();
        }
    });

    it("throws on a refused connection and on a request that never answers", async () => {
        const srv = await fakeCluster(() => "hang");
        const port = new URL(srv.url).port;
        try {
            await assert.rejects(new SearchClient(srv.url, { requestTimeoutMs: 300 }).info(), /request timed out/);
        } finally {
            await srv.close();
        }
        await assert.rejects(new SearchClient(`http://127.0.0.1:${port}`).info(), (e: unknown) => e instanceof SearchApiError && e.status === undefined);
    });

    it("turns credentials in the endpoint into a Basic header and keeps them out of the URL", async () => {
        const srv = await fakeCluster(() => ({ status: 200, body: os.osRoot }));
        try {
            const withCreds = srv.url.replace("http://", "http://ops:s%40cret@");
            await new SearchClient(withCreds).info();
            assert.equal(srv.seen[0]!.authorization, `Basic ${Buffer.from("ops:s@cret").toString("base64")}`);
            assert.doesNotMatch(srv.seen[0]!.url, /cret/);
        } finally {
            await srv.close();
        }
        assert.throws(
            () => new SearchClient("not a url"),
            (e: unknown) => e instanceof OpsFailure && e.kind === "usage",
        );
    });
});

describe("drain loop: a failed call mid-drain fails closed and cleans up", () => {
    it("exits with an API failure, restores the recovery throttles and takes back only its own exclusion", async () => {
        let shardsCalls = 0;
        const persistent: Record<string, string> = { [EXCLUDE_NAME]: "operator-g1" };
        const puts: unknown[] = [];
        const copies = [{ index: "i", shard: "0", prirep: "p", state: "STARTED", node: "backup-a-g0" }];
        const srv = await fakeCluster((s) => {
            switch (path(s)) {
                case "/":
                    return { status: 200, body: os.osRoot };
                case "/_cluster/health":
                    return { status: 200, body: os.osHealthRelocating };
                case "/_cluster/state/nodes":
                    return { status: 200, body: os.osStateNodes };
                case "/_cluster/settings":
                    if (s.method === "PUT") {
                        const update = JSON.parse(s.body) as { persistent?: Record<string, string | null> };
                        puts.push(update);
                        for (const [k, v] of Object.entries(update.persistent ?? {})) {
                            if (v === null) delete persistent[k];
                            else persistent[k] = v;
                        }
                        return { status: 200, body: { acknowledged: true, persistent: {}, transient: {} } };
                    }
                    return { status: 200, body: { persistent, transient: {}, defaults: { [NODE_CONCURRENT_RECOVERIES]: "2" } } };
                case "/_cluster/allocation/explain":
                    return { status: 200, body: os.osExplainThrottled };
                case "/_all/_settings/index.auto_expand_replicas":
                    // Which indexes auto-expand to every node (none here besides the drains' own index).
                    return { status: 200, body: { i: { settings: {} }, ".dataplat-drains": { settings: { "index.auto_expand_replicas": "0-all" } } } };
                case "/.dataplat-drains":
                case "/.dataplat-drains/_create/lock":
                case "/.dataplat-drains/_doc/lock":
                case "/.dataplat-drains/_doc/drain-backup-a-g0":
                    // The drain lock and ownership record (ops/search/ownership.ts): accepted, none found.
                    return s.method === "GET"
                        ? { status: 404, body: { found: false } }
                        : { status: 200, body: { acknowledged: true, _seq_no: 1, _primary_term: 1 } };
                case "/.dataplat-drains/_search":
                    return { status: 200, body: { hits: { hits: [] } } };
                case "/_cat/shards":
                    shardsCalls++;
                    return shardsCalls <= 2 ? { status: 200, body: copies } : { status: 503, body: { error: "cluster manager not discovered" } };
                default:
                    return undefined;
            }
        });
        try {
            await assert.rejects(
                drain(new SearchClient(srv.url), { node: "backup-a-g0", timeoutSeconds: 30 }),
                (e: unknown) => e instanceof SearchApiError && e.status === 503,
            );
            assert.deepEqual(puts[0], { persistent: { [EXCLUDE_NAME]: "operator-g1,backup-a-g0" } });
            assert.ok(
                puts.some((p) => JSON.stringify(p).includes(`"${NODE_CONCURRENT_RECOVERIES}":"4"`)),
                "recovery throttle raised",
            );
            assert.deepEqual(persistent, { [EXCLUDE_NAME]: "operator-g1" }, "throttle restored, our exclusion taken back, the operator's kept");
        } finally {
            await srv.close();
        }
    });
});
