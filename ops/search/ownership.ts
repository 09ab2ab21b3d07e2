// What a drain owns, as pure predicates over recorded answers (no I/O; runners/search/drain.ts fetches and acts).
//
// A drain writes, BEFORE each settings change, a record of what it is about to add into a document of the
// `.dataplat-drains` index (one document per drained node, `drain-<node>`), and takes a create-only lock
// document (`lock`) in the same index so that drains and undrains of the cluster run one at a time.
// Cleanup paths (failure, signal, undrain) remove or restore ONLY what that record claims AND what is still as
// the drain wrote it: a value an operator set (before, or changed since) is never touched.

import { type SearchNode } from "./cluster-state";
import { type MoveVerdict } from "./explain";
import { ModelError, asArray, asRecord, asString } from "./responses";
import {
    type ClusterSettings,
    EXCLUDE_NAME,
    type FlatSettings,
    NODE_CONCURRENT_RECOVERIES,
    RECOVERY_MAX_BYTES,
    type SettingsUpdate,
    addToExclusion,
    effectiveExclusion,
    effectiveSetting,
    mergeUpdates,
    parseNameList,
    planRecoveryBoost,
    withoutName,
} from "./settings";

/** The index holding the drain lock and one ownership record per drained node. */
export const DRAIN_INDEX = ".dataplat-drains";
export const LOCK_ID = "lock";
/** A lock not renewed for this long is stale (the holder renews it on every poll, at least every ~40 s). */
export const LOCK_LEASE_MS = 120_000;

/**
 * Body creating the index. A second copy wherever a second data node may hold it, so one node's loss does not
 * lose the lock or the records: auto_expand_replicas follows the cluster's exclusion filters, so the index drops
 * to one copy when a drain leaves a single eligible node, and never keeps a drain from finishing. The copies of
 * this index are therefore left out of the drain's "can it move" refusals. Nothing is indexed (dynamic: false):
 * documents are read by id, and the lock's and the records' fields never clash.
 */
export const drainIndexBody = {
    settings: { number_of_shards: 1, auto_expand_replicas: "0-1" },
    mappings: { dynamic: false },
} as const;

export function recordId(node: string): string {
    return `drain-${node}`;
}

type Layer = "persistent" | "transient";

// ---------------------------------------------------------------------------------------------------------
// The lock

export interface LockHolder {
    /** "drain <node>" / "undrain <node>". */
    operation: string;
    host: string;
    pid: number;
    acquiredAt: string;
    /** Epoch milliseconds after which the lock is stale unless renewed. */
    expiresAt: number;
}

export interface LockDocument {
    holder: LockHolder;
    seqNo: number;
    primaryTerm: number;
}

/** Reads `GET .dataplat-drains/_doc/lock` (found or not). */
export function parseLockDocument(body: unknown): LockDocument | null {
    const d = asRecord(body, "lock document");
    if (d.found !== true) return null;
    const src = asRecord(d._source, "lock _source");
    return { holder: parseHolder(src.holder), seqNo: asNumber(d._seq_no, "lock _seq_no"), primaryTerm: asNumber(d._primary_term, "lock _primary_term") };
}

/** Reads the `_seq_no` / `_primary_term` of a successful index/create answer. */
export function parseWriteVersion(body: unknown): { seqNo: number; primaryTerm: number } {
    const d = asRecord(body, "write answer");
    return { seqNo: asNumber(d._seq_no, "_seq_no"), primaryTerm: asNumber(d._primary_term, "_primary_term") };
}

function parseHolder(v: unknown): LockHolder {
    const h = asRecord(v, "lock holder");
    return {
        operation: asString(h.operation, "holder.operation"),
        host: asString(h.host, "holder.host"),
        pid: asNumber(h.pid, "holder.pid"),
        acquiredAt: asString(h.acquiredAt, "holder.acquiredAt"),
        expiresAt: asNumber(h.expiresAt, "holder.expiresAt"),
    };
}

export type LockVerdict = { kind: "held" } | { kind: "stale"; why: string };

/**
 * Whether a lock found held may be taken over: only when its lease expired (the holder stopped renewing it), or
 * when the holder ran on this very host and its process is gone (`holderAlive` false: a crashed drain being
 * retried). The take-over itself is a conditional write on the stale document's version, so two waiters cannot
 * both win, and a holder that was merely slow finds its next renewal refused and fails closed.
 */
export function lockVerdict(holder: LockHolder, nowMs: number, thisHost: string, holderAlive: boolean | undefined): LockVerdict {
    if (holder.expiresAt <= nowMs) return { kind: "stale", why: `its lease expired ${Math.round((nowMs - holder.expiresAt) / 1000)}s ago` };
    if (holder.host === thisHost && holderAlive === false) return { kind: "stale", why: `process ${holder.pid} on ${holder.host} is gone` };
    return { kind: "held" };
}

export function describeHolder(h: LockHolder, nowMs: number): string {
    return `${h.operation} (pid ${h.pid} on ${h.host}, since ${h.acquiredAt}, lease ends in ${Math.max(0, Math.round((h.expiresAt - nowMs) / 1000))}s)`;
}

// ---------------------------------------------------------------------------------------------------------
// The ownership record

/** This drain put `value` into the exclusion list `key` in these layers. */
export interface ExclusionClaim {
    key: string;
    value: string;
    layers: Layer[];
}

/** This drain set `key` in `layer` to `applied`; before, the layer held `previous` (null: absent). */
export interface ThrottleClaim {
    key: string;
    layer: Layer;
    previous: string | null;
    applied: string;
}

/** An exclusion the drain needs in force while it runs and until its node is gone, whoever set it. */
export interface Reliance {
    key: string;
    value: string;
}

export type RecordState = "draining" | "drained" | "failed";

export interface DrainRecord {
    node: string;
    state: RecordState;
    holder: string;
    updatedAt: string;
    exclusions: ExclusionClaim[];
    throttles: ThrottleClaim[];
    relies: Reliance[];
}

export function emptyRecord(node: string, holder: string, now: Date): DrainRecord {
    return { node, state: "draining", holder, updatedAt: now.toISOString(), exclusions: [], throttles: [], relies: [] };
}

/** Reads `GET .dataplat-drains/_doc/drain-<node>` (found or not). */
export function parseDrainRecord(body: unknown): DrainRecord | null {
    const d = asRecord(body, "drain record");
    if (d.found !== true) return null;
    return readRecordSource(d._source);
}

/** Reads the records among the hits of `GET .dataplat-drains/_search`. */
export function parseDrainRecords(body: unknown): DrainRecord[] {
    const hits = asRecord(asRecord(body, "drain records search").hits, "hits").hits;
    if (!Array.isArray(hits)) throw new ModelError("drain records search: hits.hits is not an array");
    return hits
        .map((h) => asRecord(h, "hit"))
        .filter((h) => typeof h._id === "string" && h._id.startsWith("drain-"))
        .map((h) => readRecordSource(h._source));
}

function readRecordSource(v: unknown): DrainRecord {
    const s = asRecord(v, "drain record _source");
    const state = s.state;
    if (state !== "draining" && state !== "drained" && state !== "failed") throw new ModelError(`drain record: unknown state ${JSON.stringify(state)}`);
    const layers = (x: unknown): Layer[] => asArray(x, "layers").map((l) => (l === "persistent" || l === "transient" ? l : bad(`layer ${JSON.stringify(l)}`)));
    return {
        node: asString(s.node, "record node"),
        state,
        holder: asString(s.holder, "record holder"),
        updatedAt: asString(s.updatedAt, "record updatedAt"),
        exclusions: asArray(s.exclusions, "record exclusions").map((raw) => {
            const c = asRecord(raw, "exclusion claim");
            return { key: asString(c.key, "claim key"), value: asString(c.value, "claim value"), layers: layers(c.layers) };
        }),
        throttles: asArray(s.throttles, "record throttles").map((raw) => {
            const c = asRecord(raw, "throttle claim");
            const layer = c.layer === "persistent" || c.layer === "transient" ? c.layer : bad(`throttle layer ${JSON.stringify(c.layer)}`);
            return {
                key: asString(c.key, "throttle key"),
                layer,
                previous: c.previous === null ? null : asString(c.previous, "throttle previous"),
                applied: asString(c.applied, "throttle applied"),
            };
        }),
        relies: asArray(s.relies ?? [], "record relies").map((raw) => {
            const r = asRecord(raw, "reliance");
            return { key: asString(r.key, "reliance key"), value: asString(r.value, "reliance value") };
        }),
    };
}

function scalar(v: FlatSettings[string] | undefined): string | null {
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(",") : v;
}

/** An exclusion claim is still true when the value is still in every layer the drain wrote it to. */
export function exclusionClaimHolds(s: ClusterSettings, c: ExclusionClaim): boolean {
    return c.layers.length > 0 && c.layers.every((l) => parseNameList(s[l][c.key]).includes(c.value));
}

/** A throttle claim is still true when the layer still holds exactly what the drain wrote. */
export function throttleClaimHolds(s: ClusterSettings, c: ThrottleClaim): boolean {
    return scalar(s[c.layer][c.key]) === c.applied;
}

/**
 * What an earlier record (a drain that crashed, was interrupted before its cleanup, failed with
 * keep-exclusion, or succeeded and was not undrained yet) still owns in these settings. Claims whose value
 * somebody changed since are dropped: that value is theirs now.
 */
export function adoptRecord(s: ClusterSettings, r: DrainRecord): { kept: DrainRecord; dropped: string[] } {
    const dropped: string[] = [];
    const exclusions = r.exclusions.filter((c) => exclusionClaimHolds(s, c) || void dropped.push(`${c.key}=${c.value} (no longer set as the drain wrote it)`));
    const throttles = r.throttles.filter(
        (c) => throttleClaimHolds(s, c) || void dropped.push(`${c.layer} ${c.key}=${c.applied} (now ${JSON.stringify(scalar(s[c.layer][c.key]))})`),
    );
    return { kept: { ...r, exclusions, throttles }, dropped };
}

/** The settings as they were before the claimed throttles were applied (a retried drain plans from these). */
export function withoutThrottleClaims(s: ClusterSettings, claims: readonly ThrottleClaim[]): ClusterSettings {
    const out: ClusterSettings = { persistent: { ...s.persistent }, transient: { ...s.transient }, defaults: s.defaults };
    for (const c of claims) {
        if (c.previous === null) delete out[c.layer][c.key];
        else out[c.layer][c.key] = c.previous;
    }
    return out;
}

/** The update adding `value` to exclusion `key` and the claim for exactly the layers it writes (null: already in force). */
export function planExclusion(s: ClusterSettings, key: string, value: string): { update: SettingsUpdate; claim: ExclusionClaim } | null {
    if (effectiveExclusion(s, key).includes(value)) return null;
    const update = addToExclusion(s, key, value);
    if (!update) return null;
    const layers: Layer[] = [];
    if (update.persistent) layers.push("persistent");
    if (update.transient) layers.push("transient");
    return { update, claim: { key, value, layers } };
}

/** Removes the claimed value from the claimed layers only (other names stay); null when nothing is left to remove. */
export function releaseExclusion(s: ClusterSettings, c: ExclusionClaim): SettingsUpdate | null {
    const update: SettingsUpdate = {};
    for (const layer of c.layers) {
        const list = parseNameList(s[layer][c.key]);
        if (!list.includes(c.value)) continue;
        const rest = withoutName(list, c.value);
        // An emptied transient value stays "" only if it shadowed something before we wrote it; we only ever wrote
        // the transient layer when the key was already there, so "" keeps it exactly as it was.
        (update[layer] ??= {})[c.key] = rest.length ? rest.join(",") : layer === "persistent" ? null : "";
    }
    return update.persistent || update.transient ? update : null;
}

/** Puts a claimed throttle back to its previous value, only while it still holds what the drain wrote. */
export function releaseThrottle(s: ClusterSettings, c: ThrottleClaim): SettingsUpdate | null {
    if (!throttleClaimHolds(s, c)) return null;
    return { [c.layer]: { [c.key]: c.previous } };
}

/**
 * Throttle claims for this drain: claims adopted from an earlier record stay (their `previous` is the operator's
 * value, not the earlier drain's), and the keys they cover are raised again only if the wanted value is higher.
 */
export function planThrottles(
    s: ClusterSettings,
    adopted: readonly ThrottleClaim[],
    want: { nodeConcurrentRecoveries: number; maxBytesPerSec: string },
): { update: SettingsUpdate | null; claims: ThrottleClaim[] } {
    const base = withoutThrottleClaims(s, adopted);
    const boost = planRecoveryBoost(base, want);
    const claims = new Map<string, ThrottleClaim>(adopted.map((c) => [`${c.layer} ${c.key}`, c]));
    const writes: SettingsUpdate[] = [];
    for (const layer of ["persistent", "transient"] as const) {
        for (const [key, value] of Object.entries(boost.apply?.[layer] ?? {})) {
            if (value === null || (key !== NODE_CONCURRENT_RECOVERIES && key !== RECOVERY_MAX_BYTES)) continue;
            const id = `${layer} ${key}`;
            const current = scalar(s[layer][key]);
            const previous = claims.get(id)?.previous ?? scalar(base[layer][key]);
            claims.set(id, { key, layer, previous, applied: value });
            if (current !== value) writes.push({ [layer]: { [key]: value } });
        }
    }
    return { update: mergeUpdates(...writes), claims: [...claims.values()] };
}

/** A human line per claim, for "restored" / "left" reports. */
export function describeExclusion(c: ExclusionClaim): string {
    return `${c.key}=${c.value} (${c.layers.join("+")})`;
}

export function describeThrottle(c: ThrottleClaim): string {
    return `${c.layer} ${c.key} ${c.applied} -> ${c.previous ?? "(unset)"}`;
}

/**
 * Another record that relies on an exclusion this one is about to give back takes over the claim (so it is
 * removed when THAT drain is undrained), instead of the exclusion being removed under it.
 */
export function heirOf(records: readonly DrainRecord[], self: string, c: ExclusionClaim): DrainRecord | undefined {
    return records.find((r) => r.node !== self && r.relies.some((x) => x.key === c.key && x.value === c.value));
}

// ---------------------------------------------------------------------------------------------------------
// Lost updates: is the drain's exclusion still in force?

/** The relied-on exclusions that are no longer in force, named for the failure message. */
export function lostExclusions(s: ClusterSettings, relies: readonly Reliance[]): string[] {
    return relies
        .filter((r) => !effectiveExclusion(s, r.key).includes(r.value))
        .map((r) => {
            const eff = effectiveSetting(s, r.key);
            return `${r.key} no longer contains ${r.value} (now ${eff && eff.layer !== "defaults" ? `${eff.layer} ${JSON.stringify(scalar(eff.value))}` : "unset"})`;
        });
}

// ---------------------------------------------------------------------------------------------------------
// Healing first: unassigned copies elsewhere that only this drain's exclusions keep from being placed

const EXCLUDE_PREFIX = "cluster.routing.allocation.exclude.";

/**
 * The data nodes that ONLY this drain's exclusions keep shards from: nodes matched by a claimed `_name` or
 * attribute value, and by no other cluster exclusion. Undefined when another exclusion key is in force that
 * cannot be matched against node names and attributes here (`_ip`, `_host`, `_id`): then nobody can tell.
 */
export function nodesExcludedOnlyByDrain(s: ClusterSettings, claims: readonly ExclusionClaim[], nodes: readonly SearchNode[]): Set<string> | undefined {
    const keys = new Set<string>();
    for (const layer of ["persistent", "transient"] as const) for (const k of Object.keys(s[layer])) if (k.startsWith(EXCLUDE_PREFIX)) keys.add(k);
    const others = new Map<string, string[]>();
    for (const key of keys) {
        const values = effectiveExclusion(s, key).filter((v) => !claims.some((c) => c.key === key && c.value === v));
        if (values.length) others.set(key, values);
    }
    for (const key of others.keys()) if (["_ip", "_host", "_id", "_publish_ip", "_host_ip"].includes(key.slice(EXCLUDE_PREFIX.length))) return undefined;
    const matches = (n: SearchNode, key: string, values: readonly string[]): boolean => {
        const attr = key.slice(EXCLUDE_PREFIX.length);
        const v = attr === "_name" ? n.name : n.attributes[attr];
        return v !== undefined && values.some((p) => globMatch(p, v));
    };
    const out = new Set<string>();
    for (const n of nodes) {
        const ours = claims.some((c) => matches(n, c.key, [c.value]));
        const theirs = [...others].some(([k, vs]) => matches(n, k, vs));
        if (ours && !theirs) out.add(n.name);
    }
    return out;
}

/**
 * Whether an index's own allocation filters (`index.routing.allocation.require|include|exclude.<attr>`, read from
 * `GET <index>/_settings?flat_settings=true`) let `node` hold it. The filter decider names only the FIRST filter
 * that refuses a node (the cluster exclude comes before the index filters), so a node refused "by the drain's
 * exclusion" may be refused by its index too. Filters on `_ip` / `_host` / `_id` cannot be evaluated here: false.
 */
export function indexFiltersAllow(indexSettings: unknown, index: string, node: SearchNode): boolean {
    const byIndex = asRecord(indexSettings, "index settings");
    const entry = byIndex[index];
    if (entry === undefined) return false;
    const flat = asRecord(asRecord(entry, `settings of ${index}`).settings, `settings of ${index}`);
    const groups: Record<"require" | "include" | "exclude", [string, string[]][]> = { require: [], include: [], exclude: [] };
    for (const [k, v] of Object.entries(flat)) {
        const m = /^index\.routing\.allocation\.(require|include|exclude)\.(.+)$/.exec(k);
        if (!m) continue;
        const values = parseNameList(Array.isArray(v) ? v.map(String) : String(v));
        if (values.length === 0) continue;
        if (["_ip", "_host", "_id", "_publish_ip", "_host_ip"].includes(m[2]!)) return false;
        groups[m[1] as "require" | "include" | "exclude"].push([m[2]!, values]);
    }
    const has = (attr: string, values: string[]): boolean => {
        const v = attr === "_name" ? node.name : node.attributes[attr];
        return v !== undefined && values.some((p) => globMatch(p, v));
    };
    if (!groups.require.every(([a, vs]) => has(a, vs))) return false;
    if (groups.include.length && !groups.include.some(([a, vs]) => has(a, vs))) return false;
    return !groups.exclude.some(([a, vs]) => has(a, vs));
}

function globMatch(pattern: string, value: string): boolean {
    if (!pattern.includes("*")) return pattern === value;
    const re = new RegExp(
        `^${pattern
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    );
    return re.test(value);
}

export interface HealingVerdict {
    index: string;
    shard: number;
    primary: boolean;
    /** true: every node refuses the copy, and some node refuses it only because of this drain's exclusion. */
    blockedByDrain: boolean;
    explanation: string;
}

/**
 * Reads `POST _cluster/allocation/explain {index, shard, primary}` for an UNASSIGNED copy. It is blocked by the
 * drain when no node may take it (yes / throttled / worse_balance nowhere) and at least one node in
 * `ourNodes` refuses it only through the `filter` decider's cluster exclude: taking the drain's exclusions back
 * would let the cluster heal.
 */
export function readHealingExplanation(body: unknown, ourNodes: ReadonlySet<string>): HealingVerdict {
    const e = asRecord(body, "allocation explain");
    const base = { index: asString(e.index, "explain index"), shard: asNumber(e.shard, "explain shard"), primary: e.primary === true };
    const not = (why: string): HealingVerdict => ({ ...base, blockedByDrain: false, explanation: why });
    if (e.current_state !== "unassigned") return not(`copy is ${String(e.current_state)}`);
    const decisions = Array.isArray(e.node_allocation_decisions) ? e.node_allocation_decisions.map((d, i) => asRecord(d, `node decision ${i}`)) : [];
    if (decisions.length === 0) return not(String(e.allocate_explanation ?? "no per-node decisions"));
    if (decisions.some((d) => ["yes", "throttled", "worse_balance"].includes(String(d.node_decision)))) return not("a node can take it");
    const freedBy = decisions.filter((d) => {
        if (!ourNodes.has(String(d.node_name))) return false;
        const no = noDeciders(d);
        return no.length === 1 && no[0]!.decider === "filter" && /cluster setting \[cluster\.routing\.allocation\.exclude\]/.test(no[0]!.explanation);
    });
    const lines = decisions.map((d) => {
        const name = String(d.node_name ?? d.node_id);
        if (freedBy.includes(d)) return `${name}: only the exclusion of this drain`;
        return `${name}: ${
            noDeciders(d)
                .map((x) => `${x.decider}: ${x.explanation}`)
                .join("; ") || String(d.node_decision)
        }`;
    });
    const head = `${base.index}/${base.shard} ${base.primary ? "primary" : "replica"} (${String(e.allocate_explanation ?? e.can_allocate ?? "unassigned")})`;
    return { ...base, blockedByDrain: freedBy.length > 0, explanation: `${head} [${lines.join(" | ")}]` };
}

function noDeciders(d: Record<string, unknown>): { decider: string; explanation: string }[] {
    return (Array.isArray(d.deciders) ? d.deciders : [])
        .filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && (x as Record<string, unknown>).decision === "NO")
        .map((x) => ({ decider: String(x.decider), explanation: String(x.explanation) }));
}

// ---------------------------------------------------------------------------------------------------------
// Refusal advice: name the cause that actually refused, and its fix

/** One line of advice per distinct cause among the refusing deciders of `stuck` verdicts. */
export function refusalAdvice(stuck: readonly MoveVerdict[]): string[] {
    const text = stuck.map((v) => v.reason).join("\n");
    const advice: string[] = [];
    if (stuck.some((v) => v.decision === "remains")) {
        advice.push(
            `the node's exclusion is not in force for these copies (a transient ${EXCLUDE_NAME} shadowing it?): check GET _cluster/settings, then retry.`,
        );
    }
    if (/\benable: /.test(text)) {
        advice.push(
            "allocation is disabled (cluster.routing.allocation.enable or index.routing.allocation.enable is none/primaries, e.g. left by an unfinished bounce): " +
                'set it back to "all" (or remove it), then retry.',
        );
    }
    if (/\bdisk_threshold: /.test(text)) {
        advice.push(
            "the other nodes are over a disk watermark (cluster.routing.allocation.disk.watermark.*): free disk on them (delete or shrink indices) or add disk, then retry.",
        );
    }
    if (/\bshards_limit: /.test(text)) {
        advice.push("total_shards_per_node (index or cluster setting) leaves no room: raise or remove it, or add a data node, then retry.");
    }
    if (/\bmax_retry: /.test(text))
        advice.push("allocation of the copy failed too often: fix the cause in the explanation, then POST _cluster/reroute?retry_failed=true and retry.");
    if (/\bfilter: node does not match index setting|\bfilter: node matches index setting/.test(text)) {
        advice.push("the index's own allocation filters (index.routing.allocation.require/include/exclude) leave no other node: relax them, then retry.");
    }
    if (/excluded by this drain/.test(text))
        advice.push(
            "the only node that could take a copy is in the zone this drain excludes first (the spot zone): add a reliable data node, or lower the index's replicas.",
        );
    if (/\b(same_shard|awareness): /.test(text) || advice.length === 0) {
        advice.push(
            "no other node may hold another copy of the shard: add a data node that can take them (in the right zone under awareness), or lower the index's replicas, then retry.",
        );
    }
    return advice;
}

// ---------------------------------------------------------------------------------------------------------

function bad(what: string): never {
    throw new ModelError(`drain record: unreadable ${what}`);
}

function asNumber(v: unknown, what: string): number {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ModelError(`${what}: expected a number, got ${JSON.stringify(v)}`);
    return v;
}
