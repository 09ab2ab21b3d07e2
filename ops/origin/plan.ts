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
import { createHash } from "node:crypto";
import type { OriginSectionConfig } from "../config/schema";
import { changeRefusal, messages, type Finding, type PlatformPlan } from "../shared/platform-plan";
import { originSnapshotSchema } from "../state/schemas";
import { readSnapshot, type SnapshotRead } from "../state/snapshot";
import { type Hashstate, type HashstateChange } from "./hashstate";
import { machineChangeRefusal, originMachines, type OriginMachine } from "./machines";
import { originConfigPath, originRolloutScript, releasedRolloutScript } from "./rollout";
import { type FillPlan, fillPlan } from "./fill";
import { type KrakenTarget, classifyTargetChange, releasedRefusals, ringHashstate } from "./kraken";
import {
    DEFAULT_REPAIR_PATH,
    DEFAULT_SHARD_REPAIR_PATH,
    type ShardMovement,
    replicasChangeRefusal,
    repairOrder,
    shardMovement,
    shardRepairPlan,
} from "./repair";

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
    /** The same refusals with their rule's id and kind. */
    readonly findings: readonly Finding[];
}

/** Hosts of `next` present in `prev` (config order of `next`), then the new ones. */
function olderThenNew(prev: Hashstate, next: Hashstate): string[] {
    const hosts = Object.keys(next);
    return [...hosts.filter((h) => prev[h] !== undefined), ...hosts.filter((h) => prev[h] === undefined)];
}

export function originUpdatePlan(input: OriginPlanInput): OriginPlan {
    const { previous, next, replicas, port, target } = input;
    const findings: Finding[] = [];
    const done = (p: Omit<OriginPlan, "refusals" | "findings">): OriginPlan => ({ ...p, refusals: messages(findings), findings });
    if (target === "released") findings.push(...releasedRefusals(previous, next, port).map((m) => changeRefusal("origin/released-model", m)));
    if (previous === undefined) {
        return done({ target, initial: true, change: { kind: "none" }, rollingRestart: Object.keys(next), repairs: [] });
    }
    const change = classifyTargetChange(previous, next, target);
    if (change.kind === "refused") findings.push(changeRefusal("origin/one-hashstate-change", `origin.hashstate: ${change.message}`));
    if (change.kind === "none" || change.kind === "refused") {
        return done({ target, initial: false, change, rollingRestart: Object.keys(next), repairs: [] });
    }
    const rollingRestart = olderThenNew(previous, next);
    const movement = shardMovement(ringHashstate(previous, target, port), ringHashstate(next, target, port), replicas);
    let repairs: OriginRepairStep[];
    if (target === "released") {
        repairs = movement.changedShards > 0 ? [{ kind: "fill", plan: fillPlan(next, movement) }] : [];
        if (repairs.length > 0 && !input.hasInventory) {
            findings.push(
                changeRefusal(
                    "origin/inventory-required",
                    `origin.inventory: this update changes the owners of ${movement.changedShards} shards, and released Kraken has no repair ` +
                        `endpoint: dataplat fills the blobs of those shards on their new owners from the storage backend and then cleans up the ` +
                        `stale copies, which needs the list of blobs. Origins have no route that lists their store, so set origin.inventory ` +
                        `{namespace, listUrl} to the namespace's backend listing. Nothing is deployed until then.`,
                ),
            );
        }
    } else if (input.repairMode === "full") {
        repairs = repairOrder(previous, next, change, DEFAULT_REPAIR_PATH).map((r) => ({ kind: "repair", ...r }));
    } else {
        repairs = shardRepairPlan(next, movement).repairs.map((r) => ({
            kind: "shard-repair",
            host: r.host,
            label: r.label,
            path: DEFAULT_SHARD_REPAIR_PATH,
            shards: r.shards,
        }));
    }
    return done({ target, initial: false, change, rollingRestart, repairs, movement });
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

/** `deployed.origin`: what the next update compares with (ops/state/schemas.ts originSnapshotSchema). */
export interface DeployedOrigin {
    readonly hashstate: Hashstate;
    readonly replicas: number;
    readonly port: number;
    /** Each origin's machine inputs (ops/origin/machines.ts); absent in snapshots of dataplat before it recorded them. */
    readonly machines?: Record<string, OriginMachine>;
}

/** The one reader of deployed.origin, fail closed: an unreadable one is a refusal, never "nothing deployed". */
export function readDeployedOrigin(previous: unknown): SnapshotRead<DeployedOrigin> {
    return readSnapshot<DeployedOrigin>("origin", originSnapshotSchema, previous);
}

export interface OriginContext {
    /** hosts.imageId: every origin's image. */
    readonly imageId: string;
    /** network.subnets: each origin's subnet is a stable pick among them. */
    readonly subnets: readonly { readonly id: string }[];
}

/** Everything the OriginCluster component wires: it decides nothing of its own. */
export interface OriginStackPlan {
    /** Rollout order, repair steps, movement (originUpdatePlan). */
    readonly update: OriginPlan;
    /** Each origin's machine (image, subnet, type, volumes), by host. */
    readonly machines: Readonly<Record<string, OriginMachine>>;
    /** The rollout script each origin runs (the runbook's hashstate, or released Kraken's config for that host). */
    readonly rolloutScripts: Readonly<Record<string, string>>;
    /** The repair commands' trigger: keyed by the new hashstate and replicas, so each change re-runs them once. */
    readonly repairTrigger: string;
    /** The section's plan output. */
    readonly report: OriginReport;
}

export interface OriginReport {
    readonly change: string;
    readonly kraken: KrakenTarget;
    readonly rollingRestart: readonly string[];
    readonly repairs: readonly string[];
    readonly movedFraction?: number;
    readonly minimumFraction?: number;
    readonly changedShards?: number;
}

/** The stack's plan output of one update. */
export function originReport(plan: OriginPlan): OriginReport {
    if (plan.initial) return { change: "initial deployment", kraken: plan.target, rollingRestart: plan.rollingRestart, repairs: [] };
    const movement = plan.movement;
    return {
        change: plan.change.kind,
        kraken: plan.target,
        rollingRestart: plan.change.kind === "none" ? [] : plan.rollingRestart,
        repairs: plan.repairs.map(describeRepair),
        ...(movement ? { movedFraction: movement.movedFraction, minimumFraction: movement.minimumFraction, changedShards: movement.changedShards } : {}),
    };
}

/**
 * The origin section's plan: refusals (an unreadable snapshot alone; else a replicas or port change, the
 * update plan's, more than one origin on a new machine), the update plan built once, each origin's machine and
 * rollout script, and the snapshot to record.
 *
 * Guardrails (id, kind; all change-refusal): origin/deployed-snapshot, origin/replicas-change,
 * origin/port-change, origin/released-model, origin/one-hashstate-change, origin/inventory-required,
 * origin/machine-replacement.
 */
export function originPlan(
    config: OriginSectionConfig,
    deployed: SnapshotRead<DeployedOrigin>,
    context: OriginContext,
): PlatformPlan<OriginStackPlan, DeployedOrigin> {
    const next = config.hashstate as Hashstate;
    const prev = deployed.kind === "ok" ? deployed.value : undefined;
    const update = originUpdatePlan({
        previous: prev?.hashstate,
        next,
        replicas: config.replicas,
        port: config.port,
        target: config.kraken,
        repairMode: config.repair.mode,
        hasInventory: config.inventory !== undefined,
    });
    const machines = originMachines(Object.keys(next), config, context.imageId, context.subnets);
    const refusals: Finding[] = [];
    if (deployed.kind === "refused") {
        refusals.push(changeRefusal("origin/deployed-snapshot", deployed.message));
    } else if (prev === undefined) {
        refusals.push(...update.findings);
    } else {
        const replicas = replicasChangeRefusal(prev.replicas, config.replicas);
        if (replicas) refusals.push(changeRefusal("origin/replicas-change", `origin.replicas: ${replicas}`));
        if (prev.port !== config.port) {
            refusals.push(
                changeRefusal(
                    "origin/port-change",
                    `origin.port: changing the origin port (${prev.port} -> ${config.port}) would cut every client at once; keep ${prev.port}`,
                ),
            );
        }
        refusals.push(...update.findings);
        if (prev.machines !== undefined) {
            const replaced = machineChangeRefusal(prev.machines, machines);
            if (replaced) refusals.push(changeRefusal("origin/machine-replacement", replaced));
        }
    }
    const configPath = originConfigPath(config.kraken, config.configPath);
    const rolloutOf = (host: string): string =>
        config.kraken === "runbook"
            ? originRolloutScript({
                  hashstate: next,
                  replicas: config.replicas,
                  port: config.port,
                  configPath,
                  serviceName: config.serviceName,
                  healthPath: config.restart.healthPath,
                  timeoutSeconds: config.restart.timeoutSeconds,
              })
            : releasedRolloutScript({
                  hashstate: next,
                  replicas: config.replicas,
                  port: config.port,
                  host,
                  configPath,
                  baseConfig: config.baseConfig,
                  serviceName: config.serviceName,
                  healthPath: config.restart.healthPath,
                  timeoutSeconds: config.restart.timeoutSeconds,
              });
    return {
        problems: [],
        refusals,
        plan: {
            update,
            machines,
            rolloutScripts: Object.fromEntries(Object.keys(next).map((h) => [h, rolloutOf(h)])),
            repairTrigger: createHash("sha256")
                .update(JSON.stringify([next, config.replicas]))
                .digest("hex")
                .slice(0, 16),
            report: originReport(update),
        },
        snapshot: { hashstate: next, replicas: config.replicas, port: config.port, machines },
    };
}
