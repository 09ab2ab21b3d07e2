/**
 * The origin update plan: the one place that decides, for one `pulumi up`, the change class, the rolling
 * restart order and the repair steps, for the Kraken that runs (origin.kraken). The stack section, the
 * OriginCluster component and the CLI all read it; none of them decides anything of its own. Pure.
 *
 * - runbook: the runbook's classification (labels and weights), rolling restart, then `POST /repair` on
 *   the origins in the runbook's order (repair.mode full) or `POST /repair/shard/<id>` for the changed
 *   shards only (repair.mode shards).
 * - released: released Kraken's model (members `host:port`, weight 100), the same rolling restart order
 *   (older origins first, a new one last), then one fill-and-cleanup step over the changed shards
 *   (ops/origin/fill.ts), since released Kraken has no repair endpoint.
 */
import { type Hashstate, type HashstateChange } from "./hashstate";
import { type FillPlan, fillPlan } from "./fill";
import { type KrakenTarget, classifyTargetChange, releasedRefusals, ringHashstate } from "./kraken";
import { DEFAULT_REPAIR_PATH, DEFAULT_SHARD_REPAIR_PATH, type ShardMovement, repairOrder, shardMovement, shardRepairPlan } from "./repair";

export type RepairMode = "full" | "shards";

export interface OriginPlanInput {
  /** The deployed hashstate; undefined on the first deployment. */
  readonly previous?: Hashstate;
  readonly next: Hashstate;
  readonly replicas: number;
  readonly port: number;
  readonly target: KrakenTarget;
  readonly repairMode: RepairMode;
  /** Whether origin.inventory is set (released: the fill needs it). */
  readonly hasInventory?: boolean;
}

export type OriginRepairStep =
  | { readonly kind: "repair"; readonly host: string; readonly label: string; readonly path: string }
  | { readonly kind: "shard-repair"; readonly host: string; readonly label: string; readonly path: string; readonly shards: readonly string[] }
  | { readonly kind: "fill"; readonly plan: FillPlan };

export interface OriginPlan {
  readonly target: KrakenTarget;
  readonly initial: boolean;
  readonly change: HashstateChange;
  /** Every origin of `next`, in the order to restart them one at a time: older first, a new one last. */
  readonly rollingRestart: readonly string[];
  /** Run one at a time after the last restart; each only after the previous succeeded. */
  readonly repairs: readonly OriginRepairStep[];
  /** Shard movement on the ring the target Kraken computes; undefined when nothing changes. */
  readonly movement?: ShardMovement;
  /** Refusals of this update (config path: why, and what happens instead); empty when it may proceed. */
  readonly refusals: readonly string[];
}

/** Hosts of `next` present in `prev` (config order of `next`), then the new ones. */
function olderThenNew(prev: Hashstate, next: Hashstate): string[] {
  const hosts = Object.keys(next);
  return [...hosts.filter((h) => prev[h] !== undefined), ...hosts.filter((h) => prev[h] === undefined)];
}

export function originUpdatePlan(input: OriginPlanInput): OriginPlan {
  const { previous, next, replicas, port, target } = input;
  const refusals: string[] = [];
  if (target === "released") refusals.push(...releasedRefusals(previous, next, port));
  if (previous === undefined) {
    return { target, initial: true, change: { kind: "none" }, rollingRestart: Object.keys(next), repairs: [], refusals };
  }
  const change = classifyTargetChange(previous, next, target);
  if (change.kind === "refused") refusals.push(`origin.hashstate: ${change.message}`);
  if (change.kind === "none" || change.kind === "refused") {
    return { target, initial: false, change, rollingRestart: Object.keys(next), repairs: [], refusals };
  }
  const rollingRestart = olderThenNew(previous, next);
  const movement = shardMovement(ringHashstate(previous, target, port), ringHashstate(next, target, port), replicas);
  let repairs: OriginRepairStep[];
  if (target === "released") {
    repairs = movement.changedShards > 0 ? [{ kind: "fill", plan: fillPlan(next, movement) }] : [];
    if (repairs.length > 0 && !input.hasInventory) {
      refusals.push(
        `origin.inventory: this update changes the owners of ${movement.changedShards} shards, and released Kraken has no repair ` +
          `endpoint: dataplat fills the blobs of those shards on their new owners from the storage backend and then cleans up the ` +
          `stale copies, which needs the list of blobs. Origins have no route that lists their store, so set origin.inventory ` +
          `{namespace, listUrl} to the namespace's backend listing. Nothing is deployed until then.`,
      );
    }
  } else if (input.repairMode === "full") {
    repairs = repairOrder(previous, next, change, DEFAULT_REPAIR_PATH).map((r) => ({ kind: "repair", ...r }));
  } else {
    repairs = shardRepairPlan(next, movement).repairs.map((r) => ({ kind: "shard-repair", host: r.host, label: r.label, path: DEFAULT_SHARD_REPAIR_PATH, shards: r.shards }));
  }
  return { target, initial: false, change, rollingRestart, repairs, movement, refusals };
}

/** One line per repair step, for the stack's plan output and the CLI. */
export function describeRepair(step: OriginRepairStep): string {
  switch (step.kind) {
    case "repair":
      return `${step.host} POST ${step.path}`;
    case "shard-repair":
      return `${step.host} POST ${step.path}/<id> x ${step.shards.length}`;
    case "fill":
      return (
        `fill the blobs of ${step.plan.shards.length} changed shards on their new owners from the backend (GET /namespace/<ns>/blobs/<d>), ` +
        `then POST /forcecleanup on ${step.plan.cleanup.length > 0 ? step.plan.cleanup.join(", ") : "any origin found holding a stale copy"}`
      );
  }
}
