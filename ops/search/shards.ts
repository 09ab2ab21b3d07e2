// Shard copies and the drain's predicates ("Changing Cluster Config": a node leaves only once it holds no copy and
// no copy is lost anywhere), read from `_cat/shards` or the routing table. Pure.

import { parseClusterStateNodes } from "./cluster-state";
import { ModelError, asArray, asRecord, asString } from "./responses";

export type ShardState = "STARTED" | "RELOCATING" | "INITIALIZING" | "UNASSIGNED";

export interface ShardCopy {
    index: string;
    shard: number;
    primary: boolean;
    state: ShardState;
    /** Node name holding the copy (the source while RELOCATING); null when UNASSIGNED. */
    node: string | null;
    /** Target node name while RELOCATING. */
    relocatingTo: string | null;
}

const shardStates: readonly ShardState[] = ["STARTED", "RELOCATING", "INITIALIZING", "UNASSIGNED"];

function asShardState(v: unknown, what: string): ShardState {
    const s = typeof v === "string" ? v.toUpperCase() : v;
    if (!shardStates.includes(s as ShardState)) throw new ModelError(`${what}: unknown shard state ${JSON.stringify(v)}`);
    return s as ShardState;
}

/**
 * `_cat/shards` writes a relocating copy's node as `"<src name> -> <dst ip> <dst id> <dst name>"`.
 * Returns the source and target names; a plain name has no target.
 */
export function parseCatShardNode(field: string): { node: string; relocatingTo: string | null } {
    const arrow = field.indexOf(" -> ");
    if (arrow < 0) return { node: field, relocatingTo: null };
    const node = field.slice(0, arrow);
    const m = /^(\S+) (\S+) (.+)$/.exec(field.slice(arrow + 4));
    if (!m || !m[3]) throw new ModelError(`unreadable relocating node field ${JSON.stringify(field)}`);
    return { node, relocatingTo: m[3] };
}

/** Reads `GET _cat/shards?format=json&h=index,shard,prirep,state,node`. */
export function parseCatShards(body: unknown): ShardCopy[] {
    return asArray(body, "_cat/shards").map((raw, i) => {
        const row = asRecord(raw, `_cat/shards row ${i}`);
        const what = `_cat/shards row ${i}`;
        const state = asShardState(row.state, what);
        const shard = Number.parseInt(String(row.shard), 10);
        if (!Number.isInteger(shard)) throw new ModelError(`${what}: unreadable shard number ${JSON.stringify(row.shard)}`);
        if (row.prirep !== "p" && row.prirep !== "r") throw new ModelError(`${what}: unreadable prirep ${JSON.stringify(row.prirep)}`);
        let node: string | null = null;
        let relocatingTo: string | null = null;
        if (typeof row.node === "string" && row.node !== "") ({ node, relocatingTo } = parseCatShardNode(row.node));
        else if (state !== "UNASSIGNED") throw new ModelError(`${what}: ${state} copy without a node`);
        if (state === "RELOCATING" && relocatingTo === null) {
            throw new ModelError(`${what}: RELOCATING copy without a target in ${JSON.stringify(row.node)}`);
        }
        return { index: asString(row.index, `${what} index`), shard, primary: row.prirep === "p", state, node, relocatingTo };
    });
}

/** Reads `GET _cluster/state/routing_table,nodes` (node ids are translated to names). */
export function parseRoutingTable(body: unknown): ShardCopy[] {
    const state = asRecord(body, "cluster state");
    const names = new Map(parseClusterStateNodes(body).map((n) => [n.id, n.name]));
    const nameOf = (id: unknown, what: string): string | null => {
        if (id === null || id === undefined) return null;
        const name = names.get(asString(id, what));
        if (name === undefined) throw new ModelError(`${what}: node id ${String(id)} is not in the cluster state's nodes`);
        return name;
    };
    const indices = asRecord(asRecord(state.routing_table, "routing_table").indices, "routing_table.indices");
    const copies: ShardCopy[] = [];
    for (const [index, rawIndex] of Object.entries(indices)) {
        const shards = asRecord(asRecord(rawIndex, `routing_table ${index}`).shards, `routing_table ${index} shards`);
        for (const [shardNum, rawCopies] of Object.entries(shards)) {
            for (const raw of asArray(rawCopies, `routing_table ${index}/${shardNum}`)) {
                const c = asRecord(raw, `routing_table ${index}/${shardNum} copy`);
                const what = `${index}/${shardNum}`;
                copies.push({
                    index,
                    shard: Number.parseInt(shardNum, 10),
                    primary: c.primary === true,
                    state: asShardState(c.state, what),
                    node: nameOf(c.node, what),
                    relocatingTo: nameOf(c.relocating_node, what),
                });
            }
        }
    }
    return copies;
}

/** Copies that are on `node`: STARTED or INITIALIZING there, or RELOCATING from or to it. */
export function copiesOnNode(copies: readonly ShardCopy[], node: string): ShardCopy[] {
    return copies.filter((c) => c.state !== "UNASSIGNED" && (c.node === node || c.relocatingTo === node));
}

export function unassignedCopies(copies: readonly ShardCopy[]): ShardCopy[] {
    return copies.filter((c) => c.state === "UNASSIGNED");
}

export interface DrainProgress {
    /** Copies still on the node (any state, either side of a relocation). */
    onNode: number;
    /** Of those, copies already relocating away from the node. */
    relocatingAway: number;
    /** Of those, copies recovering onto the node (started before the exclusion). */
    initializingOnto: number;
    /** Unassigned copies anywhere in the cluster. */
    unassigned: number;
    /** Relocations and initializations anywhere in the cluster. */
    moving: number;
    /** STARTED copies on the node that nothing is moving yet. */
    waiting: ShardCopy[];
    drained: boolean;
}

/**
 * Indexes whose replica count follows the nodes allowed to hold them (`index.auto_expand_replicas` ending in `-all`,
 * e.g. the security plugin's `.opendistro_security`): a copy of theirs on an excluded node is dropped, never moved,
 * so no allocation-explain verdict about it says anything about the drain. `response` is
 * `GET /_all/_settings/index.auto_expand_replicas?flat_settings=true&expand_wildcards=all`.
 */
export function indexesFollowingNodes(response: Record<string, { settings?: Record<string, unknown> }>): Set<string> {
    return new Set(
        Object.entries(response)
            .filter(([, v]) => /-all$/.test(String(v.settings?.["index.auto_expand_replicas"] ?? "")))
            .map(([index]) => index),
    );
}

/**
 * A node is drained only when no STARTED, RELOCATING or INITIALIZING copy is on it (either side of a
 * relocation) AND no shard copy is unassigned anywhere: a copy that was lost rather than moved leaves the
 * node "empty" too, and deleting the node would then delete the last copy.
 */
export function isDrained(copies: readonly ShardCopy[], node: string): boolean {
    return copiesOnNode(copies, node).length === 0 && unassignedCopies(copies).length === 0;
}

export function drainProgress(copies: readonly ShardCopy[], node: string): DrainProgress {
    const on = copiesOnNode(copies, node);
    return {
        onNode: on.length,
        relocatingAway: on.filter((c) => c.state === "RELOCATING" && c.node === node).length,
        initializingOnto: on.filter((c) => (c.state === "INITIALIZING" && c.node === node) || c.relocatingTo === node).length,
        unassigned: unassignedCopies(copies).length,
        moving: copies.filter((c) => c.state === "RELOCATING" || c.state === "INITIALIZING").length,
        waiting: on.filter((c) => c.state === "STARTED"),
        drained: isDrained(copies, node),
    };
}
