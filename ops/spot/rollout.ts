/**
 * Rolling upgrade of a fleet's instances after its launch template version changed ("Upgrading existing
 * pipelines": update_etl.py logs in to 40 machines at a time and bounces the ETL on each; here the machines
 * are replaced instead). Pure decisions over what EC2 reported; cli/spot.ts does the calls and the waiting.
 *
 *  1. accountFor(): every active instance of the fleet must be accounted for before anything is
 *     terminated: launched from the fleet's template (EC2's `aws:ec2launchtemplate:id` and
 *     `aws:ec2launchtemplate:version` tags), of a type the fleet weighs. Anything else refuses the rollout.
 *  2. batches of `batchSize` old instances, oldest launch first (then by id).
 *  3. after terminating a batch, recovery(): the batch is gone, no instance on an old version appeared,
 *     and the fleet is back at the capacity it had before the batch (capped at its target) with every
 *     instance that arrived on the new version. Until then the rollout waits; at the timeout it fails.
 */

export interface FleetInstance {
    readonly id: string;
    readonly type: string;
    /** EC2 instance state name: pending, running, shutting-down, terminated, stopping, stopped. */
    readonly state: string;
    /** Unix milliseconds. */
    readonly launchTime: number;
    readonly templateId?: string;
    readonly version?: string;
}

export interface FleetState {
    readonly fleetId: string;
    /** EC2 Fleet state: submitted, active, modifying, deleted, ... */
    readonly state: string;
    readonly type: string;
    readonly targetCapacity: number;
    /** Launch template and version new instances come from, as the fleet says ("$Latest" resolved). */
    readonly templateId: string;
    readonly version: string;
    /** Weighted capacity per instance type (the fleet's overrides). */
    readonly weights: Readonly<Record<string, number>>;
}

/** Only these states hold capacity; shutting-down and terminated instances are gone for the fleet. */
const ACTIVE = new Set(["pending", "running"]);
export const isActive = (i: FleetInstance): boolean => ACTIVE.has(i.state);

export interface Accounting {
    /** On the wanted version. */
    readonly current: readonly FleetInstance[];
    /** On another version of the same template: to replace. */
    readonly old: readonly FleetInstance[];
    /** Active instances the rollout cannot account for, and why. Non-empty: nothing may be terminated. */
    readonly unaccounted: readonly { readonly id: string; readonly why: string }[];
}

export function accountFor(fleet: FleetState, instances: readonly FleetInstance[], version: string): Accounting {
    const current: FleetInstance[] = [];
    const old: FleetInstance[] = [];
    const unaccounted: { id: string; why: string }[] = [];
    for (const i of instances.filter(isActive)) {
        if (fleet.weights[i.type] === undefined) unaccounted.push({ id: i.id, why: `type ${i.type} is not one of the fleet's overrides` });
        else if (i.templateId === undefined || i.version === undefined) unaccounted.push({ id: i.id, why: "no aws:ec2launchtemplate:id/version tags" });
        else if (i.templateId !== fleet.templateId) unaccounted.push({ id: i.id, why: `launched from ${i.templateId}, not the fleet's ${fleet.templateId}` });
        else if (i.version === version) current.push(i);
        else old.push(i);
    }
    return { current, old, unaccounted };
}

/** Weighted capacity of the active instances. */
export function capacity(fleet: FleetState, instances: readonly FleetInstance[]): number {
    return instances.filter(isActive).reduce((a, i) => a + (fleet.weights[i.type] ?? 0), 0);
}

/** The old instances in the order they are replaced, cut into batches. */
export function batches(old: readonly FleetInstance[], batchSize: number): FleetInstance[][] {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a whole number > 0, got ${batchSize}`);
    const order = [...old].sort((a, b) => a.launchTime - b.launchTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const out: FleetInstance[][] = [];
    for (let k = 0; k < order.length; k += batchSize) out.push(order.slice(k, k + batchSize));
    return out;
}

export interface BatchStart {
    /** Ids of the batch being replaced. */
    readonly batch: readonly string[];
    /** Ids of every instance active when the batch was terminated. */
    readonly before: readonly string[];
    /** min(capacity before the batch, target): what must come back. */
    readonly want: number;
}

export function startBatch(fleet: FleetState, instances: readonly FleetInstance[], batch: readonly FleetInstance[]): BatchStart {
    return {
        batch: batch.map((i) => i.id),
        before: instances.filter(isActive).map((i) => i.id),
        want: Math.min(capacity(fleet, instances), fleet.targetCapacity),
    };
}

export type Recovery =
    | { readonly kind: "waiting"; readonly progress: string }
    | { readonly kind: "recovered"; readonly progress: string }
    | { readonly kind: "failed"; readonly why: string };

/** Is the fleet back after a batch? Failed when it launched something the rollout cannot account for. */
export function recovery(fleet: FleetState, instances: readonly FleetInstance[], start: BatchStart, version: string): Recovery {
    const active = instances.filter(isActive);
    const known = new Set(start.before);
    const arrived = active.filter((i) => !known.has(i.id));
    const strays = arrived.filter((i) => fleet.weights[i.type] === undefined || i.templateId !== fleet.templateId || i.version !== version);
    if (strays.length > 0) {
        return {
            kind: "failed",
            why: `the fleet launched ${strays.map((i) => `${i.id} (${i.type}, ${i.templateId ?? "no template"} version ${i.version ?? "unknown"})`).join(", ")}, not ${fleet.templateId} version ${version}`,
        };
    }
    const batch = new Set(start.batch);
    const lingering = active.filter((i) => batch.has(i.id)).length;
    const have = capacity(fleet, active);
    const progress = `${have}/${start.want} units back (${arrived.length} new on version ${version}${lingering ? `, ${lingering} of the batch still shutting down` : ""})`;
    return lingering === 0 && have >= start.want ? { kind: "recovered", progress } : { kind: "waiting", progress };
}

/** Refusals before anything is terminated: a fleet that does not replace what is terminated, or still launches another version. */
export function fleetRefusal(fleet: FleetState | undefined, fleetId: string, templateId: string, version: string): string | undefined {
    if (fleet === undefined) return `fleet ${fleetId} not found`;
    if (fleet.type !== "maintain") return `fleet ${fleetId} is of type ${fleet.type}: only a maintain fleet replaces terminated instances`;
    if (fleet.state !== "active") return `fleet ${fleetId} is ${fleet.state}, not active`;
    if (fleet.templateId !== templateId || fleet.version !== version) {
        return `fleet ${fleetId} launches ${fleet.templateId} version ${fleet.version}, not ${templateId} version ${version}: a replacement would come back on the old version`;
    }
    return undefined;
}

/** Running mix against the share cap: units and share per type, and the types over it. */
export function mix(
    fleet: FleetState,
    instances: readonly FleetInstance[],
    cap: number,
): { total: number; types: { type: string; units: number; share: number; over: boolean }[] } {
    const total = capacity(fleet, instances);
    const units = new Map<string, number>();
    for (const i of instances.filter(isActive)) units.set(i.type, (units.get(i.type) ?? 0) + (fleet.weights[i.type] ?? 0));
    const types = [...units.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([type, u]) => ({ type, units: u, share: total > 0 ? u / total : 0, over: total > 0 && u > cap * total + 1e-9 }));
    return { total, types };
}
