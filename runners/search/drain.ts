// The imperative shell of "Changing Cluster Config" (drain a node before changing it) and "Fixing Cluster"
// (controlled bounce). Every decision is an ops/search/model.ts / ownership.ts predicate; this file only calls the
// cluster through the narrow interfaces of ./api.ts (a SearchApi, a Clock, a LockOwner, a CommandRunner: fakes in
// tests/runners, the real ones by default),
// waits on cluster events (health long-polls) and fails closed: timeout, red, node gone, lost update, an unassigned
// copy only this drain keeps out, a signal or an API error -> OpsFailure. A drain owns only what its record in
// `.dataplat-drains` says it added, under a create-only lock document (ops/search/ownership.ts).

import { OpsFailure } from "../../ops/search/failures";
import { SearchApiError } from "../../ops/search/requests";
import type { Clock, CommandRunner, LockOwner, SearchApi, SettingsApi } from "./api";
import { bashRunner, systemClock, systemLockOwner } from "./system";
import {
    ALLOCATION_ENABLE,
    type ClusterSettings,
    EXCLUDE_NAME,
    type HealthStatus,
    type MoveVerdict,
    type SearchNode,
    type SettingsUpdate,
    type ShardCopy,
    absentNodeHoldsNothing,
    addToExclusion,
    drainProgress,
    indexesFollowingNodes,
    effectiveExclusion,
    excludeAttributeKey,
    findNode,
    hasZone,
    overrideSetting,
    parseNameList,
    readMoveExplanation,
    readMoveOptionsBeforeExclusion,
    removeFromExclusion,
    statusAtLeast,
    unmovable,
} from "../../ops/search/model";
import {
    DRAIN_INDEX,
    type DrainRecord,
    type ExclusionClaim,
    LOCK_ID,
    LOCK_LEASE_MS,
    type LockHolder,
    type ThrottleClaim,
    adoptRecord,
    describeExclusion,
    describeHolder,
    describeThrottle,
    drainIndexBody,
    emptyRecord,
    exclusionClaimHolds,
    heirOf,
    indexFiltersAllow,
    lockVerdict,
    lostExclusions,
    nodesExcludedOnlyByDrain,
    parseDrainRecord,
    parseDrainRecords,
    parseLockDocument,
    parseWriteVersion,
    planExclusion,
    planThrottles,
    readHealingExplanation,
    recordId,
    refusalAdvice,
    releaseExclusion,
    releaseThrottle,
    throttleClaimHolds,
} from "../../ops/search/ownership";

export type Log = (line: string) => void;

/** Longest single long-poll: the loop re-checks the predicates at least this often. */
const MAX_POLL_SECONDS = 30;
/** How long a red cluster may take to turn yellow (a new index is red until its primaries start). */
const RED_GRACE_SECONDS = 30;
/** At most this many unassigned copies are explained per poll (healing first). */
const MAX_HEALING_EXPLAINS = 10;
/** How long an undrain waits for the drain lock. */
const UNDRAIN_LOCK_WAIT_SECONDS = 300;

export interface DrainOptions {
    /** OpenSearch node name, `<configName>-g<generation>`. */
    node: string;
    timeoutSeconds: number;
    /** Exclude this zone first if any node carries it ("Ensure all nodes are reliable"), e.g. "spot". */
    spotZone?: string;
    /** Node attribute holding the zone. Default "zone". */
    zoneAttribute?: string;
    /** Raised during the drain, restored afterwards. Defaults 4 and "200mb". */
    nodeConcurrentRecoveries?: number;
    maxBytesPerSec?: string;
    /** Leave the exclusions in place when the drain fails (default: take back what this drain added). */
    keepExclusionOnFailure?: boolean;
    /** Aborting it (SIGTERM, SIGINT, SIGHUP in the CLI) stops the wait and runs the cleanup of a timeout. */
    signal?: AbortSignal;
    log?: Log;
    /** Default: the system clock. */
    clock?: Clock;
    /** Who takes the drain lock; default this host and process. */
    owner?: LockOwner;
}

export type DrainOutcome = "drained" | "absent";

export interface DrainReport {
    outcome: DrainOutcome;
    seconds: number;
}

/** The drain stopped because its AbortSignal fired (a signal in the CLI): cleaned up like a timeout. */
export class DrainInterrupted extends OpsFailure {
    constructor(readonly reason: string) {
        super("timeout", `interrupted by ${reason}`);
        this.name = "DrainInterrupted";
    }
}

/** Unassigned copies elsewhere that only this drain's exclusions keep from being placed. */
export class HealingBlocked extends OpsFailure {
    constructor(message: string) {
        super("lost", message);
        this.name = "HealingBlocked";
    }
}

/**
 * Moves every shard copy off `node`, one drain (or undrain) of the cluster at a time (the create-only lock
 * document of `.dataplat-drains`): record what it is about to add, then exclude the spot zone (optional), exclude
 * the node by name and raise the recovery throttles, each write re-read and verified; refuse if allocation
 * explain says a copy cannot move; wait on relocation events until the node holds nothing and no copy is
 * unassigned, re-checking on every poll that its exclusions are still in force and that no unassigned copy
 * waits only for a node this drain excluded. Throttles it raised are restored whatever happens; on failure the
 * exclusions it added are taken back unless `keepExclusionOnFailure` (always when the cluster must heal).
 * Nothing it did not add is ever removed or restored.
 */
export async function drain(client: SearchApi, o: DrainOptions): Promise<DrainReport> {
    const log = o.log ?? (() => undefined);
    const clock = o.clock ?? systemClock;
    const started = clock.now();
    const deadline = started + o.timeoutSeconds * 1000;
    const attribute = o.zoneAttribute ?? "zone";
    const spotKey = excludeAttributeKey(attribute);
    const say = (line: string): void => log(`drain ${o.node}: ${line}`);
    const stopIfInterrupted = (): void => {
        if (o.signal?.aborted) throw new DrainInterrupted(abortReason(o.signal));
    };

    const health = await client.health();
    const nodes = await client.nodes();
    if (!findNode(nodes, o.node)) {
        if (absentNodeHoldsNothing(health)) {
            say("not in the cluster and the cluster is green with every copy active: nothing to drain");
            return { outcome: "absent", seconds: elapsed(clock, started) };
        }
        throw new OpsFailure(
            "refused",
            `node ${o.node} is not in the cluster and the cluster is ${health.status} (${health.unassignedShards} unassigned): ` +
                `its disk may hold the only copy of a shard. Start the node again, or wait for green, then retry.`,
        );
    }
    if (health.status === "red") {
        throw new OpsFailure("refused", `cluster is red (${health.unassignedShards} unassigned copies): fix it before draining (see Emergency Procedures).`);
    }
    const spotWanted = o.spotZone !== undefined && hasZone(nodes, attribute, o.spotZone);
    const precheck = async (s: ClusterSettings): Promise<void> => {
        // Refuse before changing anything when a copy has nowhere to go (the spot nodes about to be excluded count as
        // nowhere); the check after the exclusion is the authoritative one.
        const addSpot = spotWanted && !effectiveExclusion(s, spotKey).includes(o.spotZone!);
        const willExclude = new Set(addSpot ? nodes.filter((n) => n.attributes[attribute] === o.spotZone).map((n) => n.name) : []);
        await refuseUnmovable(client, o.node, await client.shards(), (body) => readMoveOptionsBeforeExclusion(body, willExclude), o.signal);
    };
    // Read-only first: a drain that cannot finish refuses without creating the lock index or taking the lock.
    await precheck(await client.settings());
    stopIfInterrupted();

    await ensureDrainIndex(client);
    const lock = await acquireLock(client, { clock, owner: o.owner ?? systemLockOwner }, `drain ${o.node}`, deadline, log, o.signal);
    const store = new RecordStore(client, clock, o.node);
    let record = emptyRecord(o.node, lock.text(), new Date(clock.now()));
    let failure: unknown;
    try {
        const s0 = await client.settings();
        const earlier = await store.read();
        if (earlier) {
            const { kept, dropped } = adoptRecord(s0, earlier);
            record = { ...kept, state: "draining", holder: lock.text(), updatedAt: new Date(clock.now()).toISOString(), relies: [] };
            say(
                `found the record of an earlier drain of this node (${earlier.state}, ${earlier.holder}, ${earlier.updatedAt}): it still owns ` +
                    `${ownedText(record)}${dropped.length ? `; no longer its own (changed since): ${dropped.join(", ")}` : ""}`,
            );
        }
        if (spotWanted) record.relies.push({ key: spotKey, value: o.spotZone! });
        record.relies.push({ key: EXCLUDE_NAME, value: o.node });
        // Another drain may have finished while this one waited for the lock: decide again on fresh settings.
        await precheck(s0);
        await store.write(record);

        const exclude = async (key: string, value: string): Promise<void> => {
            stopIfInterrupted();
            await lock.renew();
            const s = await client.settings();
            const plan = planExclusion(s, key, value);
            if (!plan) {
                const ours = record.exclusions.some((c) => c.key === key && c.value === value);
                say(`${key}=${value} already in force (${ours ? "added by an earlier run of this drain" : "not this drain's: it will not touch it"})`);
                return;
            }
            say(`excluding ${key}=${value}`);
            record.exclusions = [...record.exclusions.filter((c) => !(c.key === key && c.value === value)), plan.claim];
            await store.write(record); // written ahead: a crash after the settings write still leaves the claim
            await client.putSettings(plan.update);
            const after = await client.settings();
            if (!effectiveExclusion(after, key).includes(value) || !exclusionClaimHolds(after, plan.claim)) {
                throw new OpsFailure(
                    "lost",
                    `lost update: wrote ${key}+=${value}, but the cluster now reads ${JSON.stringify(effectiveExclusion(after, key))}: somebody else writes the setting`,
                );
            }
        };
        if (spotWanted) await exclude(spotKey, o.spotZone!);
        await exclude(EXCLUDE_NAME, o.node);

        stopIfInterrupted();
        await lock.renew();
        const s1 = await client.settings();
        const throttles = planThrottles(s1, record.throttles, {
            nodeConcurrentRecoveries: o.nodeConcurrentRecoveries ?? 4,
            maxBytesPerSec: o.maxBytesPerSec ?? "200mb",
        });
        record.throttles = throttles.claims;
        await store.write(record);
        if (throttles.update) {
            say(`raising recovery throttles ${JSON.stringify(throttles.update)}`);
            await client.putSettings(throttles.update);
            const after = await client.settings();
            const lost = throttles.claims.filter((c) => !throttleClaimHolds(after, c));
            if (lost.length) throw new OpsFailure("lost", `lost update: recovery throttles not as written: ${lost.map(describeThrottle).join(", ")}`);
        }

        await refuseUnmovable(client, o.node, await client.shards(), readMoveExplanation, o.signal);
        await waitUntilDrained(client, o.node, deadline, say, { lock, record, signal: o.signal, clock });
        await confirmDrained(client, o.node, record);
    } catch (e) {
        failure = e;
    }

    const restored: string[] = [];
    const left: string[] = [];
    // Throttles: restored whatever happened, each only while it still holds what this drain wrote.
    const keptThrottles: ThrottleClaim[] = [];
    for (const c of record.throttles) {
        try {
            const u = releaseThrottle(await client.settings(), c);
            if (u) {
                await client.putSettings(u);
                restored.push(describeThrottle(c));
            } else left.push(`${c.layer} ${c.key}: no longer ${c.applied} as this drain wrote it (changed by someone since): left as it is`);
        } catch (e) {
            keptThrottles.push(c);
            left.push(`${describeThrottle(c)} NOT restored (${errorText(e)}): put it back by hand`);
        }
    }
    record.throttles = keptThrottles;
    const healing = failure instanceof HealingBlocked;
    const claimed = record.exclusions;
    if (failure !== undefined && (!o.keepExclusionOnFailure || healing)) {
        const r = await releaseExclusions(client, store, record, say);
        record.exclusions = r.kept;
        restored.push(...r.restored);
        left.push(...r.left);
    } else if (failure !== undefined) {
        for (const c of record.exclusions)
            left.push(`${describeExclusion(c)}: kept (--keep-exclusion-on-failure): run undrain --node ${o.node} to take it back`);
    }
    for (const r of record.relies) {
        if (
            !claimed.some((c) => c.key === r.key && c.value === r.value) &&
            (failure === undefined || effectiveExclusion(await settingsOrEmpty(client), r.key).includes(r.value))
        ) {
            left.push(`${r.key}=${r.value}: not added by this drain (an operator's or another drain's): not touched`);
        }
    }
    try {
        record.state = failure === undefined ? "drained" : "failed";
        // A drained node keeps its record until undrain (what it owns, what it relies on); a failed drain only
        // while it still owns something.
        if (failure !== undefined && record.exclusions.length === 0 && record.throttles.length === 0) await store.remove();
        else await store.write(record);
    } catch (e) {
        left.push(`the ownership record ${DRAIN_INDEX}/_doc/${recordId(o.node)} was not updated (${errorText(e)})`);
    }
    try {
        await lock.release();
    } catch (e) {
        left.push(`the drain lock was not released (${errorText(e)}): it goes stale when its lease ends`);
    }
    if (failure !== undefined || restored.length)
        say(`restored: ${restored.length ? restored.join("; ") : "nothing (this drain had changed nothing that needed it)"}`);
    if (left.length) say(`left: ${left.join("; ")}`);
    if (failure !== undefined) throw failure;
    if (failure === undefined && (record.throttles.length || left.some((l) => l.includes("NOT restored")))) {
        throw new OpsFailure("api", `drained, but the cleanup was incomplete: ${left.join("; ")}`);
    }
    say(`drained in ${elapsed(clock, started).toFixed(1)}s; this drain owns ${ownedText(record)} until undrain`);
    return { outcome: "drained", seconds: elapsed(clock, started) };
}

async function settingsOrEmpty(client: SearchApi): Promise<ClusterSettings> {
    try {
        return await client.settings();
    } catch {
        return { persistent: {}, transient: {}, defaults: {} };
    }
}

function ownedText(r: DrainRecord): string {
    const parts = [...r.exclusions.map(describeExclusion), ...r.throttles.map((c) => `${c.layer} ${c.key}=${c.applied} (was ${c.previous ?? "unset"})`)];
    return parts.length ? parts.join(", ") : "nothing";
}

/**
 * Takes back the record's exclusions: each is removed from the layers this drain wrote, unless another drain's
 * record relies on it (e.g. the spot zone for a node drained later and not undrained yet): then that record
 * takes over the claim and the exclusion stays.
 */
async function releaseExclusions(
    client: SearchApi,
    store: RecordStore,
    record: DrainRecord,
    say: Log,
): Promise<{ kept: ExclusionClaim[]; restored: string[]; left: string[] }> {
    const kept: ExclusionClaim[] = [];
    const restored: string[] = [];
    const left: string[] = [];
    let others: DrainRecord[] | undefined;
    for (const c of record.exclusions) {
        try {
            // The records unreadable (their index lost its copy, e.g. on a node that died mid-drain): release what this
            // drain added all the same, from its own record in memory; drains are serialised, so only a drain that already
            // finished can rely on a shared exclusion, and its node stays excluded by name.
            others ??= await store.all().then(
                (all) => all.filter((r) => r.node !== record.node),
                (e) => {
                    left.push(`the other drains' records could not be read (${errorText(e)}): nothing handed over`);
                    return [];
                },
            );
            const heir = heirOf(others, record.node, c);
            if (heir) {
                heir.exclusions = [...heir.exclusions.filter((x) => !(x.key === c.key && x.value === c.value)), c];
                await store.forNode(heir.node).write(heir);
                left.push(`${describeExclusion(c)}: handed over to the record of the drain of ${heir.node}, which relies on it (its undrain removes it)`);
                continue;
            }
            const s = await client.settings();
            const u = releaseExclusion(s, c);
            if (!u) {
                left.push(`${describeExclusion(c)}: already gone (removed by someone else)`);
                continue;
            }
            await client.putSettings(u);
            const after = await client.settings();
            if (c.layers.some((l) => parseNameList(after[l][c.key]).includes(c.value))) throw new Error(`${c.key} still holds ${c.value} after the write`);
            restored.push(`${c.key}=${c.value} removed (${c.layers.join("+")}; other values kept)`);
        } catch (e) {
            kept.push(c);
            left.push(`${describeExclusion(c)} NOT taken back (${errorText(e)}): run undrain --node ${record.node}`);
        }
    }
    if (restored.length) say(`took back the exclusions this drain added`);
    return { kept, restored, left };
}

interface Watch {
    lock: DrainLock;
    record: DrainRecord;
    signal?: AbortSignal;
    clock: Clock;
}

async function waitUntilDrained(client: SearchApi, node: string, deadline: number, say: Log, w: Watch): Promise<void> {
    let red = false;
    for (;;) {
        if (w.signal?.aborted) throw new DrainInterrupted(abortReason(w.signal));
        // The node first: if it died, say so, whatever else (the lock's index may have had its copy there) fails next.
        const nodes = await client.nodes();
        if (!findNode(nodes, node)) throw new OpsFailure("lost", `node ${node} left the cluster during the drain: its copies are lost, not moved`);
        await w.lock.renew();
        const settings = await client.settings();
        const lost = lostExclusions(settings, w.record.relies);
        if (lost.length) throw lostUpdate(node, lost);
        const copies = await client.shards();
        if (red) await refuseRed(client, node, deadline, w.signal, w.clock);
        const p = drainProgress(copies, node);
        const left = remainingSeconds(w.clock, deadline);
        // Every poll reports, the last one too: a drain whose copies moved before the first poll still says so.
        say(
            `${p.onNode} shard copies on node (${p.relocatingAway} relocating away, ${p.initializingOnto} initializing onto it), ` +
                `${p.unassigned} unassigned in cluster, ${Math.round(left)}s left`,
        );
        if (p.drained) return;
        if (p.unassigned > 0) await healingFirst(client, node, copies, nodes, settings, w.record.exclusions, w.signal);
        if (left <= 0) {
            throw new OpsFailure(
                "timeout",
                `node ${node} is not drained at the timeout: ${p.onNode} shard copies on it, ${p.unassigned} unassigned in the cluster`,
            );
        }
        if (p.moving === 0) {
            // Nothing moves: ask the cluster whether the copies left can move at all.
            await refuseUnmovable(client, node, copies, readMoveExplanation, w.signal);
            await sleep(w.clock, Math.min(1000, left * 1000), w.signal);
        }
        const h = await abortable(
            client.health({
                waitForNoRelocatingShards: p.moving > 0,
                waitForNoInitializingShards: p.moving > 0,
                timeoutSeconds: p.moving > 0 ? Math.min(MAX_POLL_SECONDS, Math.max(1, left)) : 0,
            }),
            w.signal,
        );
        red = h.status === "red";
    }
}

function lostUpdate(node: string, lost: readonly string[]): OpsFailure {
    return new OpsFailure(
        "lost",
        `lost update during the drain of ${node}: ${lost.join("; ")}. Somebody wrote the cluster settings without the drain lock ` +
            `(an operator, or an older CLI): the node can get copies back, so the drain is not done. Find who, then retry.`,
    );
}

/** Immediately before reporting success: still excluded (read before and after the shards) and holding nothing. */
async function confirmDrained(client: SearchApi, node: string, record: DrainRecord): Promise<void> {
    const before = lostExclusions(await client.settings(), record.relies);
    if (before.length) throw lostUpdate(node, before);
    const p = drainProgress(await client.shards(), node);
    if (!p.drained) {
        throw new OpsFailure(
            "lost",
            `lost update: ${node} holds ${p.onNode} shard copies again (${p.unassigned} unassigned in the cluster) right after it was empty`,
        );
    }
    const after = lostExclusions(await client.settings(), record.relies);
    if (after.length) throw lostUpdate(node, after);
}

/**
 * Healing first: an unassigned copy elsewhere (another node died) that may only be placed on a node this drain's
 * own exclusions forbid would wait for the drain's whole timeout. Explain it, and fail now so that the cleanup
 * takes the exclusions back and the cluster can heal.
 */
async function healingFirst(
    client: SearchApi,
    node: string,
    copies: readonly ShardCopy[],
    nodes: readonly SearchNode[],
    settings: ClusterSettings,
    claims: readonly ExclusionClaim[],
    signal: AbortSignal | undefined,
): Promise<void> {
    if (claims.length === 0) return;
    const ours = nodesExcludedOnlyByDrain(settings, claims, nodes);
    if (!ours || ours.size === 0) return;
    const seen = new Set<string>();
    const blocked: string[] = [];
    for (const c of copies) {
        if (c.state !== "UNASSIGNED") continue;
        const id = `${c.index}/${c.shard}/${c.primary}`;
        if (seen.has(id)) continue;
        seen.add(id);
        if (seen.size > MAX_HEALING_EXPLAINS) break;
        if (signal?.aborted) throw new DrainInterrupted(abortReason(signal));
        let body: unknown;
        try {
            body = await client.json("POST", "/_cluster/allocation/explain", { index: c.index, shard: c.shard, primary: c.primary });
        } catch (e) {
            // Assigned between listing and explaining (OpenSearch answers 400): benign; anything else is a failure.
            if (e instanceof SearchApiError && e.status === 400) continue;
            throw e;
        }
        // The explanation names only the cluster exclude; the index's own filters may refuse the node as well.
        const idx = await client.json("GET", `/${encodeURIComponent(c.index)}/_settings?flat_settings=true`);
        const freed = new Set(nodes.filter((n) => ours.has(n.name) && indexFiltersAllow(idx, c.index, n)).map((n) => n.name));
        const v = readHealingExplanation(body, freed);
        if (v.blockedByDrain) blocked.push(v.explanation);
    }
    if (blocked.length) {
        throw new HealingBlocked(
            `healing first: ${blocked.length} unassigned shard copies elsewhere in the cluster can only be placed on nodes this drain excluded ` +
                `(${[...ours].join(", ")}):\n  ${blocked.join("\n  ")}\n` +
                `Taking this drain's exclusions back so the cluster can heal; retry the drain of ${node} once the cluster is green.`,
        );
    }
}

async function refuseRed(client: SearchApi, node: string, deadline: number, signal: AbortSignal | undefined, clock: Clock): Promise<void> {
    const h = await abortable(
        client.health({ waitForStatus: "yellow", timeoutSeconds: Math.max(1, Math.min(RED_GRACE_SECONDS, remainingSeconds(clock, deadline))) }),
        signal,
    );
    if (h.status === "red") throw new OpsFailure("lost", `cluster turned red during the drain of ${node} (${h.unassignedShards} unassigned): stopping`);
}

/** Allocation explain for each STARTED copy on the node; refuses when one can never move, naming the cause. */
async function refuseUnmovable(
    client: SearchApi,
    node: string,
    copies: readonly ShardCopy[],
    read: (body: unknown) => MoveVerdict,
    signal?: AbortSignal,
): Promise<void> {
    // The lock index's replica count follows the exclusions (auto_expand_replicas): its copies always find a place.
    // So do the copies of any index whose replicas auto-expand to all nodes (the security plugin's .opendistro_security).
    const followers = indexesFollowingNodes(
        (await client.json("GET", "/_all/_settings/index.auto_expand_replicas?flat_settings=true&expand_wildcards=all")) as Record<
            string,
            { settings?: Record<string, unknown> }
        >,
    );
    const waiting = drainProgress(copies, node).waiting.filter((c) => c.index !== DRAIN_INDEX && !followers.has(c.index));
    const verdicts: MoveVerdict[] = [];
    for (const copy of waiting) {
        if (signal?.aborted) throw new DrainInterrupted(abortReason(signal));
        try {
            verdicts.push(await client.explainMove(copy, node, read));
        } catch (e) {
            // The copy may have started moving between listing and explaining: only then is a failed explain benign.
            const again = drainProgress(await client.shards(), node).waiting;
            if (again.some((c) => c.index === copy.index && c.shard === copy.shard && c.primary === copy.primary)) throw e;
        }
    }
    const stuck = unmovable(verdicts);
    if (stuck.length) {
        const lines = stuck.map((v) => `${v.index}/${v.shard} ${v.primary ? "primary" : "replica"}: ${v.reason}`);
        throw new OpsFailure(
            "refused",
            `${stuck.length} shard copies on ${node} cannot move anywhere:\n  ${lines.join("\n  ")}\n${refusalAdvice(stuck).join("\n")}`,
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// The lock and the ownership records in `.dataplat-drains`

async function ensureDrainIndex(client: SearchApi): Promise<void> {
    try {
        await client.json("PUT", `/${DRAIN_INDEX}`, drainIndexBody);
    } catch (e) {
        if (e instanceof SearchApiError && e.status === 400 && /resource_already_exists_exception/.test(e.message)) return;
        throw e;
    }
}

class DrainLock {
    constructor(
        private readonly client: SearchApi,
        private readonly clock: Clock,
        private holder: LockHolder,
        private version: { seqNo: number; primaryTerm: number },
    ) {}

    text(): string {
        return `${this.holder.operation} pid ${this.holder.pid} on ${this.holder.host} at ${this.holder.acquiredAt}`;
    }

    private path(): string {
        return `/${DRAIN_INDEX}/_doc/${LOCK_ID}?if_seq_no=${this.version.seqNo}&if_primary_term=${this.version.primaryTerm}&refresh=true`;
    }

    /** Extends the lease; fails closed if another process took the lock over meanwhile. */
    async renew(): Promise<void> {
        const holder = { ...this.holder, expiresAt: this.clock.now() + LOCK_LEASE_MS };
        try {
            this.version = parseWriteVersion(await this.client.json("PUT", this.path(), { holder }));
            this.holder = holder;
        } catch (e) {
            if (e instanceof SearchApiError && (e.status === 409 || e.status === 404)) {
                throw new OpsFailure(
                    "lost",
                    `the drain lock was taken over or removed while this ${this.holder.operation} held it: another drain may be writing the same settings; stopping`,
                );
            }
            throw e;
        }
    }

    async release(): Promise<void> {
        try {
            await this.client.json("DELETE", this.path());
        } catch (e) {
            if (e instanceof SearchApiError && e.status === 404) return;
            throw e;
        }
    }
}

async function acquireLock(
    client: SearchApi,
    { clock, owner }: { clock: Clock; owner: LockOwner },
    operation: string,
    deadline: number,
    log: Log,
    signal?: AbortSignal,
): Promise<DrainLock> {
    let lastLog = 0;
    for (;;) {
        if (signal?.aborted) throw new DrainInterrupted(abortReason(signal));
        const now = clock.now();
        const holder: LockHolder = { operation, host: owner.host, pid: owner.pid, acquiredAt: new Date(now).toISOString(), expiresAt: now + LOCK_LEASE_MS };
        try {
            const r = await client.json("PUT", `/${DRAIN_INDEX}/_create/${LOCK_ID}?refresh=true`, { holder });
            return new DrainLock(client, clock, holder, parseWriteVersion(r));
        } catch (e) {
            if (!(e instanceof SearchApiError && e.status === 409)) throw e;
        }
        let doc;
        try {
            doc = parseLockDocument(await client.json("GET", `/${DRAIN_INDEX}/_doc/${LOCK_ID}`));
        } catch (e) {
            if (!(e instanceof SearchApiError && e.status === 404)) throw e;
            continue; // released between the create and the read
        }
        if (!doc) continue;
        const v = lockVerdict(doc.holder, clock.now(), owner.host, doc.holder.host === owner.host ? owner.alive(doc.holder.pid) : undefined);
        if (v.kind === "stale") {
            try {
                const r = await client.json("PUT", `/${DRAIN_INDEX}/_doc/${LOCK_ID}?if_seq_no=${doc.seqNo}&if_primary_term=${doc.primaryTerm}&refresh=true`, {
                    holder,
                });
                log(`${operation}: took over the stale drain lock of ${describeHolder(doc.holder, clock.now())}: ${v.why}`);
                return new DrainLock(client, clock, holder, parseWriteVersion(r));
            } catch (e) {
                if (!(e instanceof SearchApiError && e.status === 409)) throw e;
                continue; // another waiter took it over first
            }
        }
        const left = remainingSeconds(clock, deadline);
        if (left <= 0) {
            throw new OpsFailure(
                "refused",
                `${operation}: another operation holds the drain lock: ${describeHolder(doc.holder, clock.now())}. Nothing was changed. ` +
                    `Wait for it and retry; a lock whose holder stopped is taken over once its lease ends ` +
                    `(or delete ${DRAIN_INDEX}/_doc/${LOCK_ID} by hand once you are sure that process is gone).`,
            );
        }
        if (clock.now() - lastLog > 10_000) {
            log(`${operation}: waiting for the drain lock held by ${describeHolder(doc.holder, clock.now())} (${Math.round(left)}s left)`);
            lastLog = clock.now();
        }
        await sleep(clock, Math.min(1000, left * 1000), signal);
    }
}

class RecordStore {
    constructor(
        private readonly client: SearchApi,
        private readonly clock: Clock,
        readonly node: string,
    ) {}

    /** The record of another node's drain, in the same index. */
    forNode(node: string): RecordStore {
        return new RecordStore(this.client, this.clock, node);
    }

    async read(): Promise<DrainRecord | null> {
        try {
            return parseDrainRecord(await this.client.json("GET", `/${DRAIN_INDEX}/_doc/${encodeURIComponent(recordId(this.node))}`));
        } catch (e) {
            if (e instanceof SearchApiError && e.status === 404) return null;
            throw e;
        }
    }

    async all(): Promise<DrainRecord[]> {
        return parseDrainRecords(await this.client.json("POST", `/${DRAIN_INDEX}/_search`, { size: 1000, query: { match_all: {} } }));
    }

    async write(r: DrainRecord): Promise<void> {
        r.updatedAt = new Date(this.clock.now()).toISOString();
        await this.client.json("PUT", `/${DRAIN_INDEX}/_doc/${encodeURIComponent(recordId(this.node))}?refresh=true`, r);
    }

    async remove(): Promise<void> {
        try {
            await this.client.json("DELETE", `/${DRAIN_INDEX}/_doc/${encodeURIComponent(recordId(this.node))}?refresh=true`);
        } catch (e) {
            if (!(e instanceof SearchApiError && e.status === 404)) throw e;
        }
    }
}

export interface UndrainOptions {
    node: string;
    /** The zone a drain may have excluded first; it is removed only if that drain's record says it added it. */
    spotZone?: string;
    zoneAttribute?: string;
    log?: Log;
    clock?: Clock;
    owner?: LockOwner;
}

/**
 * Takes back exactly what the drain of `node` recorded it added (its name in the exclusion, the spot zone if it
 * added it, throttles left by a drain that crashed), each only while still as the drain wrote it; an exclusion
 * another drain's record relies on is handed over to that record. With no record nothing is touched: whatever
 * exclusion is in place was not set by a recorded drain.
 */
export async function undrain(client: SearchApi, o: UndrainOptions): Promise<void> {
    const log = o.log ?? (() => undefined);
    const say = (line: string): void => log(`undrain ${o.node}: ${line}`);
    await ensureDrainIndex(client);
    const clock = o.clock ?? systemClock;
    const lock = await acquireLock(
        client,
        { clock, owner: o.owner ?? systemLockOwner },
        `undrain ${o.node}`,
        clock.now() + UNDRAIN_LOCK_WAIT_SECONDS * 1000,
        log,
    );
    const store = new RecordStore(client, clock, o.node);
    const left: string[] = [];
    try {
        const record = await store.read();
        if (!record) {
            say(
                `no drain record: nothing of a drain's to take back (any exclusion of ${o.node}${o.spotZone ? ` or of zone ${o.spotZone}` : ""} in place was not set by a recorded drain, and stays)`,
            );
            return;
        }
        const { kept, dropped } = adoptRecord(await client.settings(), record);
        for (const d of dropped) left.push(`${d}: not touched`);
        const restored: string[] = [];
        for (const c of kept.throttles) {
            const u = releaseThrottle(await client.settings(), c);
            if (u) {
                await client.putSettings(u);
                restored.push(describeThrottle(c));
            }
        }
        const r = await releaseExclusions(client, store, kept, say);
        restored.push(...r.restored);
        left.push(...r.left);
        if (r.kept.length) {
            await store.write({ ...kept, exclusions: r.kept, throttles: [] });
            throw new OpsFailure("api", `undrain ${o.node} incomplete: ${r.left.join("; ")}`);
        }
        await store.remove();
        say(`removed ${restored.length ? restored.join("; ") : "nothing (what the drain had added is already gone)"}`);
    } finally {
        if (left.length) say(`left: ${left.join("; ")}`);
        await lock.release();
    }
}

export interface SpotOptions {
    spotZone: string;
    zoneAttribute?: string;
    log?: Log;
}

/** "Ensure all nodes are reliable": adds the zone to `cluster.routing.allocation.exclude.<attr>`. */
export async function excludeSpot(client: SettingsApi, o: SpotOptions): Promise<void> {
    const key = excludeAttributeKey(o.zoneAttribute ?? "zone");
    await put(client, addToExclusion(await client.settings(), key, o.spotZone));
    o.log?.(`excluded ${key}=${o.spotZone}`);
}

/** "Re-enable spot nodes": removes just that zone from the zone exclusion. */
export async function restoreSpot(client: SettingsApi, o: SpotOptions): Promise<void> {
    const key = excludeAttributeKey(o.zoneAttribute ?? "zone");
    await put(client, removeFromExclusion(await client.settings(), key, o.spotZone));
    o.log?.(`removed ${o.spotZone} from ${key}`);
}

export interface WaitJoinedOptions {
    node: string;
    timeoutSeconds: number;
    /** Wait for a process other than this one (the ephemeral id of the node before a restart). */
    notEphemeralId?: string;
    log?: Log;
    clock?: Clock;
}

/** Waits until a node named `node` is in the cluster (polls the cluster state's nodes every second). */
export async function waitJoined(client: SearchApi, o: WaitJoinedOptions): Promise<SearchNode> {
    const clock = o.clock ?? systemClock;
    const deadline = clock.now() + o.timeoutSeconds * 1000;
    let lastLog = 0;
    for (;;) {
        const n = findNode(await client.nodes(), o.node);
        if (n && (o.notEphemeralId === undefined || n.ephemeralId !== o.notEphemeralId)) {
            o.log?.(`node ${o.node} is in the cluster`);
            return n;
        }
        const left = remainingSeconds(clock, deadline);
        if (left <= 0) throw new OpsFailure("timeout", `node ${o.node} did not join the cluster within ${o.timeoutSeconds}s`);
        if (clock.now() - lastLog > 10_000) {
            o.log?.(`waiting for node ${o.node} to join (${Math.round(left)}s left)`);
            lastLog = clock.now();
        }
        await sleep(clock, Math.min(1000, left * 1000));
    }
}

/** Long-polls cluster health until `status` (408 answers are "not yet"); throws timeout at the deadline. */
export async function waitForStatus(client: SearchApi, status: HealthStatus, timeoutSeconds: number, log?: Log, clock: Clock = systemClock): Promise<void> {
    const deadline = clock.now() + timeoutSeconds * 1000;
    for (;;) {
        const left = remainingSeconds(clock, deadline);
        const h = await client.health({ waitForStatus: status, timeoutSeconds: Math.min(MAX_POLL_SECONDS, Math.max(0, Math.floor(left))) });
        if (statusAtLeast(h.status, status)) return;
        log?.(`cluster is ${h.status} (${h.unassignedShards} unassigned, ${h.initializingShards} initializing), waiting for ${status}`);
        if (remainingSeconds(clock, deadline) <= 0) throw new OpsFailure("timeout", `cluster still ${h.status} after ${timeoutSeconds}s (wanted ${status})`);
    }
}

export interface BounceOptions {
    node: string;
    /** Shell command that restarts the node, e.g. `ssh host sudo supervisorctl restart es`. */
    restart: string;
    /** Allocation while the node is down: "primaries" (default) or "none" as in the runbook. */
    allocation?: "primaries" | "none";
    timeoutSeconds: number;
    log?: Log;
    /** Runs the restart command; default `bash -c` with output on stderr. Returns the exit code. */
    run?: CommandRunner;
    clock?: Clock;
}

/**
 * "Fixing Cluster": allocation primaries (or none) -> run the restart command -> wait for a new process of the
 * node to join -> allocation back to its previous value (also when the restart or the rejoin failed) -> green.
 */
export async function bounce(client: SearchApi, o: BounceOptions): Promise<void> {
    const log = o.log ?? (() => undefined);
    const clock = o.clock ?? systemClock;
    const deadline = clock.now() + o.timeoutSeconds * 1000;
    const before = findNode(await client.nodes(), o.node);
    const allocation = overrideSetting(await client.settings(), ALLOCATION_ENABLE, o.allocation ?? "primaries");
    await client.putSettings(allocation.apply);
    log(`bounce ${o.node}: ${ALLOCATION_ENABLE}=${o.allocation ?? "primaries"}`);
    let failure: unknown;
    try {
        try {
            await client.flush();
        } catch (e) {
            log(`bounce ${o.node}: flush failed (${errorText(e)}), continuing`);
        }
        log(`bounce ${o.node}: running restart command`);
        const code = await (o.run ?? bashRunner)(o.restart, Math.max(1, remainingSeconds(clock, deadline)));
        if (code !== 0) throw new OpsFailure("restart", `restart command exited ${code}`);
        await waitJoined(client, {
            node: o.node,
            timeoutSeconds: Math.max(1, remainingSeconds(clock, deadline)),
            notEphemeralId: before?.ephemeralId,
            log,
            clock,
        });
    } catch (e) {
        failure = e;
    }
    try {
        await client.putSettings(allocation.restore);
        log(`bounce ${o.node}: ${ALLOCATION_ENABLE} restored`);
    } catch (e) {
        if (failure === undefined) failure = e;
        log(`bounce ${o.node}: could not restore ${ALLOCATION_ENABLE} (${errorText(e)}): put back ${JSON.stringify(allocation.restore)}`);
    }
    if (failure !== undefined) throw failure;
    await waitForStatus(client, "green", Math.max(1, remainingSeconds(clock, deadline)), log, clock);
    log(`bounce ${o.node}: cluster green`);
}

async function put(client: SettingsApi, update: SettingsUpdate | null): Promise<void> {
    if (update) await client.putSettings(update);
}

function remainingSeconds(clock: Clock, deadline: number): number {
    return (deadline - clock.now()) / 1000;
}

function elapsed(clock: Clock, started: number): number {
    return (clock.now() - started) / 1000;
}

/** Resolves after `ms`; rejects with DrainInterrupted as soon as `signal` aborts. */
function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
    return abortable(clock.sleep(Math.max(0, ms)), signal);
}

/** `p`, or DrainInterrupted as soon as `signal` aborts (the request itself runs out in the background). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!signal) return p;
    if (signal.aborted) return Promise.reject(new DrainInterrupted(abortReason(signal)));
    return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => reject(new DrainInterrupted(abortReason(signal)));
        signal.addEventListener("abort", onAbort, { once: true });
        p.then(
            (v) => {
                signal.removeEventListener("abort", onAbort);
                resolve(v);
            },
            (e: unknown) => {
                signal.removeEventListener("abort", onAbort);
                reject(e);
            },
        );
    });
}

function abortReason(signal: AbortSignal): string {
    const r: unknown = signal.reason;
    if (typeof r === "string") return r;
    if (r instanceof Error && r.name !== "AbortError") return r.message;
    return "an abort signal";
}

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}
