// The imperative shell of "Changing Cluster Config" (drain a node before changing it) and "Fixing Cluster"
// (controlled bounce). Every decision is a model.ts predicate; this file only calls the cluster, waits on
// cluster events (health long-polls) and fails closed: timeout, red, node gone or an API error -> OpsFailure.

import { spawn } from "node:child_process";
import type { SearchClient } from "./client";
import { OpsFailure } from "./failures";
import {
  ALLOCATION_ENABLE,
  EXCLUDE_NAME,
  type HealthStatus,
  type MoveVerdict,
  type SearchNode,
  type SettingsUpdate,
  type ShardCopy,
  absentNodeHoldsNothing,
  addToExclusion,
  drainProgress,
  effectiveExclusion,
  excludeAttributeKey,
  findNode,
  hasZone,
  overrideSetting,
  readMoveExplanation,
  readMoveOptionsBeforeExclusion,
  planRecoveryBoost,
  removeFromExclusion,
  statusAtLeast,
  unmovable,
} from "./model";

export type Log = (line: string) => void;

/** Longest single long-poll: the loop re-checks the predicates at least this often. */
const MAX_POLL_SECONDS = 30;
/** How long a red cluster may take to turn yellow (a new index is red until its primaries start). */
const RED_GRACE_SECONDS = 30;

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
  log?: Log;
}

export type DrainOutcome = "drained" | "absent";

export interface DrainReport {
  outcome: DrainOutcome;
  seconds: number;
}

/**
 * Moves every shard copy off `node`: exclude the spot zone (optional), exclude the node by name, raise the
 * recovery throttles, refuse if allocation explain says a copy cannot move, then wait on relocation events
 * until the node holds nothing and no copy is unassigned. Throttles are restored whatever happens; on failure
 * the exclusions this call added are taken back unless `keepExclusionOnFailure`.
 */
export async function drain(client: SearchClient, o: DrainOptions): Promise<DrainReport> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const deadline = started + o.timeoutSeconds * 1000;
  const attribute = o.zoneAttribute ?? "zone";

  const health = await client.health();
  const nodes = await client.nodes();
  if (!findNode(nodes, o.node)) {
    if (absentNodeHoldsNothing(health)) {
      log(`drain ${o.node}: not in the cluster and the cluster is green with every copy active: nothing to drain`);
      return { outcome: "absent", seconds: elapsed(started) };
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

  const before = await client.settings();
  const spotKey = excludeAttributeKey(attribute);
  const addSpot = o.spotZone !== undefined && hasZone(nodes, attribute, o.spotZone) && !effectiveExclusion(before, spotKey).includes(o.spotZone);
  const addNode = !effectiveExclusion(before, EXCLUDE_NAME).includes(o.node);
  const boost = planRecoveryBoost(before, {
    nodeConcurrentRecoveries: o.nodeConcurrentRecoveries ?? 4,
    maxBytesPerSec: o.maxBytesPerSec ?? "200mb",
  });

  // Refuse before changing anything when a copy has nowhere to go (the spot nodes about to be excluded count as
  // nowhere); the check after the exclusion below is the authoritative one.
  const willExclude = new Set(addSpot ? nodes.filter((n) => n.attributes[attribute] === o.spotZone).map((n) => n.name) : []);
  await refuseUnmovable(client, o.node, await client.shards(), (body) => readMoveOptionsBeforeExclusion(body, willExclude));

  let failure: unknown;
  try {
    if (addSpot && o.spotZone) {
      log(`drain ${o.node}: excluding zone ${attribute}=${o.spotZone}`);
      await put(client, addToExclusion(before, spotKey, o.spotZone));
    }
    log(`drain ${o.node}: excluding node ${o.node}`);
    await put(client, addToExclusion(before, EXCLUDE_NAME, o.node));
    if (boost.apply) await client.putSettings(boost.apply);
    await refuseUnmovable(client, o.node, await client.shards(), readMoveExplanation);
    await waitUntilDrained(client, o.node, deadline, log);
  } catch (e) {
    failure = e;
  }

  const cleanup: string[] = [];
  if (boost.restore) {
    try {
      await client.putSettings(boost.restore);
    } catch (e) {
      cleanup.push(`recovery settings not restored (${errorText(e)}): put back ${JSON.stringify(boost.restore)}`);
    }
  }
  if (failure !== undefined && !o.keepExclusionOnFailure) {
    try {
      const now = await client.settings();
      if (addNode) await put(client, removeFromExclusion(now, EXCLUDE_NAME, o.node));
      if (addSpot && o.spotZone) await put(client, removeFromExclusion(now, spotKey, o.spotZone));
      log(`drain ${o.node}: failed; took back the exclusions this drain added`);
    } catch (e) {
      cleanup.push(`exclusions not taken back (${errorText(e)}): run undrain for ${o.node}`);
    }
  }
  for (const line of cleanup) log(`drain ${o.node}: ${line}`);
  if (failure !== undefined) throw failure;
  if (cleanup.length) throw new OpsFailure("api", cleanup.join("; "));
  log(`drain ${o.node}: drained in ${elapsed(started).toFixed(1)}s`);
  return { outcome: "drained", seconds: elapsed(started) };
}

async function waitUntilDrained(client: SearchClient, node: string, deadline: number, log: Log): Promise<void> {
  let red = false;
  for (;;) {
    const [copies, nodes] = await Promise.all([client.shards(), client.nodes()]);
    if (!findNode(nodes, node)) throw new OpsFailure("lost", `node ${node} left the cluster during the drain: its copies are lost, not moved`);
    if (red) await refuseRed(client, node, deadline);
    const p = drainProgress(copies, node);
    if (p.drained) return;
    const left = remainingSeconds(deadline);
    log(
      `drain ${node}: ${p.onNode} shard copies on node (${p.relocatingAway} relocating away, ${p.initializingOnto} initializing onto it), ` +
        `${p.unassigned} unassigned in cluster, ${Math.round(left)}s left`,
    );
    if (left <= 0) {
      throw new OpsFailure("timeout", `node ${node} is not drained at the timeout: ${p.onNode} shard copies on it, ${p.unassigned} unassigned in the cluster`);
    }
    if (p.moving === 0) {
      // Nothing moves: ask the cluster whether the copies left can move at all.
      await refuseUnmovable(client, node, copies, readMoveExplanation);
      await sleep(Math.min(1000, left * 1000));
    }
    const h = await client.health({
      waitForNoRelocatingShards: p.moving > 0,
      waitForNoInitializingShards: p.moving > 0,
      timeoutSeconds: p.moving > 0 ? Math.min(MAX_POLL_SECONDS, Math.max(1, left)) : 0,
    });
    red = h.status === "red";
  }
}

async function refuseRed(client: SearchClient, node: string, deadline: number): Promise<void> {
  const h = await client.health({ waitForStatus: "yellow", timeoutSeconds: Math.max(1, Math.min(RED_GRACE_SECONDS, remainingSeconds(deadline))) });
  if (h.status === "red") throw new OpsFailure("lost", `cluster turned red during the drain of ${node} (${h.unassignedShards} unassigned): stopping`);
}

/** Allocation explain for each STARTED copy on the node; refuses when one can never move. */
async function refuseUnmovable(
  client: SearchClient,
  node: string,
  copies: readonly ShardCopy[],
  read: (body: unknown) => MoveVerdict,
): Promise<void> {
  const waiting = drainProgress(copies, node).waiting;
  const verdicts: MoveVerdict[] = [];
  for (const copy of waiting) {
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
      `${stuck.length} shard copies on ${node} cannot move anywhere:\n  ${lines.join("\n  ")}\n` +
        `Add a data node that can take them (or lower the index's replicas / total_shards_per_node), then retry.`,
    );
  }
}

export interface UndrainOptions {
  node: string;
  /** Also take this zone out of the zone exclusion ("Re-enable spot nodes"). */
  spotZone?: string;
  zoneAttribute?: string;
  log?: Log;
}

/** Removes just `node` from the name exclusion (transient and persistent); other names stay. */
export async function undrain(client: SearchClient, o: UndrainOptions): Promise<void> {
  const log = o.log ?? (() => undefined);
  const s = await client.settings();
  const update = removeFromExclusion(s, EXCLUDE_NAME, o.node);
  if (update) {
    await client.putSettings(update);
    log(`undrain ${o.node}: removed from ${EXCLUDE_NAME}`);
  } else log(`undrain ${o.node}: not excluded`);
  if (o.spotZone !== undefined) await restoreSpot(client, { spotZone: o.spotZone, zoneAttribute: o.zoneAttribute, log });
}

export interface SpotOptions {
  spotZone: string;
  zoneAttribute?: string;
  log?: Log;
}

/** "Ensure all nodes are reliable": adds the zone to `cluster.routing.allocation.exclude.<attr>`. */
export async function excludeSpot(client: SearchClient, o: SpotOptions): Promise<void> {
  const key = excludeAttributeKey(o.zoneAttribute ?? "zone");
  await put(client, addToExclusion(await client.settings(), key, o.spotZone));
  o.log?.(`excluded ${key}=${o.spotZone}`);
}

/** "Re-enable spot nodes": removes just that zone from the zone exclusion. */
export async function restoreSpot(client: SearchClient, o: SpotOptions): Promise<void> {
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
}

/** Waits until a node named `node` is in the cluster (polls the cluster state's nodes every second). */
export async function waitJoined(client: SearchClient, o: WaitJoinedOptions): Promise<SearchNode> {
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  let lastLog = 0;
  for (;;) {
    const n = findNode(await client.nodes(), o.node);
    if (n && (o.notEphemeralId === undefined || n.ephemeralId !== o.notEphemeralId)) {
      o.log?.(`node ${o.node} is in the cluster`);
      return n;
    }
    const left = remainingSeconds(deadline);
    if (left <= 0) throw new OpsFailure("timeout", `node ${o.node} did not join the cluster within ${o.timeoutSeconds}s`);
    if (Date.now() - lastLog > 10_000) {
      o.log?.(`waiting for node ${o.node} to join (${Math.round(left)}s left)`);
      lastLog = Date.now();
    }
    await sleep(Math.min(1000, left * 1000));
  }
}

/** Long-polls cluster health until `status` (408 answers are "not yet"); throws timeout at the deadline. */
export async function waitForStatus(client: SearchClient, status: HealthStatus, timeoutSeconds: number, log?: Log): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const left = remainingSeconds(deadline);
    const h = await client.health({ waitForStatus: status, timeoutSeconds: Math.min(MAX_POLL_SECONDS, Math.max(0, Math.floor(left))) });
    if (statusAtLeast(h.status, status)) return;
    log?.(`cluster is ${h.status} (${h.unassignedShards} unassigned, ${h.initializingShards} initializing), waiting for ${status}`);
    if (remainingSeconds(deadline) <= 0) throw new OpsFailure("timeout", `cluster still ${h.status} after ${timeoutSeconds}s (wanted ${status})`);
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
  run?: (command: string, timeoutSeconds: number) => Promise<number>;
}

/**
 * "Fixing Cluster": allocation primaries (or none) -> run the restart command -> wait for a new process of the
 * node to join -> allocation back to its previous value (also when the restart or the rejoin failed) -> green.
 */
export async function bounce(client: SearchClient, o: BounceOptions): Promise<void> {
  const log = o.log ?? (() => undefined);
  const deadline = Date.now() + o.timeoutSeconds * 1000;
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
    const code = await (o.run ?? runShell)(o.restart, Math.max(1, remainingSeconds(deadline)));
    if (code !== 0) throw new OpsFailure("restart", `restart command exited ${code}`);
    await waitJoined(client, { node: o.node, timeoutSeconds: Math.max(1, remainingSeconds(deadline)), notEphemeralId: before?.ephemeralId, log });
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
  await waitForStatus(client, "green", Math.max(1, remainingSeconds(deadline)), log);
  log(`bounce ${o.node}: cluster green`);
}

function runShell(command: string, timeoutSeconds: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { stdio: ["ignore", process.stderr, process.stderr], timeout: timeoutSeconds * 1000 });
    child.on("error", () => resolve(127));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function put(client: SearchClient, update: SettingsUpdate | null): Promise<void> {
  if (update) await client.putSettings(update);
}

function remainingSeconds(deadline: number): number {
  return (deadline - Date.now()) / 1000;
}

function elapsed(started: number): number {
  return (Date.now() - started) / 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
