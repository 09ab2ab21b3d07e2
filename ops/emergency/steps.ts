/**
 * The decisions of the runbook's "Emergency Procedures" (caring-for-activedata.md): which steps, in which order
 * they stop and resume, what each resume waits for, which resources hold them and how those depend on each other,
 * what "active" means for the spot fleets, and which config is refused. Pure: no Pulumi, no I/O, no clock.
 *
 * Stop, in the runbook's order ("The ES cluster is red! ..."):
 *   1. "Stop the esShardBalancer" (it "will try it's best to bring ES to yellow state, even to the point of allowing
 *      data loss"), 2. "Stop the FrontEnd" (`stop gunicorn`), 3. "Stopping ETL" ("set price to zero"),
 *   4. "Stopping ingestion" (`push-to-es`, "10 machines at a time").
 * Resume, in the runbook's resume order, which is not the reverse:
 *   1. "Resume esShardBalancer on manager machine" ("When you get a yellow cluster"), 2. "Resume the FrontEnd" ("as
 *      soon as ES is yellow"), 3. "Resume Ingestion" ("wait ... until after the recent indexes are green"),
 *   4. "Resume ETL" (the same wait), last.
 */
import type { EmergencyConfig } from "./config";
import { changeRefusal, type Finding } from "../shared/platform-plan";

export type StepName = "balancer" | "frontend" | "etl" | "ingestion";

export const STOP_ORDER: readonly StepName[] = ["balancer", "frontend", "etl", "ingestion"];
export const RESUME_ORDER: readonly StepName[] = ["balancer", "frontend", "ingestion", "etl"];

/** The runbook's title of each step, for plans and messages. */
export const STEP_TITLES: Readonly<Record<StepName, { stop: string; resume: string }>> = {
    balancer: { stop: "Stop the esShardBalancer", resume: "Resume esShardBalancer on manager machine" },
    frontend: { stop: "Stop the FrontEnd", resume: "Resume the FrontEnd" },
    etl: { stop: "Stopping ETL", resume: "Resume ETL" },
    ingestion: { stop: "Stopping ingestion", resume: "Resume Ingestion" },
};

/** What a resume waits for before it starts anything. Stops wait for nothing: an emergency is never gated. */
export type Gate = { readonly kind: "cluster"; readonly status: "yellow" } | { readonly kind: "recent-green" };

export const RESUME_GATES: Readonly<Record<StepName, Gate>> = {
    balancer: { kind: "cluster", status: "yellow" },
    frontend: { kind: "cluster", status: "yellow" },
    ingestion: { kind: "recent-green" },
    etl: { kind: "recent-green" },
};

/**
 * The resource design. The engine creates in dependency order and deletes, at the end of an update, in reverse
 * dependency order (ops/engine/steps.ts R8); a single resource per step cannot give two different orders. So each
 * step is held by two command resources:
 *   - `stop-<step>`: create stops the step, delete does nothing. Each depends on the stop of the step before it in
 *     STOP_ORDER, so turning the switch on creates balancer -> frontend -> etl -> ingestion.
 *   - `resume-<step>`: create does nothing, delete waits for the step's gate and resumes it. Each depends on the
 *     resume of the step *after* it in RESUME_ORDER (and on its own stop), so turning the switch off deletes
 *     balancer -> frontend -> ingestion -> etl. A failed delete stops the update: the later resumes stay in the
 *     state, their steps stay stopped, and the next `pulumi up` deletes (resumes) them in the same order.
 */
export interface HoldResource {
    readonly id: string;
    readonly step: StepName;
    readonly role: "stop" | "resume";
    readonly dependsOn: readonly string[];
}

export const holdId = (role: "stop" | "resume", step: StepName): string => `${role}-${step}`;

export function holdResources(): HoldResource[] {
    const stops = STOP_ORDER.map((step, i): HoldResource => ({
        id: holdId("stop", step),
        step,
        role: "stop",
        dependsOn: i === 0 ? [] : [holdId("stop", STOP_ORDER[i - 1])],
    }));
    const resumes = RESUME_ORDER.map((step, i): HoldResource => ({
        id: holdId("resume", step),
        step,
        role: "resume",
        dependsOn: [...(i + 1 < RESUME_ORDER.length ? [holdId("resume", RESUME_ORDER[i + 1])] : []), holdId("stop", step)],
    }));
    // Registration order must put every dependency first: stops, then resumes from the last to resume to the first.
    return [...stops, ...[...resumes].reverse()];
}

/** The `emergency` entry of the `deployed` snapshot: what the next update needs to know. */
export interface DeployedEmergency {
    readonly active: boolean;
    readonly since: string | null;
    readonly reason: string | null;
    /** The etl fleets the switch holds at capacity 0. */
    readonly etlFleets: readonly string[];
}

/**
 * What "active" means for a spot fleet: its capacity is held (the stack does not change it, the emergency's
 * commands do) while the switch is on, and during the update that turns it off, whose last resume brings the
 * fleet "back to the plan of its configured budget". The update after that manages the capacity again.
 */
export function holdsFleetCapacity(
    fleet: string,
    next: EmergencyConfig | undefined,
    previous: DeployedEmergency | undefined,
    etlFleets: readonly string[],
): boolean {
    if (next?.active === true) return etlFleets.includes(fleet);
    return previous?.active === true && previous.etlFleets.includes(fleet);
}

/** The snapshot an update records: active with its fleets, or inactive (the update after turns fleets back to the stack). */
export function deployedEmergency(next: EmergencyConfig | undefined, etlFleets: readonly string[]): DeployedEmergency {
    if (next?.active !== true) return { active: false, since: null, reason: null, etlFleets: [] };
    return { active: true, since: next.since ?? null, reason: next.reason ?? null, etlFleets: [...etlFleets] };
}

/** What the config names, as the stack has it. */
export interface EmergencyWorld {
    /** Names of the stack's hosts (hosts.frontend, hosts.manager, ...). */
    readonly hosts: readonly string[];
    /** search.spotNodes names (undefined: no search section). */
    readonly spotNodes?: readonly string[];
    /** spotFleets name -> tier. */
    readonly fleets: Readonly<Record<string, string>>;
}

/** The processes and fleets the switch acts on, with the runbook's defaults filled in. */
export interface EmergencyTargets {
    readonly balancer: { readonly host: string; readonly kind: "supervisor" | "systemd"; readonly name: string };
    readonly frontend: { readonly hosts: readonly string[]; readonly kind: "supervisor" | "systemd"; readonly name: string };
    readonly ingestion: { readonly nodes: readonly string[]; readonly kind: "supervisor" | "systemd"; readonly name: string; readonly batchSize: number };
    readonly etlFleets: readonly string[];
}

export function emergencyTargets(c: EmergencyConfig, world: EmergencyWorld): EmergencyTargets {
    return {
        balancer: c.balancer,
        frontend: c.frontend,
        ingestion: { nodes: c.ingestion.nodes ?? world.spotNodes ?? [], kind: c.ingestion.kind, name: c.ingestion.name, batchSize: c.ingestion.batchSize },
        etlFleets:
            c.etl.fleets ??
            Object.entries(world.fleets)
                .filter(([, tier]) => tier === "etl")
                .map(([name]) => name)
                .sort(),
    };
}

/**
 * Config that names what the stack does not have, refused before any resource with its path (ids
 * emergency/unknown-host, emergency/unknown-spot-node, emergency/unknown-fleet, emergency/not-an-etl-fleet). The search cluster's
 * own fleets are never touched: naming one is refused ("It is not safe to change the spending on the ES cluster").
 */
export function emergencyRefusals(c: EmergencyConfig, world: EmergencyWorld): Finding[] {
    const out: Finding[] = [];
    const hosts = `hosts of the stack: ${world.hosts.join(", ")}`;
    if (!world.hosts.includes(c.balancer.host))
        out.push(changeRefusal("emergency/unknown-host", `emergency.balancer.host: ${JSON.stringify(c.balancer.host)} is not one of the ${hosts}`));
    c.frontend.hosts.forEach((h, i) => {
        if (!world.hosts.includes(h))
            out.push(changeRefusal("emergency/unknown-host", `emergency.frontend.hosts[${i}]: ${JSON.stringify(h)} is not one of the ${hosts}`));
    });
    c.ingestion.nodes?.forEach((n, i) => {
        if (world.spotNodes === undefined) {
            out.push(
                changeRefusal(
                    "emergency/unknown-spot-node",
                    `emergency.ingestion.nodes[${i}]: ${JSON.stringify(n)}: the stack has no search section, so no ES spot nodes`,
                ),
            );
        } else if (!world.spotNodes.includes(n)) {
            out.push(
                changeRefusal(
                    "emergency/unknown-spot-node",
                    `emergency.ingestion.nodes[${i}]: ${JSON.stringify(n)} is not one of search.spotNodes (${world.spotNodes.join(", ") || "none"})`,
                ),
            );
        }
    });
    c.etl.fleets?.forEach((f, i) => {
        const tier = world.fleets[f];
        if (tier === undefined) {
            out.push(
                changeRefusal(
                    "emergency/unknown-fleet",
                    `emergency.etl.fleets[${i}]: ${JSON.stringify(f)} is not one of spotFleets (${Object.keys(world.fleets).join(", ") || "none"})`,
                ),
            );
        } else if (tier !== "etl") {
            out.push(
                changeRefusal(
                    "emergency/not-an-etl-fleet",
                    `emergency.etl.fleets[${i}]: ${JSON.stringify(f)} is a ${tier} fleet; the switch only stops ETL fleets ("dialing [the ES cluster] down to zero will cause suffering")`,
                ),
            );
        }
    });
    return out;
}

/** The plan and stack output of the switch. */
export interface EmergencyReport {
    readonly active: boolean;
    readonly since: string | null;
    readonly reason: string | null;
    readonly text: string;
    readonly order: readonly string[];
}

export function emergencyReport(next: EmergencyConfig | undefined, previous: DeployedEmergency | undefined, t: EmergencyTargets): EmergencyReport {
    const what: Record<StepName, string> = {
        balancer: `${t.balancer.kind} ${t.balancer.name} on ${t.balancer.host}`,
        frontend: `${t.frontend.kind} ${t.frontend.name} on ${t.frontend.hosts.join(", ")}`,
        etl: t.etlFleets.length ? `fleets ${t.etlFleets.join(", ")} to capacity 0 (budgets kept)` : "no ETL fleet",
        ingestion: t.ingestion.nodes.length
            ? `${t.ingestion.kind} ${t.ingestion.name} on ${t.ingestion.nodes.join(", ")}, ${t.ingestion.batchSize} at a time`
            : "no ES spot node",
    };
    const gate = (s: StepName) => (RESUME_GATES[s].kind === "cluster" ? "once the cluster is at least yellow" : "once the recent indexes are green");
    if (next?.active === true) {
        const order = STOP_ORDER.map((s) => `${STEP_TITLES[s].stop}: ${what[s]}`);
        const since = next.since ?? null;
        return {
            active: true,
            since,
            reason: next.reason ?? null,
            order,
            text: `EMERGENCY ACTIVE${since ? ` since ${since}` : ""}: ${next.reason}. ${previous?.active ? "Kept stopped" : "Stop in order"}: ${order.join("; ")}. Resume with active: false`,
        };
    }
    const order = RESUME_ORDER.map((s) => `${STEP_TITLES[s].resume} ${gate(s)}: ${what[s]}`);
    if (previous?.active === true) {
        return { active: false, since: null, reason: null, order, text: `emergency over: resume in order, each behind its gate: ${order.join("; ")}` };
    }
    return { active: false, since: null, reason: null, order: [], text: "no emergency" };
}

/** The world of a stack config (structural, so this module needs no import of the stack schema). */
export function emergencyWorld(cfg: {
    readonly hosts: Readonly<Record<string, unknown>>;
    readonly search?: { readonly spotNodes: readonly { readonly name: string }[] };
    readonly spotFleets?: Readonly<Record<string, { readonly tier: string }>>;
}): EmergencyWorld {
    return {
        hosts: Object.keys(cfg.hosts).filter((h) => h !== "imageId"),
        ...(cfg.search ? { spotNodes: cfg.search.spotNodes.map((n) => n.name) } : {}),
        fleets: Object.fromEntries(Object.entries(cfg.spotFleets ?? {}).map(([name, f]) => [name, f.tier])),
    };
}
