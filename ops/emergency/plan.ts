/**
 * The emergency switch's plan for one `pulumi up` (config key `emergency`, caring-for-activedata.md "Emergency
 * Procedures"): refusals, the targets with the runbook's defaults, the hold resources and the process each acts
 * on, which spot fleets have their capacity held, the report and the snapshot. Pure: the stack section only
 * wires it into command resources.
 *
 * Guardrails (id, kind; all change-refusal, reported before any resource):
 * - emergency/deployed-snapshot: deployed.emergency cannot be read;
 * - emergency/unknown-host, emergency/unknown-spot-node, emergency/unknown-fleet, emergency/not-an-etl-fleet:
 *   the config names what the stack does not have (ops/emergency/steps.ts emergencyRefusals);
 * - emergency/ssh-key: the switch is on and the stop scripts have no key to reach the hosts.
 */
import { changeRefusal, type Finding, type PlatformPlan } from "../shared/platform-plan";
import { emergencySnapshotSchema } from "../state/schemas";
import { readSnapshot, type SnapshotRead } from "../state/snapshot";
import { EmergencyConfigSchema, type EmergencyConfig, type ProcessKind } from "./config";
import {
    deployedEmergency,
    emergencyRefusals,
    emergencyReport,
    emergencyTargets,
    holdResources,
    holdsFleetCapacity,
    type DeployedEmergency,
    type EmergencyReport,
    type EmergencyTargets,
    type EmergencyWorld,
    type HoldResource,
    type StepName,
} from "./steps";

export interface EmergencyPlanContext {
    /** What the config may name (ops/emergency/steps.ts emergencyWorld). */
    readonly world: EmergencyWorld;
    /** Whether dataplat:sshPrivateKey is set. */
    readonly hasSshKey: boolean;
}

/** One hold resource with the processes its scripts act on. */
export interface PlannedHold extends HoldResource {
    readonly process: { readonly kind: ProcessKind; readonly name: string; readonly batchSize: number };
}

export interface EmergencyPlan {
    /** The config the scripts are built from (the runbook's defaults when the key is absent). */
    readonly config: EmergencyConfig | undefined;
    readonly targets: EmergencyTargets;
    /** The hold resources to register, in registration order: only while the switch is on (none otherwise: the engine deletes the last update's, which resumes). */
    readonly holds: readonly PlannedHold[];
    /** Spot fleets whose capacity the switch holds in this update (ops/emergency/steps.ts holdsFleetCapacity). */
    readonly heldFleets: readonly string[];
    readonly report: EmergencyReport;
}

/** The one reader of deployed.emergency (ops/state/schemas.ts). */
export function readDeployedEmergency(previous: unknown): SnapshotRead<DeployedEmergency> {
    return readSnapshot<DeployedEmergency>("emergency", emergencySnapshotSchema, previous);
}

/** The process of each step: the balancer and the frontend one host at a time, ingestion in its batches. */
function processOf(step: StepName, t: EmergencyTargets): PlannedHold["process"] {
    if (step === "balancer") return { kind: t.balancer.kind, name: t.balancer.name, batchSize: 1 };
    if (step === "frontend") return { kind: t.frontend.kind, name: t.frontend.name, batchSize: 1 };
    return { kind: t.ingestion.kind, name: t.ingestion.name, batchSize: t.ingestion.batchSize };
}

export function emergencyPlan(
    config: EmergencyConfig | undefined,
    deployed: SnapshotRead<DeployedEmergency>,
    context: EmergencyPlanContext,
): PlatformPlan<EmergencyPlan, DeployedEmergency> {
    const refusals: Finding[] = deployed.kind === "refused" ? [changeRefusal("emergency/deployed-snapshot", deployed.message)] : [];
    if (config !== undefined) {
        refusals.push(...emergencyRefusals(config, context.world));
        if (config.active && !context.hasSshKey) {
            refusals.push(
                changeRefusal(
                    "emergency/ssh-key",
                    "emergency: the stop scripts reach the hosts over SSH: run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`",
                ),
            );
        }
    }
    const previous = deployed.kind === "ok" ? deployed.value : undefined;
    const targets = emergencyTargets(config ?? EmergencyConfigSchema.parse({ active: false }), context.world);
    const etlFleets = config !== undefined ? targets.etlFleets : [];
    const holds = config?.active === true ? holdResources().map((h): PlannedHold => ({ ...h, process: processOf(h.step, targets) })) : [];
    return {
        problems: [],
        refusals,
        plan: {
            config,
            targets,
            holds,
            heldFleets: Object.keys(context.world.fleets).filter((f) => holdsFleetCapacity(f, config, previous, etlFleets)),
            report: emergencyReport(config, previous, targets),
        },
        snapshot: deployedEmergency(config, targets.etlFleets),
    };
}
