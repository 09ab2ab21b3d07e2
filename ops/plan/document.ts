/**
 * The plan of one `pulumi up`, as a reviewer reads it: each section's steps in the runbooks' words, the
 * sections in the order the engine first touches them, and the resources created, replaced, updated and
 * deleted, counted by kind. Pure: no Pulumi import, no I/O.
 *
 * Every figure comes from the evaluated program: the section steps from its `plan` output
 * (sections.ts), the resource steps from the engine model (ops/engine/steps.ts planUpdate) run on the
 * previous and next evaluated graphs. Nothing here is a second copy of a rule.
 */
import { entryFor } from "../provider/replacement";
import { planUpdate, type ModelGraph, type Step } from "../engine/steps";
import { sectionPlan, type SectionPlan } from "./sections";

/** What the CLI hands over: the two evaluated graphs (the previous one absent on a first deployment). */
export interface PlanInput {
    readonly stack: string;
    /** The deployed state: the previous stack file, evaluated. Undefined: a first deployment. */
    readonly previous?: EvaluatedGraph;
    readonly next: EvaluatedGraph;
}

export interface EvaluatedGraph extends ModelGraph {
    readonly outputs: Record<string, unknown>;
}

/** Per resource type: how many of them this update creates, replaces, updates and deletes. */
export interface KindCount {
    readonly kind: string;
    readonly created: number;
    readonly replaced: number;
    readonly updated: number;
    readonly deleted: number;
}

export interface Refusal {
    /** Where the refusal comes from: a section key, "config", or "engine" (protected resources). */
    readonly source: string;
    /** The refusal, with its fix as the program words it. */
    readonly message: string;
}

export interface PlanDocument {
    readonly stack: string;
    /** "initial deployment" (no previous stack file), "update" or "no change". */
    readonly change: "initial deployment" | "update" | "no change" | "refused";
    /** Sections in the order the engine first touches their resources; unchanged ones last. */
    readonly sections: (SectionPlan & { readonly resources: KindCount[] })[];
    /** Resources outside every section (tiers, queues, buckets, hosts, roles) that change. */
    readonly foundation: KindCount[];
    /** Every resource step, counted by kind (all sections and the foundation). */
    readonly resources: KindCount[];
    readonly refusals: Refusal[];
}

/** The component type that holds each section's resources (stacks/sections/*: the component each define() builds). */
export const SECTION_COMPONENTS: Readonly<Record<string, string>> = {
    origin: "dataplat:origin:OriginCluster",
    spotFleets: "dataplat:spot:SpotFleet",
    platform: "dataplat:platform:LayeredPlatform",
    controlPlane: "dataplat:platform:ControlPlane",
    search: "dataplat:search:SearchCluster",
};

/** The section a resource belongs to: the key of its nearest ancestor that is a section's component, else undefined. */
export function sectionOf(urn: string, byUrn: ReadonlyMap<string, { readonly type: string; readonly parent?: string }>): string | undefined {
    const keyOf = new Map(Object.entries(SECTION_COMPONENTS).map(([k, t]) => [t, k]));
    for (let at = byUrn.get(urn), guard = 0; at && guard < 64; at = at.parent ? byUrn.get(at.parent) : undefined, guard++) {
        const key = keyOf.get(at.type);
        if (key) return key;
    }
    return undefined;
}

const CHANGING = new Set<Step["op"]>(["create", "update", "create-replacement", "replace", "delete-replaced", "delete", "read-replacement", "refused"]);

/** Counts resource steps by kind; a replacement (create-replacement, replace, delete-replaced) counts once. Components are not counted. */
export function countByKind(steps: readonly Step[]): KindCount[] {
    const rows = new Map<string, { created: Set<string>; replaced: Set<string>; updated: Set<string>; deleted: Set<string> }>();
    for (const s of steps) {
        if (entryFor(s.type).kind === "component") continue;
        const row = rows.get(s.type) ?? { created: new Set(), replaced: new Set(), updated: new Set(), deleted: new Set() };
        rows.set(s.type, row);
        if (s.op === "create") row.created.add(s.urn);
        else if (s.op === "update") row.updated.add(s.urn);
        else if (s.op === "delete") row.deleted.add(s.urn);
        else if (s.op === "create-replacement" || s.op === "replace" || s.op === "delete-replaced" || s.op === "read-replacement") row.replaced.add(s.urn);
    }
    return [...rows]
        .map(([kind, r]) => ({ kind, created: r.created.size, replaced: r.replaced.size, updated: r.updated.size, deleted: r.deleted.size }))
        .filter((r) => r.created + r.replaced + r.updated + r.deleted > 0)
        .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

/** Builds the plan of the update from `input.previous` (deployed) to `input.next` (the program). */
export function buildPlan(input: PlanInput): PlanDocument {
    const prev: ModelGraph = input.previous ?? { resources: [] };
    const update = planUpdate(prev, input.next);
    const byUrn = new Map([...prev.resources, ...input.next.resources].map((r) => [r.urn, r]));
    const plans = (input.next.outputs.plan ?? {}) as Record<string, unknown>;
    const snaps = {
        previous: input.previous?.outputs.deployed as Record<string, unknown> | undefined,
        next: input.next.outputs.deployed as Record<string, unknown> | undefined,
    };
    const initial = input.previous === undefined;

    // The engine's order: a section is placed where its first changing resource step is.
    const changing = update.steps.filter((s) => CHANGING.has(s.op));
    const firstStep = new Map<string, number>();
    changing.forEach((s, i) => {
        const key = sectionOf(s.urn, byUrn);
        if (key !== undefined && !firstStep.has(key)) firstStep.set(key, i);
    });
    const declared = Object.keys(plans);
    const order = [...declared].sort((a, b) => (firstStep.get(a) ?? Infinity) - (firstStep.get(b) ?? Infinity) || declared.indexOf(a) - declared.indexOf(b));
    const sections = order.map((key) => ({
        ...sectionPlan(key, plans[key], snaps, initial),
        resources: countByKind(changing.filter((s) => sectionOf(s.urn, byUrn) === key)),
    }));

    const refusals: Refusal[] = update.steps
        .filter((s) => s.op === "refused")
        .map((s) => ({
            source: "engine",
            message: `${s.type} ${s.name}: ${s.because.join("; ")}; fix: keep this resource as deployed in this update (revert the change), or remove its protection in an update of its own first`,
        }));
    const resources = countByKind(changing);
    const foundation = countByKind(changing.filter((s) => sectionOf(s.urn, byUrn) === undefined));
    const change = refusals.length > 0 ? "refused" : initial ? "initial deployment" : resources.length > 0 ? "update" : "no change";
    return { stack: input.stack, change, sections, foundation, resources, refusals };
}

/**
 * The plan of an update the program refused before registering anything: the guardrails' or the config
 * validation's message, one refusal per listed item (each already names its fix).
 */
export function refusedPlan(stack: string, message: string): PlanDocument {
    const items = message
        .split("\n")
        .map((l) => l.match(/^\s+- (.*)$/)?.[1])
        .filter((l): l is string => l !== undefined);
    const refusals = (items.length > 0 ? items : [message.trim()]).map((m) => {
        const source = m.match(/^([A-Za-z]+)[.:[]/)?.[1] ?? "config";
        return { source, message: m };
    });
    return { stack, change: "refused", sections: [], foundation: [], resources: [], refusals };
}
