// Decisions of the "Changing Cluster Config" / "Fixing Cluster" runbooks as plain predicates over recorded
// Elasticsearch 7 / OpenSearch 1-3 API responses (in the manner of ECK's migration package and client model).
// No I/O here: drain.ts fetches, these functions decide. A response that does not have the expected shape
// throws ModelError: an unreadable answer is never read as "drained" or "empty".

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelError";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Root endpoint: distribution, version, and the name of the master-timeout parameter.

export type Distribution = "elasticsearch" | "opensearch";

export interface EngineInfo {
  distribution: Distribution;
  version: string;
  major: number;
  clusterName: string;
}

/** Reads `GET /`. OpenSearch says `version.distribution: "opensearch"`; Elasticsearch has no such field. */
export function parseRootInfo(body: unknown): EngineInfo {
  const root = asRecord(body, "root endpoint");
  const version = asRecord(root.version, "root endpoint version");
  const number = asString(version.number, "version.number");
  const major = Number.parseInt(number.split(".")[0] ?? "", 10);
  if (!Number.isInteger(major)) throw new ModelError(`unreadable version number ${JSON.stringify(number)}`);
  const distribution: Distribution = version.distribution === "opensearch" ? "opensearch" : "elasticsearch";
  return { distribution, version: number, major, clusterName: typeof root.cluster_name === "string" ? root.cluster_name : "" };
}

/**
 * Elasticsearch and OpenSearch 1.x take `master_timeout`; OpenSearch 2.x deprecates it for
 * `cluster_manager_timeout` and 3.x removes it.
 */
export function masterTimeoutParam(engine: EngineInfo): "master_timeout" | "cluster_manager_timeout" {
  return engine.distribution === "opensearch" && engine.major >= 2 ? "cluster_manager_timeout" : "master_timeout";
}

// ---------------------------------------------------------------------------------------------------------
// Cluster health

export type HealthStatus = "green" | "yellow" | "red";

export interface Health {
  status: HealthStatus;
  /** true when a wait_for_* condition was not met before the timeout (HTTP 408 or `timed_out: true`). */
  timedOut: boolean;
  numberOfNodes: number;
  numberOfDataNodes: number;
  relocatingShards: number;
  initializingShards: number;
  unassignedShards: number;
}

/**
 * Reads `GET _cluster/health`. With `wait_for_*` parameters Elasticsearch and OpenSearch answer HTTP 408 with
 * the same body (`timed_out: true`) when the condition was not met in time: that is "not yet", not an error.
 */
export function parseHealth(body: unknown, httpStatus = 200): Health {
  const h = asRecord(body, "cluster health");
  const status = h.status;
  if (status !== "green" && status !== "yellow" && status !== "red") {
    throw new ModelError(`cluster health has no readable status: ${JSON.stringify(status)}`);
  }
  return {
    status,
    timedOut: httpStatus === 408 || h.timed_out === true,
    numberOfNodes: asCount(h.number_of_nodes, "number_of_nodes"),
    numberOfDataNodes: asCount(h.number_of_data_nodes, "number_of_data_nodes"),
    relocatingShards: asCount(h.relocating_shards, "relocating_shards"),
    initializingShards: asCount(h.initializing_shards, "initializing_shards"),
    unassignedShards: asCount(h.unassigned_shards, "unassigned_shards"),
  };
}

const statusRank: Record<HealthStatus, number> = { red: 0, yellow: 1, green: 2 };

export function statusAtLeast(status: HealthStatus, wanted: HealthStatus): boolean {
  return statusRank[status] >= statusRank[wanted];
}

/** A node absent from the cluster holds nothing only if every copy of every shard is active elsewhere. */
export function absentNodeHoldsNothing(health: Health): boolean {
  return (
    health.status === "green" &&
    health.unassignedShards === 0 &&
    health.initializingShards === 0 &&
    health.relocatingShards === 0
  );
}

// ---------------------------------------------------------------------------------------------------------
// Nodes

export interface SearchNode {
  id: string;
  name: string;
  /** Changes each time the node process starts: tells a restarted node from one that never left. */
  ephemeralId: string;
  attributes: Record<string, string>;
}

/** Reads `GET _cluster/state/nodes` (the `nodes` map keyed by node id). */
export function parseClusterStateNodes(body: unknown): SearchNode[] {
  const state = asRecord(body, "cluster state");
  const nodes = asRecord(state.nodes, "cluster state nodes");
  return Object.entries(nodes).map(([id, raw]) => {
    const n = asRecord(raw, `node ${id}`);
    const attributes: Record<string, string> = {};
    if (n.attributes !== undefined) {
      for (const [k, v] of Object.entries(asRecord(n.attributes, `node ${id} attributes`))) attributes[k] = String(v);
    }
    return {
      id,
      name: asString(n.name, `node ${id} name`),
      ephemeralId: typeof n.ephemeral_id === "string" ? n.ephemeral_id : "",
      attributes,
    };
  });
}

export function findNode(nodes: readonly SearchNode[], name: string): SearchNode | undefined {
  return nodes.find((n) => n.name === name);
}

/** Whether the cluster has any node whose `node.attr.<attribute>` is `zone` (e.g. any spot node). */
export function hasZone(nodes: readonly SearchNode[], attribute: string, zone: string): boolean {
  return nodes.some((n) => n.attributes[attribute] === zone);
}

// ---------------------------------------------------------------------------------------------------------
// Shard copies

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

// ---------------------------------------------------------------------------------------------------------
// Cluster settings: transient shadows persistent.

export type SettingValue = string | string[];
export type FlatSettings = Record<string, SettingValue>;

export interface ClusterSettings {
  persistent: FlatSettings;
  transient: FlatSettings;
  defaults: FlatSettings;
}

/** Body of `PUT _cluster/settings`; null removes the setting from that layer. */
export interface SettingsUpdate {
  persistent?: Record<string, string | null>;
  transient?: Record<string, string | null>;
}

export const EXCLUDE_NAME = "cluster.routing.allocation.exclude._name";
export const ALLOCATION_ENABLE = "cluster.routing.allocation.enable";
export const NODE_CONCURRENT_RECOVERIES = "cluster.routing.allocation.node_concurrent_recoveries";
export const RECOVERY_MAX_BYTES = "indices.recovery.max_bytes_per_sec";

export function excludeAttributeKey(attribute: string): string {
  return `cluster.routing.allocation.exclude.${attribute}`;
}

/** Reads `GET _cluster/settings` (flat_settings or nested, with or without include_defaults). */
export function parseClusterSettings(body: unknown): ClusterSettings {
  const s = asRecord(body, "cluster settings");
  const layer = (v: unknown, name: string): FlatSettings => (v === undefined ? {} : flatten(asRecord(v, name), ""));
  if (s.persistent === undefined || s.transient === undefined) {
    throw new ModelError("cluster settings answer lacks persistent or transient");
  }
  return { persistent: layer(s.persistent, "persistent"), transient: layer(s.transient, "transient"), defaults: layer(s.defaults, "defaults") };
}

function flatten(obj: Record<string, unknown>, prefix: string, out: FlatSettings = {}): FlatSettings {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) out[key] = v.map(String);
    else if (typeof v === "object") flatten(v as Record<string, unknown>, key, out);
    else out[key] = String(v);
  }
  return out;
}

export type SettingLayer = "transient" | "persistent" | "defaults";

/** The value in force: transient if present there (even ""), else persistent, else the default. */
export function effectiveSetting(s: ClusterSettings, key: string): { value: SettingValue; layer: SettingLayer } | undefined {
  for (const layer of ["transient", "persistent", "defaults"] as const) {
    const v = s[layer][key];
    if (v !== undefined) return { value: v, layer };
  }
  return undefined;
}

/** Splits a comma-separated filter value (or an array of them) into names. */
export function parseNameList(value: SettingValue | undefined): string[] {
  if (value === undefined) return [];
  const parts = Array.isArray(value) ? value.flatMap((v) => v.split(",")) : value.split(",");
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

export function withName(list: readonly string[], name: string): string[] {
  return list.includes(name) ? [...list] : [...list, name];
}

export function withoutName(list: readonly string[], name: string): string[] {
  return list.filter((n) => n !== name);
}

/** The names in force for an exclusion filter (transient shadows persistent). */
export function effectiveExclusion(s: ClusterSettings, key: string): string[] {
  const eff = effectiveSetting(s, key);
  return eff && eff.layer !== "defaults" ? parseNameList(eff.value) : [];
}

/**
 * Adds `name` to an exclusion filter without touching other names. Written to persistent; also to
 * transient when the key is present there, since a transient value (even "") shadows the persistent one.
 * Returns null when `name` is already in every layer we would write.
 */
export function addToExclusion(s: ClusterSettings, key: string, name: string): SettingsUpdate | null {
  const update: SettingsUpdate = {};
  const persistent = parseNameList(s.persistent[key]);
  if (!persistent.includes(name)) update.persistent = { [key]: withName(persistent, name).join(",") };
  if (s.transient[key] !== undefined) {
    const transient = parseNameList(s.transient[key]);
    if (!transient.includes(name)) update.transient = { [key]: withName(transient, name).join(",") };
  }
  return update.persistent || update.transient ? update : null;
}

/**
 * Removes `name` from an exclusion filter in both layers, keeping every other name. An emptied persistent
 * value is removed (null); an emptied transient value is kept as "" so that it still shadows the persistent
 * one exactly as before. Returns null when `name` is in neither layer.
 */
export function removeFromExclusion(s: ClusterSettings, key: string, name: string): SettingsUpdate | null {
  const update: SettingsUpdate = {};
  const persistent = parseNameList(s.persistent[key]);
  if (persistent.includes(name)) {
    const rest = withoutName(persistent, name);
    update.persistent = { [key]: rest.length ? rest.join(",") : null };
  }
  const transient = parseNameList(s.transient[key]);
  if (transient.includes(name)) update.transient = { [key]: withoutName(transient, name).join(",") };
  return update.persistent || update.transient ? update : null;
}

/**
 * Sets `key` to `value` where it takes effect: persistent, and transient too when present there.
 * `restore` puts each written layer back as it was (null when the key was absent).
 */
export function overrideSetting(s: ClusterSettings, key: string, value: string): { apply: SettingsUpdate; restore: SettingsUpdate } {
  const apply: SettingsUpdate = { persistent: { [key]: value } };
  const restore: SettingsUpdate = { persistent: { [key]: scalar(s.persistent[key]) } };
  if (s.transient[key] !== undefined) {
    apply.transient = { [key]: value };
    restore.transient = { [key]: scalar(s.transient[key]) };
  }
  return { apply, restore };
}

export function mergeUpdates(...updates: (SettingsUpdate | null)[]): SettingsUpdate | null {
  const out: SettingsUpdate = {};
  for (const u of updates) {
    if (!u) continue;
    if (u.persistent) out.persistent = { ...out.persistent, ...u.persistent };
    if (u.transient) out.transient = { ...out.transient, ...u.transient };
  }
  return out.persistent || out.transient ? out : null;
}

function scalar(v: SettingValue | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(",") : v;
}

// ---------------------------------------------------------------------------------------------------------
// Recovery throttles raised during a drain

const byteUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

/** Parses a byte-size setting such as "40mb" or "1.5gb"; "-1" and "0" mean unlimited. */
export function parseByteSize(v: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([kmgtp]?b)?\s*$/i.exec(v);
  if (!m) throw new ModelError(`unreadable byte size ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  if (n <= 0) return Number.POSITIVE_INFINITY;
  return n * (byteUnits[(m[2] ?? "b").toLowerCase()] ?? 1);
}

export interface RecoveryBoost {
  /** Cluster-wide number of concurrent recoveries per node during the drain. */
  nodeConcurrentRecoveries: number;
  /** Recovery bandwidth per node during the drain, e.g. "200mb". */
  maxBytesPerSec: string;
}

/**
 * Raises the recovery throttles for a drain, never lowering a value an operator has set higher.
 * Returns what to apply and how to put the previous values back.
 */
export function planRecoveryBoost(s: ClusterSettings, want: RecoveryBoost): { apply: SettingsUpdate | null; restore: SettingsUpdate | null } {
  const plans: { apply: SettingsUpdate; restore: SettingsUpdate }[] = [];
  const recoveries = effectiveSetting(s, NODE_CONCURRENT_RECOVERIES);
  const currentRecoveries = recoveries ? Number(scalar(recoveries.value)) : 2;
  if (!(currentRecoveries >= want.nodeConcurrentRecoveries)) {
    plans.push(overrideSetting(s, NODE_CONCURRENT_RECOVERIES, String(want.nodeConcurrentRecoveries)));
  }
  const bytes = effectiveSetting(s, RECOVERY_MAX_BYTES);
  const currentBytes = bytes ? parseByteSize(scalar(bytes.value) ?? "40mb") : parseByteSize("40mb");
  if (currentBytes < parseByteSize(want.maxBytesPerSec)) plans.push(overrideSetting(s, RECOVERY_MAX_BYTES, want.maxBytesPerSec));
  return { apply: mergeUpdates(...plans.map((p) => p.apply)), restore: mergeUpdates(...plans.map((p) => p.restore)) };
}

// ---------------------------------------------------------------------------------------------------------
// Allocation explain: can this copy move anywhere?

export type MoveDecision = "yes" | "throttled" | "no" | "remains" | "unknown";

export interface MoveVerdict {
  index: string;
  shard: number;
  primary: boolean;
  /** "remains": the exclusion does not apply to this copy (it may stay), so excluding cannot empty the node. */
  decision: MoveDecision;
  reason: string;
}

/**
 * Reads `POST _cluster/allocation/explain` for a copy on an excluded node. `can_remain_on_current_node: "no"`
 * followed by `can_move_to_other_node`; the per-node deciders that said NO become the reason.
 */
export function readMoveExplanation(body: unknown): MoveVerdict {
  const e = asRecord(body, "allocation explain");
  const base = { index: asString(e.index, "explain index"), shard: asCount(e.shard, "explain shard"), primary: e.primary === true };
  const state = typeof e.current_state === "string" ? e.current_state : "";
  if (state === "relocating" || state === "initializing") return { ...base, decision: "yes", reason: `copy is ${state}` };
  if (e.can_remain_on_current_node === "yes") {
    return { ...base, decision: "remains", reason: "allocation deciders let the copy remain on the node (is the exclusion in force?)" };
  }
  if (e.can_remain_on_current_node !== "no") throw new ModelError(`allocation explain for ${base.index}/${base.shard}: no can_remain_on_current_node`);
  const move = e.can_move_to_other_node;
  if (move === "yes" || move === "throttled") return { ...base, decision: move, reason: String(e.move_explanation ?? "") };
  if (move !== "no") throw new ModelError(`allocation explain for ${base.index}/${base.shard}: unreadable can_move_to_other_node ${JSON.stringify(move)}`);
  // OpenSearch 2.x answers can_move_to_other_node "no" when every target is only throttled (recovery limits):
  // the per-node decisions tell a wait from a refusal.
  const nodeDecisions = (Array.isArray(e.node_allocation_decisions) ? e.node_allocation_decisions : []).map((d) =>
    typeof d === "object" && d !== null ? (d as Record<string, unknown>).node_decision : undefined,
  );
  if (nodeDecisions.some((d) => d === "yes" || d === "worse_balance")) return { ...base, decision: "yes", reason: String(e.move_explanation ?? "") };
  if (nodeDecisions.includes("throttled")) return { ...base, decision: "throttled", reason: String(e.move_explanation ?? "") };
  return { ...base, decision: "no", reason: explainRefusals(e) };
}

/**
 * Reads allocation explain for a copy BEFORE its node is excluded, to refuse a drain without moving anything.
 * The answer for a copy that may remain carries, when the cluster evaluated rebalancing, one decision per
 * other node from the same allocation deciders a move would ask. Nodes in `willExclude` (the spot nodes the
 * drain is about to exclude) count as refusing. "unknown" when the answer has no per-node decisions (e.g.
 * rebalancing is disabled or the cluster is not green): the check after the exclusion then decides.
 */
export function readMoveOptionsBeforeExclusion(body: unknown, willExclude: ReadonlySet<string>): MoveVerdict {
  const e = asRecord(body, "allocation explain");
  const base = { index: asString(e.index, "explain index"), shard: asCount(e.shard, "explain shard"), primary: e.primary === true };
  if (e.current_state === "relocating" || e.current_state === "initializing") return { ...base, decision: "yes", reason: `copy is ${String(e.current_state)}` };
  if (e.can_remain_on_current_node === "no") return readMoveExplanation(body);
  if (!Array.isArray(e.node_allocation_decisions) || e.node_allocation_decisions.length === 0) {
    return { ...base, decision: "unknown", reason: "no per-node decisions in the answer" };
  }
  const decisions = e.node_allocation_decisions.map((raw, i) => {
    const d = asRecord(raw, `explain node decision ${i}`);
    const name = String(d.node_name ?? d.node_id);
    return { name, decision: willExclude.has(name) ? "no" : String(d.node_decision) };
  });
  if (decisions.some((d) => d.decision === "yes" || d.decision === "worse_balance")) return { ...base, decision: "yes", reason: "" };
  if (decisions.some((d) => d.decision === "throttled")) return { ...base, decision: "throttled", reason: "" };
  const others = e.node_allocation_decisions.filter((raw) => !willExclude.has(String((raw as Record<string, unknown>).node_name)));
  const reasons = [...nodeRefusals(others), ...decisions.filter((d) => willExclude.has(d.name)).map((d) => `${d.name}: excluded by this drain`)];
  return { ...base, decision: "no", reason: `no other node can take it [${reasons.join(" | ")}]` };
}

function explainRefusals(e: Record<string, unknown>): string {
  const parts = nodeRefusals(e.node_allocation_decisions);
  const head = typeof e.move_explanation === "string" ? e.move_explanation : "cannot move to any other node";
  return parts.length ? `${head} [${parts.join(" | ")}]` : head;
}

/** "node: decider: explanation" for each node decision, naming the deciders that said NO. */
function nodeRefusals(decisions: unknown): string[] {
  const parts: string[] = [];
  for (const raw of Array.isArray(decisions) ? decisions : []) {
    if (typeof raw !== "object" || raw === null) continue;
    const d = raw as Record<string, unknown>;
    const deciders = Array.isArray(d.deciders) ? d.deciders : [];
    const no = deciders
      .filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && (x as Record<string, unknown>).decision === "NO")
      .map((x) => `${String(x.decider)}: ${String(x.explanation)}`);
    parts.push(`${String(d.node_name ?? d.node_id)}: ${no.join("; ") || String(d.node_decision)}`);
  }
  return parts;
}

/** The copies that excluding the node can never move. */
export function unmovable(verdicts: readonly MoveVerdict[]): MoveVerdict[] {
  return verdicts.filter((v) => v.decision === "no" || v.decision === "remains");
}

// ---------------------------------------------------------------------------------------------------------

export function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ModelError(`${what}: expected an object`);
  return v as Record<string, unknown>;
}

export function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ModelError(`${what}: expected an array`);
  return v;
}

export function asString(v: unknown, what: string): string {
  if (typeof v !== "string") throw new ModelError(`${what}: expected a string`);
  return v;
}

function asCount(v: unknown, what: string): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new ModelError(`${what}: expected a count, got ${JSON.stringify(v)}`);
  return n;
}
