/**
 * `dataplat:emergency`: the runbook's "Emergency Procedures" (caring-for-activedata.md) as one switch. Decisions
 * live in ops/emergency (order, gates, what "active" means, refusals); this file only wires them into command
 * resources.
 *
 * How the engine's own ordering gives both orders (ops/emergency/steps.ts holdResources): each step is held by a
 * `stop-<step>` Command (create: stop; delete: nothing) and a `resume-<step>` Command (create: nothing; delete:
 * wait for the gate, then resume). Creates run in dependency order, so the stops chain "Stop the esShardBalancer"
 * -> "Stop the FrontEnd" -> "Stopping ETL" -> "Stopping ingestion". Deletes run at the end of the update in
 * reverse dependency order, so the resumes depend on each other backwards: "Resume esShardBalancer on manager
 * machine" ("When you get a yellow cluster") -> "Resume the FrontEnd" ("as soon as ES is yellow") -> "Resume
 * Ingestion" ("wait ... until after the recent indexes are green") -> "Resume ETL", last. A resume that fails
 * (its gate times out, a host does not answer) stops the update: the resumes not yet run stay in the state, their
 * steps stay stopped, and the next `pulumi up` deletes them in the same order.
 *
 * Decisions (refusals, targets, holds, held fleets, report) come from ops/emergency/plan.ts, computed once by the
 * program before any resource (emergencySectionPlan). Unlike the other sections the switch is not in SECTIONS: its key may be removed (that resumes, it is not "removing
 * the whole section"), and it needs what the other sections built (host and spot node addresses, fleet ids), so
 * the program calls it after them.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../ops/config/schema";
import { emergencyPlan, readDeployedEmergency, type EmergencyPlan } from "../../ops/emergency/plan";
import { EMERGENCY_ENV, NOOP, stepScripts } from "../../ops/emergency/scripts";
import { DeployedEmergency, EmergencyReport, emergencyWorld, StepName } from "../../ops/emergency/steps";
import { endpointWithCredentials, SEARCH_ENDPOINT_ENV } from "../../ops/search/commands";
import { SEARCH_CA_ENV, SEARCH_TLS_NAME_ENV } from "../../ops/search/security";
import type { PlatformPlan } from "../../ops/shared/platform-plan";
import { SectionContext } from "./section";

/**
 * The switch's plan (ops/emergency/plan.ts), computed once by the program before any resource: its refusals
 * are reported with the sections', its held fleets go to the spotFleets section, and defineEmergency wires it.
 */
export function emergencySectionPlan(previous: unknown, cfg: StackConfig, hasSshKey: boolean): PlatformPlan<EmergencyPlan, DeployedEmergency> {
    return emergencyPlan(cfg.emergency, readDeployedEmergency(previous), { world: emergencyWorld(cfg), hasSshKey });
}

/** What the program hands over from the sections defined before the switch. */
export interface EmergencyWiring {
    /** Private IP per host of `hosts` (frontend, manager, logger). */
    readonly hostIps: Readonly<Record<string, pulumi.Output<string>>>;
    /** Private IP per search node name (search section output nodeIps). */
    readonly searchNodeIps: Readonly<Record<string, pulumi.Input<string>>>;
    /** The admin endpoint with any credentials (a secret), for the resume gates. */
    readonly searchEndpoint?: pulumi.Output<string>;
    /** With search admin.tls: the CA the gates trust and the certificate name they check (as the drains do). */
    readonly searchAdminTls?: { readonly caPem: pulumi.Output<string>; readonly serverName: string };
    /** Fleet id and planned target per spot fleet name (spotFleets section outputs). */
    readonly fleets: Readonly<Record<string, { readonly fleetId: pulumi.Input<string>; readonly targetCapacity: pulumi.Input<number> }>>;
}

export interface EmergencyResult {
    readonly deployed: DeployedEmergency;
    readonly outputs: EmergencyReport;
    /** The report (ops/emergency/steps.ts emergencyReport), shown by `npm run plan` as the emergency section. */
    readonly plan: EmergencyReport;
    /**
     * The stdout of every command the switch declares: each resolves once its create (a stop, or the no-op of a
     * resume) ran in this update, so `deployed` (which records the switch as on) waits for the stops.
     */
    readonly gates: readonly pulumi.Output<unknown>[];
}

/** The admin endpoint of the search section's outputs, with the credentials of admin.auth basic. */
export function searchEndpointOf(search: Record<string, unknown> | undefined, password: pulumi.Output<string>): pulumi.Output<string> | undefined {
    if (search === undefined) return undefined;
    const url = pulumi.output(search.adminUrl as pulumi.Input<string>);
    const user = search.adminUser as string | undefined;
    return pulumi.secret(pulumi.all([url, password]).apply(([u, p]) => (user === undefined ? u : endpointWithCredentials(u, { username: user, password: p }))));
}

const lines = (rows: pulumi.Input<string>[]): pulumi.Output<string> => pulumi.all(rows).apply((r) => r.join("\n"));

export function defineEmergency(ctx: SectionContext, wiring: EmergencyWiring, planned: PlatformPlan<EmergencyPlan, DeployedEmergency>): EmergencyResult {
    const { config, targets, holds, report } = planned.plan;
    const deployed = planned.snapshot;
    // Inactive (or no key): nothing is registered; the engine deletes the holds of the last update, which resumes.
    if (config?.active !== true) return { deployed, outputs: report, plan: report, gates: [] };

    const key = ctx.secrets.sshPrivateKey!;
    const hostLines = (step: StepName): pulumi.Output<string> => {
        if (step === "balancer") return lines([pulumi.interpolate`${targets.balancer.host} ${wiring.hostIps[targets.balancer.host]}`]);
        if (step === "frontend") return lines(targets.frontend.hosts.map((h) => pulumi.interpolate`${h} ${wiring.hostIps[h]}`));
        return lines(targets.ingestion.nodes.map((n) => pulumi.interpolate`${n} ${wiring.searchNodeIps[n]}`));
    };
    const region = ctx.providers.aws("spot").region.apply((r) => r ?? "");
    const environmentOf = (step: StepName): pulumi.Input<Record<string, pulumi.Input<string>>> => {
        const gate: Record<string, pulumi.Input<string>> = {
            ...(wiring.searchEndpoint ? { [SEARCH_ENDPOINT_ENV]: wiring.searchEndpoint } : {}),
            ...(wiring.searchAdminTls ? { [SEARCH_CA_ENV]: wiring.searchAdminTls.caPem, [SEARCH_TLS_NAME_ENV]: wiring.searchAdminTls.serverName } : {}),
        };
        if (step === "etl") {
            const fleets = lines(targets.etlFleets.map((f) => pulumi.interpolate`${f} ${wiring.fleets[f].fleetId} ${wiring.fleets[f].targetCapacity}`));
            return { [EMERGENCY_ENV.fleets]: fleets, AWS_REGION: region, ...gate };
        }
        return { [EMERGENCY_ENV.targets]: hostLines(step), [EMERGENCY_ENV.sshKey]: key, ...gate };
    };

    const made = new Map<string, command.local.Command>();
    for (const hold of holds) {
        const scripts = stepScripts(hold.step, hold.process, config);
        const args: command.local.CommandArgs =
            hold.role === "stop"
                ? // Any change of inputs re-runs the stop: while active, every later update keeps the step stopped.
                  { create: scripts.stop, delete: NOOP, environment: environmentOf(hold.step), interpreter: ["/bin/bash", "-c"] }
                : { create: NOOP, update: NOOP, delete: scripts.resume, environment: environmentOf(hold.step), interpreter: ["/bin/bash", "-c"] };
        made.set(hold.id, new command.local.Command(ctx.name(`emergency-${hold.id}`), args, { dependsOn: hold.dependsOn.map((d) => made.get(d)!) }));
    }
    return { deployed, outputs: report, plan: report, gates: [...made.values()].map((c) => c.stdout) };
}
