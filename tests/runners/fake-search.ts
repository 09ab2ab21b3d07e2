/**
 * An in-memory search cluster behind the runners' narrow interfaces (runners/search/api.ts), with a virtual clock:
 * a sleep or a health long-poll advances the clock instead of waiting, so a drain that runs into its timeout
 * finishes in milliseconds. It answers the requests the drain makes (settings, nodes, shards, the `.dataplat-drains`
 * lock and records with optimistic concurrency) the way OpenSearch does, and records every settings write.
 * Copies never move unless a test moves them (`onPoll`): what the tests prove is the cleanup, not the allocator.
 */
import type { ClusterSettings, Health, MoveVerdict, SearchNode, SettingsUpdate, ShardCopy } from "../../ops/search/model";
import { type HealthWait, SearchApiError } from "../../ops/search/requests";
import type { Clock, LockOwner, SearchApi } from "../../runners/search/api";

type Layer = Record<string, string>;

export class FakeClock implements Clock {
    constructor(public t = Date.UTC(2026, 0, 1)) {}
    now(): number {
        return this.t;
    }
    async sleep(ms: number): Promise<void> {
        this.t += Math.max(0, ms);
        await Promise.resolve();
    }
}

export const fakeOwner: LockOwner = { host: "runner-test", pid: 4242, alive: () => true };

export class FakeSearch implements SearchApi {
    readonly persistent: Layer = {};
    readonly transient: Layer = {};
    readonly nodeList: SearchNode[];
    copies: ShardCopy[];
    /** Every settings write, in order. */
    readonly writes: SettingsUpdate[] = [];
    /** Called on every health request (each poll of a wait): lets a test act mid-drain. */
    onPoll: (poll: number) => void = () => undefined;
    /** Throw this from the next putSettings whose body matches (an API failure during cleanup). */
    failPut: ((u: SettingsUpdate) => boolean) | undefined;
    private polls = 0;
    private readonly docs = new Map<string, { source: unknown; seqNo: number; primaryTerm: number }>();
    private indexExists = false;
    private seq = 0;

    constructor(
        readonly clock: FakeClock,
        nodes: string[],
        copies: ShardCopy[],
    ) {
        this.nodeList = nodes.map((name, i) => ({ id: `id-${i}`, name, ephemeralId: `e-${name}`, attributes: {} }));
        this.copies = copies;
    }

    async health(wait: HealthWait = {}): Promise<Health> {
        this.onPoll(++this.polls);
        const unassigned = this.copies.filter((c) => c.state === "UNASSIGNED");
        const status = unassigned.some((c) => c.primary) ? "red" : unassigned.length ? "yellow" : "green";
        const moving = this.copies.filter((c) => c.state === "RELOCATING" || c.state === "INITIALIZING").length;
        const waits = wait.waitForNoRelocatingShards || wait.waitForNoInitializingShards || wait.waitForStatus !== undefined;
        const met =
            !(wait.waitForNoRelocatingShards && moving > 0) &&
            (wait.waitForStatus === undefined || status === "green" || (wait.waitForStatus === "yellow" && status === "yellow"));
        if (waits && !met) await this.clock.sleep((wait.timeoutSeconds ?? 30) * 1000); // the long-poll runs out
        return {
            status,
            timedOut: waits && !met,
            numberOfNodes: this.nodeList.length,
            numberOfDataNodes: this.nodeList.length,
            relocatingShards: this.copies.filter((c) => c.state === "RELOCATING").length,
            initializingShards: this.copies.filter((c) => c.state === "INITIALIZING").length,
            unassignedShards: unassigned.length,
        };
    }

    async nodes(): Promise<SearchNode[]> {
        return this.nodeList.map((n) => ({ ...n }));
    }

    async shards(): Promise<ShardCopy[]> {
        return this.copies.map((c) => ({ ...c }));
    }

    async settings(): Promise<ClusterSettings> {
        return { persistent: { ...this.persistent }, transient: { ...this.transient }, defaults: {} };
    }

    async putSettings(u: SettingsUpdate): Promise<void> {
        if (this.failPut?.(u)) {
            this.failPut = undefined;
            throw new SearchApiError("PUT", "/_cluster/settings", 503, "the fake refuses this write", "http://fake:9200");
        }
        this.writes.push(u);
        for (const layer of ["persistent", "transient"] as const) {
            for (const [k, v] of Object.entries(u[layer] ?? {})) {
                if (v === null) delete this[layer][k];
                else this[layer][k] = v;
            }
        }
    }

    async explainMove(copy: { index: string; shard: number; primary: boolean }): Promise<MoveVerdict> {
        return { ...copy, decision: "yes", reason: "the fake lets every copy move" };
    }

    async flush(): Promise<void> {}

    async json(method: string, path: string, body?: unknown): Promise<unknown> {
        const [p = "", q = ""] = path.split("?");
        const params = new URLSearchParams(q);
        const fail = (status: number, detail: string) => new SearchApiError(method, p, status, detail, "http://fake:9200");
        if (p === "/.dataplat-drains" && method === "PUT") {
            if (this.indexExists) throw fail(400, "resource_already_exists_exception");
            this.indexExists = true;
            return { acknowledged: true };
        }
        if (p.startsWith("/_all/_settings/")) return {};
        if (p === "/.dataplat-drains/_search" && method === "POST") {
            return { hits: { hits: [...this.docs].filter(([id]) => id !== "lock").map(([id, d]) => ({ _id: id, _source: d.source })) } };
        }
        const m = /^\/\.dataplat-drains\/(_create|_doc)\/([^/]+)$/.exec(p);
        if (m) {
            if (!this.indexExists) throw fail(404, "index_not_found_exception");
            const id = decodeURIComponent(m[2]!);
            const doc = this.docs.get(id);
            const versioned = params.has("if_seq_no");
            const matches = doc !== undefined && String(doc.seqNo) === params.get("if_seq_no") && String(doc.primaryTerm) === params.get("if_primary_term");
            if (method === "GET") {
                if (!doc) throw fail(404, '{"found":false}');
                return { found: true, _source: doc.source, _seq_no: doc.seqNo, _primary_term: doc.primaryTerm };
            }
            if (method === "PUT") {
                if (m[1] === "_create" && doc) throw fail(409, "version_conflict_engine_exception");
                if (versioned && !matches) throw fail(409, "version_conflict_engine_exception");
                const written = { source: JSON.parse(JSON.stringify(body)), seqNo: ++this.seq, primaryTerm: 1 };
                this.docs.set(id, written);
                return { _seq_no: written.seqNo, _primary_term: 1, result: doc ? "updated" : "created" };
            }
            if (method === "DELETE") {
                if (!doc) throw fail(404, "not_found");
                if (versioned && !matches) throw fail(409, "version_conflict_engine_exception");
                this.docs.delete(id);
                return { result: "deleted" };
            }
        }
        throw fail(400, `the fake does not answer ${method} ${path}`);
    }

    /** The drain index's documents, by id (the lock and the records). */
    docIds(): string[] {
        return [...this.docs.keys()].sort();
    }

    /** A copy STARTED on `node` (primary or replica). */
    static started(index: string, shard: number, node: string, primary = true): ShardCopy {
        return { index, shard, primary, state: "STARTED", node, relocatingTo: null } as ShardCopy;
    }
}
