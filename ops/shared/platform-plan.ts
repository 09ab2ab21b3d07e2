/**
 * The one shape every platform's decisions take (issue 13): each `ops/<platform>/plan.ts` exports a pure
 * function from (validated config, deployed snapshot read) to a PlatformPlan. Sections only call it and
 * wire the result; components receive its decisions and make none. Pure: no Pulumi, no I/O, no clock.
 *
 * Guardrails carry an id and a kind, the way cdk-nag registers each rule with its level:
 * - `config-problem`: the config alone is wrong, whatever is deployed (refused at validation);
 * - `change-refusal`: the change from what is deployed to this config is unsafe (refused before the first
 *   resource is registered, with nothing changed).
 */
import type { SnapshotRead } from "../state/snapshot";

export type GuardrailKind = "config-problem" | "change-refusal";

export interface Finding {
    /** Stable id of the rule, `<platform>/<rule>` (e.g. `search/one-data-node-per-update`). */
    readonly id: string;
    readonly kind: GuardrailKind;
    /** What is wrong and what to do, in the runbook's words; shown to the operator as written. */
    readonly message: string;
}

export interface PlatformPlan<Plan, Snapshot> {
    /** Config problems (kind `config-problem`). */
    readonly problems: readonly Finding[];
    /** Change refusals (kind `change-refusal`), including an unreadable snapshot. */
    readonly refusals: readonly Finding[];
    /** The decisions of this update (order, zones, subnets, child names, repair steps...). */
    readonly plan: Plan;
    /** What the update records in the stack's `deployed` output for the next one to compare with. */
    readonly snapshot: Snapshot;
}

/** A plan function: (validated config, the read of the deployed snapshot) to a PlatformPlan. */
export type PlanFunction<Config, Snapshot, Plan, Context = undefined> = (
    config: Config,
    deployed: SnapshotRead<Snapshot>,
    context: Context,
) => PlatformPlan<Plan, Snapshot>;

export const configProblem = (id: string, message: string): Finding => ({ id, kind: "config-problem", message });
export const changeRefusal = (id: string, message: string): Finding => ({ id, kind: "change-refusal", message });

/** The messages of findings, in order (sections hand these to the stack's refusal report unchanged). */
export const messages = (findings: readonly Finding[]): string[] => findings.map((f) => f.message);
