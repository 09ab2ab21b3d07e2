/**
 * The origin cluster's hashstate (Kraken origin configuration):
 *
 *   hashstate:
 *     <physical host>: {label: <logical origin label>, weight: <integer, e.g. disk GB>}
 *   replicas: 3      # replica set size, Kraken's default
 *   port: 15002      # origin blob server port, used by repair calls
 *
 * and the classification of a change from one hashstate to the next. The
 * runbook: "All the changes to origin configuration should be applied
 * atomically and incrementally": one add, one remove, one re-weight or one
 * host replacement per update. Anything else is refused, with the single steps
 * to apply instead, in order.
 *
 * Config order is the object's key order (YAML map order; as everywhere in
 * JavaScript, integer-like keys would come first, which host names are not).
 */
import { z } from "zod";
import type { HrwNode } from "./hrw";

export const DEFAULT_REPLICAS = 3;
/**
 * Kraken's origin has no built-in blob server port (`--blobserver-port` is
 * required); 15002 is the one Kraken's own development cluster configures.
 */
export const DEFAULT_ORIGIN_PORT = 15002;

export const originNodeSchema = z.strictObject({
    label: z.string().min(1, "label must be a non-empty string"),
    weight: z.number().int("weight must be an integer").positive("weight must be positive"),
});

export const hashstateSchema = z.record(z.string().min(1, "host name must be non-empty"), originNodeSchema).superRefine((hashstate, ctx) => {
    const hostOfLabel = new Map<string, string>();
    for (const [host, node] of Object.entries(hashstate)) {
        const other = hostOfLabel.get(node.label);
        if (other !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: [host, "label"],
                message: `label ${JSON.stringify(node.label)} of hashstate.${host} is already used by hashstate.${other}; labels must be unique`,
            });
        } else {
            hostOfLabel.set(node.label, host);
        }
    }
    if (Object.keys(hashstate).length === 0) {
        ctx.addIssue({ code: "custom", path: [], message: "hashstate must name at least one origin host" });
    }
});

export const originClusterSchema = z.strictObject({
    hashstate: hashstateSchema,
    replicas: z.number().int().positive().default(DEFAULT_REPLICAS),
    port: z.number().int().min(1).max(65535).default(DEFAULT_ORIGIN_PORT),
});

export type OriginNode = z.infer<typeof originNodeSchema>;
export type Hashstate = Readonly<Record<string, OriginNode>>;
export type OriginCluster = z.infer<typeof originClusterSchema>;

/** Parses either `{hashstate: {...}, replicas?, port?}` or a bare hashstate map (a top-level `hashstate` key means the first form). */
export function parseOriginCluster(document: unknown): OriginCluster {
    const wrapped =
        typeof document === "object" && document !== null && !Array.isArray(document) && "hashstate" in document ? document : { hashstate: document };
    return originClusterSchema.parse(wrapped);
}

/** The hashstate as rendezvous nodes, in config order. */
export function hashstateNodes(hashstate: Hashstate): HrwNode[] {
    return Object.values(hashstate).map(({ label, weight }) => ({ label, weight }));
}

/** Host of each label. */
export function hostsByLabel(hashstate: Hashstate): Map<string, string> {
    return new Map(Object.entries(hashstate).map(([host, node]) => [node.label, host]));
}

/** One change the runbook allows in a single update. */
export type HashstateStep =
    | { readonly kind: "add"; readonly host: string; readonly label: string; readonly weight: number }
    | { readonly kind: "remove"; readonly host: string; readonly label: string; readonly weight: number }
    | { readonly kind: "reweight"; readonly host: string; readonly label: string; readonly from: number; readonly to: number }
    | { readonly kind: "replace-host"; readonly from: string; readonly to: string; readonly label: string; readonly weight: number };

export type HashstateChange =
    | { readonly kind: "none" }
    | HashstateStep
    | {
          readonly kind: "refused";
          /** What makes the change more than one step. */
          readonly reasons: readonly string[];
          /** The single steps to apply instead, in order; each is an allowed change of the hashstate before it. */
          readonly steps: readonly HashstateStep[];
          readonly message: string;
      };

export type ChangeKind = HashstateChange["kind"];

interface Entry {
    readonly host: string;
    readonly label: string;
    readonly weight: number;
}

interface Diff {
    readonly removed: Entry[];
    readonly added: Entry[];
    readonly reweighted: { host: string; label: string; from: number; to: number }[];
    readonly relabelled: { host: string; from: string; to: string }[];
}

function entries(hashstate: Hashstate): Entry[] {
    return Object.entries(hashstate).map(([host, n]) => ({ host, label: n.label, weight: n.weight }));
}

function diff(prev: Hashstate, next: Hashstate): Diff {
    const d: Diff = { removed: [], added: [], reweighted: [], relabelled: [] };
    for (const e of entries(prev)) {
        const n = next[e.host];
        if (n === undefined) d.removed.push(e);
        else if (n.label !== e.label) {
            d.relabelled.push({ host: e.host, from: e.label, to: n.label });
            d.removed.push(e);
        }
    }
    for (const e of entries(next)) {
        const p = prev[e.host];
        if (p === undefined || p.label !== e.label) d.added.push(e);
        else if (p.weight !== e.weight) d.reweighted.push({ host: e.host, label: e.label, from: p.weight, to: e.weight });
    }
    return d;
}

/** Describes one step in the runbook's words. */
export function describeStep(step: HashstateStep): string {
    switch (step.kind) {
        case "add":
            return `add origin host ${step.host} (label ${step.label}, weight ${step.weight})`;
        case "remove":
            return `remove origin host ${step.host} (label ${step.label}, weight ${step.weight})`;
        case "reweight":
            return `re-weight origin host ${step.host} (label ${step.label}) from ${step.from} to ${step.to}`;
        case "replace-host":
            return `replace origin host ${step.from} by ${step.to} (keeping label ${step.label}, weight ${step.weight})`;
    }
}

/** The hashstate after one step. A replacement host takes the replaced host's place in config order; an added host goes last. */
export function applyStep(hashstate: Hashstate, step: HashstateStep): Hashstate {
    const out: Record<string, OriginNode> = {};
    const present = (host: string) => Object.prototype.hasOwnProperty.call(hashstate, host);
    switch (step.kind) {
        case "add":
            if (present(step.host)) throw new Error(`cannot add ${step.host}: already in the hashstate`);
            return { ...hashstate, [step.host]: { label: step.label, weight: step.weight } };
        case "remove":
            if (!present(step.host)) throw new Error(`cannot remove ${step.host}: not in the hashstate`);
            for (const [h, n] of Object.entries(hashstate)) if (h !== step.host) out[h] = n;
            return out;
        case "reweight":
            if (!present(step.host)) throw new Error(`cannot re-weight ${step.host}: not in the hashstate`);
            return { ...hashstate, [step.host]: { label: step.label, weight: step.to } };
        case "replace-host":
            if (!present(step.from)) throw new Error(`cannot replace ${step.from}: not in the hashstate`);
            if (present(step.to)) throw new Error(`cannot replace by ${step.to}: already in the hashstate`);
            for (const [h, n] of Object.entries(hashstate)) {
                if (h === step.from) out[step.to] = { label: step.label, weight: step.weight };
                else out[h] = n;
            }
            return out;
    }
}

/**
 * Splits a change into single steps, in the order to apply them: host
 * replacements (placement-neutral), then re-weights, then additions, then
 * removals (capacity arrives before it leaves). A host whose label changes is
 * removed and added again: placement follows labels.
 */
export function splitIntoSteps(prev: Hashstate, next: Hashstate): HashstateStep[] {
    const d = diff(prev, next);
    const addedByLabel = new Map(d.added.map((a) => [a.label, a]));
    const pending: { from: Entry; to: Entry }[] = [];
    const removes: Entry[] = [];
    for (const r of d.removed) {
        const a = addedByLabel.get(r.label);
        if (a !== undefined && a.host !== r.host) {
            pending.push({ from: r, to: a });
            addedByLabel.delete(r.label);
        } else {
            removes.push(r);
        }
    }
    const adds = d.added.filter((a) => addedByLabel.get(a.label) === a);
    const reweights = d.reweighted.map((r) => ({ ...r }));

    const steps: HashstateStep[] = [];
    let state: Hashstate = prev;
    const apply = (step: HashstateStep) => {
        state = applyStep(state, step);
        steps.push(step);
    };
    const present = (host: string) => Object.prototype.hasOwnProperty.call(state, host);
    const removeNow = (host: string) => {
        const i = removes.findIndex((r) => r.host === host);
        if (i < 0) return false;
        const [r] = removes.splice(i, 1);
        apply({ kind: "remove", host: r.host, label: r.label, weight: r.weight });
        return true;
    };

    while (pending.length > 0) {
        const ready = pending.findIndex((p) => !present(p.to.host));
        if (ready >= 0) {
            const [p] = pending.splice(ready, 1);
            apply({ kind: "replace-host", from: p.from.host, to: p.to.host, label: p.from.label, weight: p.from.weight });
            if (p.to.weight !== p.from.weight) {
                reweights.push({ host: p.to.host, label: p.to.label, from: p.from.weight, to: p.to.weight });
            }
            continue;
        }
        // Every new host is still present under its old label: clear one that is
        // simply going away, or else break a cycle of label moves by removing one
        // host now and adding its replacement later.
        if (pending.some((p) => removeNow(p.to.host))) continue;
        const [p] = pending.splice(0, 1);
        apply({ kind: "remove", host: p.from.host, label: p.from.label, weight: p.from.weight });
        adds.push(p.to);
    }
    for (const r of reweights) apply({ kind: "reweight", ...r });
    // New hosts first; a host changing label is removed just before it is added
    // back, so the cluster only empties when that host is its only origin.
    for (const a of [...adds.filter((x) => !present(x.host)), ...adds.filter((x) => present(x.host))]) {
        if (present(a.host)) removeNow(a.host);
        apply({ kind: "add", host: a.host, label: a.label, weight: a.weight });
    }
    for (const r of [...removes]) removeNow(r.host);

    if (!sameHashstate(state, next)) {
        throw new Error("internal error: the split steps do not reach the requested hashstate");
    }
    return steps;
}

/** Same hosts with the same labels and weights (config order aside). */
export function sameHashstate(a: Hashstate, b: Hashstate): boolean {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((h) => b[h] !== undefined && b[h].label === a[h].label && b[h].weight === a[h].weight);
}

function reasonsOf(d: Diff): string[] {
    const reasons: string[] = [];
    const relabelledHosts = new Set(d.relabelled.map((r) => r.host));
    for (const r of d.relabelled) {
        reasons.push(`host ${r.host} changes label ${r.from} -> ${r.to} (placement follows labels: that is a removal and an addition)`);
    }
    const removed = d.removed.filter((r) => !relabelledHosts.has(r.host));
    const added = d.added.filter((a) => !relabelledHosts.has(a.host));
    if (removed.length > 0) reasons.push(`${removed.length} host(s) removed: ${removed.map((r) => r.host).join(", ")}`);
    if (added.length > 0) reasons.push(`${added.length} host(s) added: ${added.map((a) => a.host).join(", ")}`);
    if (d.reweighted.length > 0) reasons.push(`${d.reweighted.length} weight(s) changed: ${d.reweighted.map((r) => r.host).join(", ")}`);
    return reasons;
}

/** Classifies the change from `prev` to `next` (both valid hashstates). */
export function classifyChange(prev: Hashstate, next: Hashstate): HashstateChange {
    const d = diff(prev, next);
    const { removed, added, reweighted, relabelled } = d;
    if (relabelled.length === 0) {
        const changes = removed.length + added.length + reweighted.length;
        if (changes === 0) return { kind: "none" };
        if (changes === 1 && added.length === 1) return { kind: "add", ...added[0] };
        if (changes === 1 && removed.length === 1) return { kind: "remove", ...removed[0] };
        if (changes === 1 && reweighted.length === 1) return { kind: "reweight", ...reweighted[0] };
        if (changes === 2 && removed.length === 1 && added.length === 1 && removed[0].label === added[0].label && removed[0].weight === added[0].weight) {
            return { kind: "replace-host", from: removed[0].host, to: added[0].host, label: removed[0].label, weight: removed[0].weight };
        }
    }
    const reasons = reasonsOf(d);
    const steps = splitIntoSteps(prev, next);
    const message = [
        `refused: this hashstate change is not a single add, remove, re-weight or host replacement (${reasons.join("; ")}).`,
        `The runbook: "All the changes to origin configuration should be applied atomically and incrementally".`,
        `Apply it as ${steps.length} separate updates, in this order, each with its own rolling restart and repairs before the next:`,
        ...steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`),
    ].join("\n");
    return { kind: "refused", reasons, steps, message };
}
