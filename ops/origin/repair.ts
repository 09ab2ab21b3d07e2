/**
 * What to run after a hashstate change, following the runbook:
 *
 * - a rolling restart through the origins, one at a time, before any repair;
 * - repairs (`POST /repair` on an origin): after an add, every origin, the
 *   older ones first (config order) and the new one last; after a re-weight,
 *   every origin; after a remove, the remaining ones; after a host replacement,
 *   only the new host; nothing when nothing changed.
 *
 * Beyond the runbook: placement is deterministic, so the shards (Kraken's
 * 4-hex shard ids, the first 4 hex digits of a digest) whose replica set
 * changes can be computed, with the fraction of replica slots that move and the
 * least any placement reaching the same per-origin loads would move, and a
 * shard-targeted repair (`POST /repair/shard/<id>`) offered next to the full one.
 */
import { type HashstateChange, type Hashstate, classifyChange, hashstateNodes } from "./hashstate";
import { rendezvousHash } from "./hrw";

export const DEFAULT_REPAIR_PATH = "/repair";
export const DEFAULT_SHARD_REPAIR_PATH = "/repair/shard";

/** One full repair: `POST <path>` on an origin. */
export interface RepairCall {
    readonly host: string;
    readonly label: string;
    readonly path: string;
}

export interface OriginUpdatePlan {
    readonly change: HashstateChange;
    /** Hosts to restart with the new configuration, one at a time, before any repair. */
    readonly rollingRestart: readonly string[];
    /** Full repairs, in order; run each only after the previous one succeeded. */
    readonly repairs: readonly RepairCall[];
}

/** Hosts of `next` present in `prev` (config order of `next`), then the new ones. */
function olderThenNew(prev: Hashstate, next: Hashstate): string[] {
    const hosts = Object.keys(next);
    return [...hosts.filter((h) => prev[h] !== undefined), ...hosts.filter((h) => prev[h] === undefined)];
}

/** Origins to restart, one at a time, so that they pick up `next`. Empty when nothing changed or the change is refused. */
export function rollingRestartOrder(prev: Hashstate, next: Hashstate, change = classifyChange(prev, next)): string[] {
    if (change.kind === "none" || change.kind === "refused") return [];
    return olderThenNew(prev, next);
}

/** The runbook's repair sequence for the change. */
export function repairOrder(prev: Hashstate, next: Hashstate, change = classifyChange(prev, next), path = DEFAULT_REPAIR_PATH): RepairCall[] {
    const call = (host: string): RepairCall => ({ host, label: next[host].label, path });
    switch (change.kind) {
        case "none":
        case "refused":
            return [];
        case "add":
        case "reweight":
        case "remove":
            return olderThenNew(prev, next).map(call);
        case "replace-host":
            return [call(change.to)];
    }
}

/** Classification, rolling restart and repair sequence for one update. */
export function planOriginUpdate(prev: Hashstate, next: Hashstate, path = DEFAULT_REPAIR_PATH): OriginUpdatePlan {
    const change = classifyChange(prev, next);
    return {
        change,
        rollingRestart: rollingRestartOrder(prev, next, change),
        repairs: repairOrder(prev, next, change, path),
    };
}

/**
 * The runbook changes the hashstate only: a different replica count re-places
 * most shards at once and is no single step. Returns the refusal message, or
 * undefined when the count is unchanged.
 */
export function replicasChangeRefusal(prevReplicas: number, nextReplicas: number): string | undefined {
    if (prevReplicas === nextReplicas) return undefined;
    return (
        `refused: replicas changes from ${prevReplicas} to ${nextReplicas}. That re-places most shards at once and is not ` +
        `one of the runbook's single steps (add, remove, re-weight, replace a host); keep replicas at ${prevReplicas} ` +
        `for this update and change it in a separate, planned maintenance with a repair of every origin.`
    );
}

// ---------------------------------------------------------------------------
// Beyond the runbook: shard movement

export const SHARD_COUNT = 65536;

/** Kraken's shard id for shard number `i`: 4 lowercase hex digits. */
export function shardId(i: number): string {
    return i.toString(16).padStart(4, "0");
}

export interface ShardMovement {
    readonly shards: number;
    readonly replicas: number;
    /** Shards whose set of replica hosts differs between the two hashstates. */
    readonly changedShards: number;
    /** Replica slots (shard, host) of `next` that `prev` did not have. */
    readonly movedSlots: number;
    /** movedSlots / replica slots of `next`. */
    readonly movedFraction: number;
    /**
     * The least fraction any placement could move and still give every host its
     * `next` load: the sum of per-host load increases over the slots of `next`.
     */
    readonly minimumFraction: number;
    /** Per host of `next`, the shards it gains (sorted). */
    readonly gained: Readonly<Record<string, readonly string[]>>;
    /** Per host of `prev`, the shards it no longer holds (sorted). */
    readonly lost: Readonly<Record<string, readonly string[]>>;
    /** Per changed shard, its replica hosts before and after, owner first. */
    readonly changes: ReadonlyMap<string, { readonly before: readonly string[]; readonly after: readonly string[] }>;
}

function replicaHosts(hashstate: Hashstate, replicas: number) {
    const hosts = Object.keys(hashstate);
    const placement = rendezvousHash(hashstateNodes(hashstate));
    const order = new Int32Array(hosts.length);
    const take = Math.min(replicas, hosts.length);
    return { take, hosts: (key: string) => Array.from(placement.orderedIndices(key, order).subarray(0, take), (i) => hosts[i]) };
}

/** Which shards change replica hosts from `prev` to `next`, over all 65536 shard ids (or `shardIds`). */
export function shardMovement(
    prev: Hashstate,
    next: Hashstate,
    replicas: number,
    shardIds: readonly string[] = Array.from({ length: SHARD_COUNT }, (_, i) => shardId(i)),
): ShardMovement {
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a positive integer, got ${replicas}`);
    const before = replicaHosts(prev, replicas);
    const after = replicaHosts(next, replicas);
    const gained: Record<string, string[]> = Object.fromEntries(Object.keys(next).map((h) => [h, []]));
    const lost: Record<string, string[]> = Object.fromEntries(Object.keys(prev).map((h) => [h, []]));
    const loadDelta = new Map<string, number>();
    const changes = new Map<string, { before: string[]; after: string[] }>();
    let changedShards = 0;
    let movedSlots = 0;
    for (const shard of shardIds) {
        const b = before.hosts(shard);
        const a = after.hosts(shard);
        for (const h of b) loadDelta.set(h, (loadDelta.get(h) ?? 0) - 1);
        for (const h of a) loadDelta.set(h, (loadDelta.get(h) ?? 0) + 1);
        let changed = false;
        for (const h of a) {
            if (!b.includes(h)) {
                gained[h].push(shard);
                movedSlots++;
                changed = true;
            }
        }
        for (const h of b) {
            if (!a.includes(h)) {
                lost[h].push(shard);
                changed = true;
            }
        }
        if (changed) {
            changedShards++;
            changes.set(shard, { before: b, after: a });
        }
    }
    const slots = shardIds.length * after.take;
    let increase = 0;
    for (const d of loadDelta.values()) if (d > 0) increase += d;
    for (const list of [...Object.values(gained), ...Object.values(lost)]) list.sort();
    return {
        shards: shardIds.length,
        replicas,
        changedShards,
        movedSlots,
        movedFraction: slots === 0 ? 0 : movedSlots / slots,
        minimumFraction: slots === 0 ? 0 : increase / slots,
        gained,
        lost,
        changes,
    };
}

/** Shard repairs on one origin. */
export interface ShardRepair {
    readonly host: string;
    readonly label: string;
    readonly shards: readonly string[];
}

export interface ShardRepairPlan {
    /** Origins in config order of `next` (older first), each with the shards to repair on it; origins with none are left out. */
    readonly repairs: readonly ShardRepair[];
    /** Changed shards that no remaining origin held: a shard repair cannot restore them (only Kraken's backend can). */
    readonly orphanedShards: readonly string[];
}

/**
 * A shard-targeted alternative to the full repairs. An origin's repair walks
 * the blobs of a shard stored on that origin, pushes them to the shard's
 * current replica hosts and deletes its own copy when it is no longer one of
 * them (Kraken's blobserver repairer). So a changed shard is repaired on the
 * remaining origins that held it and leave its replica set (each pushes, then
 * drops its copy); when none leaves (a removed or replaced host was the one
 * leaving), on its highest-ranked remaining holder, which pushes to the
 * newcomer. Origins gaining a shard hold nothing of it and never repair it.
 */
export function shardRepairPlan(next: Hashstate, movement: ShardMovement): ShardRepairPlan {
    const byHost = new Map<string, string[]>();
    const orphanedShards: string[] = [];
    for (const [shard, { before, after }] of movement.changes) {
        const remaining = before.filter((h) => next[h] !== undefined);
        const leaving = remaining.filter((h) => !after.includes(h));
        const runners = leaving.length > 0 ? leaving : remaining.slice(0, 1);
        if (runners.length === 0) orphanedShards.push(shard);
        for (const h of runners) {
            let list = byHost.get(h);
            if (list === undefined) byHost.set(h, (list = []));
            list.push(shard);
        }
    }
    return {
        repairs: Object.keys(next)
            .filter((h) => byHost.has(h))
            .map((host) => ({ host, label: next[host].label, shards: byHost.get(host)!.sort() })),
        orphanedShards: orphanedShards.sort(),
    };
}

// The command a repair step runs is ops/origin/scripts.ts repairScript.
