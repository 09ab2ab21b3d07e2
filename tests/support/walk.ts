/**
 * Random walks over the config edits operators make, each step evaluated through the offline program against the
 * last accepted step's outputs (the `deployed` baseline, as `--previous` would give it), and each accepted step read
 * through the engine model (ops/engine/steps.ts: what `pulumi up` would create, replace and delete, and in which
 * order). Shared by tests/walk (a CI-sized walk) and bench/walk (a long one).
 *
 * Invariants of every accepted step:
 *  - at most one search data node leaves (its instance deleted or replaced), and none is stopped in place;
 *  - no drain runs while its instance stays, and no in-place change needs a stop of a one-time spot instance;
 *  - every search instance that is deleted or replaced has its drain deleted or replaced with it, deleted before the
 *    instance, and (when it goes too) its undrain deleted after the instance;
 *  - no EC2 fleet is replaced or deleted;
 *  - every replacement key follows the provider (replacementKeyViolations);
 *  - the origin hashstate changes by at most one label (add, remove, reweight or move one origin), and at most one
 *    origin machine leaves.
 * Every refused step must be refused with messages that each name the config path they are about.
 */
import { planUpdate, Step, UpdatePlan } from "../../ops/engine/steps";
import { wouldReplace } from "../../ops/provider/replacement";
import { evaluateStack, GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, rawFromDoc } from "./graph";
import { prng } from "./prng";

export type Doc = { config: Record<string, any> };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface Edit {
    readonly label: string;
    /** Changes `doc` in place; returns a description, or undefined when it does not apply to this doc. */
    apply(doc: Doc, r: () => number): string | undefined;
}

const SEARCH_TYPES = ["r6i.2xlarge", "r6i.4xlarge", "r6id.2xlarge", "m6i.large", "m6i.xlarge", "r7g.2xlarge"];
const HEAPS = ["4g", "8g", "16g", "30g", "31g"];
const HOST_TYPES = ["m6i.xlarge", "m6i.2xlarge", "r6i.4xlarge", "t3.large", "t3.medium"];

const searchOf = (d: Doc) => d.config["dataplat:search"];
const searchNodes = (d: Doc): any[] => {
    const s = searchOf(d);
    return s ? [...(s.coordinator ? [s.coordinator] : []), ...s.masters, ...s.backupNodes, ...s.spotNodes] : [];
};

/** Sets `key` of a random search node to `value(node)`. */
function searchNodeEdit(label: string, key: string, value: (n: any, r: () => number) => unknown): Edit {
    return {
        label,
        apply: (d, r) => {
            const nodes = searchNodes(d);
            if (nodes.length === 0) return undefined;
            const n = pick(r, nodes);
            n[key] = value(n, r);
            return `search ${n.name}.${key} = ${n[key]}`;
        },
    };
}

/** The edits of the runbooks, each a small change to one key of the stack file. */
export const EDITS: readonly Edit[] = [
    searchNodeEdit("bump a search node's generation", "generation", (n) => (n.generation ?? 0) + 1),
    searchNodeEdit("change a search node's instance type", "instanceType", (_, r) => pick(r, SEARCH_TYPES)),
    searchNodeEdit("change a search node's heap", "heap", (_, r) => pick(r, HEAPS)),
    {
        label: "add a search spot node",
        apply: (d, r) => {
            const s = searchOf(d);
            if (!s) return undefined;
            const used = new Set(searchNodes(d).map((n) => n.name));
            let i = 1;
            while (used.has(`spot-${i}`)) i++;
            s.spotNodes.push({ name: `spot-${i}`, instanceType: "r6id.2xlarge", heap: "31g", volumeSizeGiB: 1500, subnet: Math.floor(r() * 3) });
            return `search add spot-${i}`;
        },
    },
    {
        label: "remove a search data node",
        apply: (d, r) => {
            const s = searchOf(d);
            if (!s) return undefined;
            const group = r() < 0.7 ? s.spotNodes : s.backupNodes;
            if (group.length === 0) return undefined;
            const [gone] = group.splice(Math.floor(r() * group.length), 1);
            return `search remove ${gone.name}`;
        },
    },
    {
        label: "flip search decommission",
        apply: (d) => {
            const s = searchOf(d);
            if (!s) return undefined;
            s.decommission = !s.decommission;
            return `search.decommission = ${s.decommission}`;
        },
    },
    {
        label: "add, remove or reweight an origin",
        apply: (d, r) => {
            const o = d.config["dataplat:origin"];
            if (!o) return undefined;
            const hosts = Object.keys(o.hashstate);
            const roll = r();
            if (roll < 0.35) {
                let i = hosts.length + 1;
                while (o.hashstate[`kraken-origin-master${String(i).padStart(2, "0")}-sjc1`]) i++;
                const host = `kraken-origin-master${String(i).padStart(2, "0")}-sjc1`;
                const labels = new Set(Object.values(o.hashstate).map((v: any) => v.label));
                let l = 0;
                while (labels.has(`origin${l}`)) l++;
                o.hashstate[host] = { label: `origin${l}`, weight: pick(r, [7500, 15000]) };
                return `origin add ${host}`;
            }
            if (roll < 0.6 && hosts.length > 0) {
                const host = pick(r, hosts);
                delete o.hashstate[host];
                return `origin remove ${host}`;
            }
            if (hosts.length === 0) return undefined;
            const host = pick(r, hosts);
            o.hashstate[host].weight = pick(r, [5000, 7500, 15000, 20000]);
            return `origin ${host}.weight = ${o.hashstate[host].weight}`;
        },
    },
    {
        label: "change a spot fleet's budget",
        apply: (d, r) => {
            const f = d.config["dataplat:spotFleets"];
            const name = f ? pick(r, Object.keys(f)) : undefined;
            if (!name) return undefined;
            f[name].budget = pick(r, [0, 0.5, 1, 2, 3, 4, 6]);
            return `spotFleets.${name}.budget = ${f[name].budget}`;
        },
    },
    {
        label: "change a spot fleet's prices",
        apply: (d, r) => {
            const f = d.config["dataplat:spotFleets"];
            const name = f ? pick(r, Object.keys(f)) : undefined;
            if (!name || !f[name].prices) return undefined;
            const factor = pick(r, [0.8, 0.9, 1.1, 1.2]);
            for (const t of Object.keys(f[name].prices)) f[name].prices[t] = Math.round(f[name].prices[t] * factor * 10000) / 10000;
            return `spotFleets.${name}.prices x ${factor}`;
        },
    },
    {
        label: "bump or retype a platform host",
        apply: (d, r) => {
            const p = d.config["dataplat:platform"];
            if (!p) return undefined;
            const h = pick(r, p.hosts as any[]);
            if (r() < 0.6) {
                h.generation = (h.generation ?? 0) + 1;
                return `platform ${h.name}.generation = ${h.generation}`;
            }
            h.instanceType = pick(r, HOST_TYPES);
            return `platform ${h.name}.instanceType = ${h.instanceType}`;
        },
    },
    {
        label: "bump a control-plane host",
        apply: (d, r) => {
            const c = d.config["dataplat:controlPlane"];
            if (!c) return undefined;
            const h = r() < 0.4 ? c.headnode : pick(r, c.computeNodes as any[]);
            h.generation = (h.generation ?? 0) + 1;
            return `controlPlane ${h.name}.generation = ${h.generation}`;
        },
    },
    {
        label: "change hosts.imageId or origin.dataVolumeGiB",
        apply: (d, r) => {
            if (r() < 0.5) {
                d.config["dataplat:hosts"].imageId = pick(r, ["ami-0aaaaaaaaaaaaaaa1", "ami-0bbbbbbbbbbbbbbb2"]);
                return `hosts.imageId = ${d.config["dataplat:hosts"].imageId}`;
            }
            const o = d.config["dataplat:origin"];
            if (!o) return undefined;
            o.dataVolumeGiB = pick(r, [12000, 15000, 16000]);
            return `origin.dataVolumeGiB = ${o.dataVolumeGiB}`;
        },
    },
    {
        label: "retype a foundation host",
        apply: (d, r) => {
            const name = pick(r, ["frontend", "manager", "logger"]);
            d.config["dataplat:hosts"][name].instanceType = pick(r, HOST_TYPES);
            return `hosts.${name}.instanceType = ${d.config["dataplat:hosts"][name].instanceType}`;
        },
    },
];

/** Config keys a refusal may be about: each refusal line must start with one of these paths. */
const PATH =
    /^(search|origin|spotFleets|platform|controlPlane|hosts|network|queues|buckets|alerting|foundation|deployed|environment|prefix|sshPrivateKey|dataplat:[A-Za-z]+)\b[.:[\s]/;

/** Problems with a refusal's text: a line that does not name the path it is about. */
export function refusalProblems(message: string): string[] {
    const lines = message
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("- "));
    if (lines.length === 0) return [`no refusal line in: ${message.slice(0, 300)}`];
    return lines.filter((l) => !PATH.test(l.slice(2))).map((l) => `refusal does not name a path: ${l.slice(0, 200)}`);
}

/** A search node's drain is named after its instance (`<instance>-drain`, both from the node's identity). */
const drainOf = (g: StackGraph, instance: GraphResource) => g.resources.find((d) => d.type === "command:local:Command" && d.name === `${instance.name}-drain`);

const LEAVES = new Set(["delete", "delete-replaced"]);

/** Invariant violations of one accepted step, read through the engine model. */
export function stepViolations(prev: StackGraph, next: StackGraph, plan: UpdatePlan = planUpdate(prev, next)): string[] {
    const out: string[] = [];
    const position = new Map<string, number>();
    plan.deleteAntichains.forEach((chain, i) => chain.forEach((u) => position.set(u, i)));
    const leaving = (urn: string): Step | undefined => plan.steps.find((s) => s.urn === urn && LEAVES.has(s.op));
    const byUrn = new Map(prev.resources.map((r) => [r.urn, r]));

    const dataLeaving = prev.resources.filter((r) => r.type === "aws:ec2/instance:Instance" && drainOf(prev, r) !== undefined && leaving(r.urn));
    if (dataLeaving.length > 1) out.push(`${dataLeaving.length} search data nodes leave in one update: ${dataLeaving.map((r) => r.name).join(", ")}`);

    for (const instance of prev.resources.filter((r) => r.type === "aws:ec2/instance:Instance" && leaving(r.urn))) {
        const drain = drainOf(prev, instance);
        if (drain !== undefined) {
            if (!leaving(drain.urn)) out.push(`${instance.name} leaves but its drain ${drain.name} stays`);
            else if (!(position.get(drain.urn)! < position.get(instance.urn)!)) out.push(`${drain.name} is not deleted before ${instance.name}`);
        }
        // The undrain the instance depends on: if it goes too, it goes after the instance.
        const undrains = instance.explicitDependsOn.filter((u) => byUrn.get(u)?.name.endsWith("-undrain"));
        for (const u of undrains) {
            if (leaving(u) && !(position.get(u)! > position.get(instance.urn)!)) out.push(`${byUrn.get(u)!.name} is deleted before ${instance.name}`);
        }
    }
    // A drain that runs while its instance stays empties a live node (and its old undrain lets the shards back).
    for (const drain of prev.resources.filter((d) => d.type === "command:local:Command" && d.name.endsWith("-drain") && leaving(d.urn))) {
        const instance = prev.resources.find((i) => i.type === "aws:ec2/instance:Instance" && `${i.name}-drain` === drain.name);
        if (instance && !leaving(instance.urn)) out.push(`${drain.name} runs its drain but ${instance.name} stays`);
    }
    for (const s of plan.steps) {
        const data = s.type === "aws:ec2/instance:Instance" && byUrn.has(s.urn) && drainOf(prev, byUrn.get(s.urn)!) !== undefined;
        if (s.downtime && data) out.push(`${s.name}: search data node stopped and started in place (${s.because.join(", ")})`);
        if (s.failsOnOneTimeSpot) out.push(`${s.name}: an in-place change that needs a stop, which a one-time spot instance refuses (${s.because.join(", ")})`);
    }
    for (const s of plan.steps) {
        if (s.type === "aws:ec2/fleet:Fleet" && s.op !== "same" && s.op !== "update" && s.op !== "create")
            out.push(`fleet ${s.name}: ${s.op} (${s.because.join(", ")})`);
    }
    const originsLeaving = prev.resources.filter((r) => r.type === "aws:ec2/instance:Instance" && /-origin-/.test(r.name) && leaving(r.urn));
    if (originsLeaving.length > 1) out.push(`${originsLeaving.length} origin machines leave in one update: ${originsLeaving.map((r) => r.name).join(", ")}`);
    const originOf = (g: StackGraph) =>
        ((g.outputs.deployed as any)?.origin?.hashstate ?? undefined) as Record<string, { label: string; weight: number }> | undefined;
    const [a, b] = [originOf(prev), originOf(next)];
    if (a && b) {
        const byLabel = (h: Record<string, { label: string; weight: number }>) =>
            new Map(Object.entries(h).map(([host, v]) => [v.label, `${host}:${v.weight}`]));
        const [x, y] = [byLabel(a), byLabel(b)];
        const changed = [...new Set([...x.keys(), ...y.keys()])].filter((l) => x.get(l) !== y.get(l));
        if (changed.length > 1) out.push(`origin: ${changed.length} labels change in one update (${changed.join(", ")})`);
    }
    out.push(...replacementKeyViolations(prev, next));
    return out;
}

const INSTANCE = "aws:ec2/instance:Instance";
/** `<host>-g<generation>-<8 hex>`: an instance named from its replacement identity (search nodes, the headnode). */
const IDENTITY_NAME = /^(.*)-g\d+-[0-9a-f]{8}$/;

/**
 * The keys the program computes for "what replaces this" must change exactly when the provider would replace
 * (ops/provider/replacement.ts wouldReplace: the provider's ForceNew/CustomizeDiff inputs plus the resource's own
 * replaceOnChanges, after ignoreChanges):
 *  - an instance named from its identity (search nodes, the headnode) keeps its name only if the provider would
 *    not replace it: otherwise it would be replaced under its old name, which the identity did not foresee;
 *  - when such an instance gets a new identity, the provider would replace the old machine by the new one's
 *    inputs: a new identity with nothing replacing changed is a needless replacement (the headnode, which ignores
 *    its user data and is replaced only through its name, needs only a machine that differs);
 *  - a host under a fixed name (platform, compute nodes, origins, foundation hosts): the identity its commands
 *    carry as their first trigger changes exactly when the provider replaces the instance;
 *  - no launch template is replaced (the fleets point at its latest version, in place).
 */
export function replacementKeyViolations(prev: StackGraph, next: StackGraph): string[] {
    const out: string[] = [];
    const nextByUrn = new Map(next.resources.map((r) => [r.urn, r]));
    // The commands keyed to a host's machine: they run only on it (their only instance dependency is its instance; the
    // connection itself is a secret in the graph) and their triggers end with its instance id (`[identity, id]`).
    // Commands keyed to something else (an origin repair's hashstate digest) are not about the machine.
    const firstTrigger = (g: StackGraph, instance: GraphResource): string[] => {
        const instances = new Set(g.resources.filter((r) => r.type === INSTANCE).map((r) => r.urn));
        const onHost = g.resources.filter((c) => {
            const deps = c.dependsOn.filter((u) => instances.has(u));
            const triggers = c.inputs.triggers;
            return (
                c.type.startsWith("command:") &&
                deps.length === 1 &&
                deps[0] === instance.urn &&
                Array.isArray(triggers) &&
                triggers.length > 1 &&
                /^i-[0-9a-f]+$/.test(String(triggers[triggers.length - 1]))
            );
        });
        return [...new Set(onHost.map((c) => JSON.stringify((c.inputs.triggers as unknown[])[0])))].sort();
    };
    for (const old of prev.resources.filter((r) => r.type === INSTANCE)) {
        const kept = nextByUrn.get(old.urn);
        const identity = IDENTITY_NAME.exec(old.name);
        if (kept !== undefined) {
            const verdict = wouldReplace(INSTANCE, old.inputs, kept.inputs, kept.options);
            if (identity && verdict.replace)
                out.push(`${old.name} would be replaced under its old name (${verdict.because.join("; ")}): its identity misses a replacing input`);
            if (!identity) {
                const [was, now] = [firstTrigger(prev, old), firstTrigger(next, kept)];
                if (was.length > 0 && (was.join() !== now.join()) !== verdict.replace)
                    out.push(
                        `${old.name}: its commands' trigger ${was.join() === now.join() ? "stays" : "changes"} but the provider ${verdict.replace ? `replaces it (${verdict.because.join("; ")})` : "does not replace it"}`,
                    );
            }
            continue;
        }
        if (!identity) continue;
        const successor = next.resources.find((r) => r.type === INSTANCE && IDENTITY_NAME.exec(r.name)?.[1] === identity[1]);
        if (successor === undefined) continue;
        // An instance that ignores some of its inputs (the headnode ignores its user data) is replaced only through its
        // name: its new identity only needs a machine that differs. Any other must differ in what the provider replaces on.
        const ignores = (successor.options.ignoreChanges ?? []).length > 0;
        const verdict = wouldReplace(INSTANCE, old.inputs, successor.inputs, ignores ? {} : successor.options);
        if (ignores ? verdict.changed.length === 0 : !verdict.replace)
            out.push(`${old.name} -> ${successor.name}: a new identity, but nothing the provider replaces on changed (a needless replacement)`);
    }
    for (const t of prev.resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")) {
        const kept = nextByUrn.get(t.urn);
        if (kept === undefined) continue;
        const verdict = wouldReplace(t.type, t.inputs, kept.inputs, kept.options);
        if (verdict.replace) out.push(`launch template ${t.name} replaced (${verdict.because.join("; ")})`);
    }
    return out;
}

export interface WalkResult {
    readonly steps: number;
    readonly accepted: number;
    readonly refused: number;
    readonly byEdit: Record<string, { accepted: number; refused: number }>;
    readonly violations: string[];
}

/**
 * Walks from `start` (the deployed doc) for `steps` steps or until `deadline` (ms since epoch), at least `minSteps`.
 * Every step picks an edit, evaluates it against the last accepted step's outputs, and checks the invariants.
 */
export async function walk(opts: {
    start: Doc;
    stack: string;
    seed: number;
    minSteps: number;
    maxSteps: number;
    deadline: number;
    log?: (line: string) => void;
}): Promise<WalkResult> {
    const r = prng(opts.seed);
    let doc = deepClone(opts.start);
    let graph = await evaluateStack({ stack: opts.stack, config: rawFromDoc(doc) });
    const byEdit: Record<string, { accepted: number; refused: number }> = {};
    const violations: string[] = [];
    let steps = 0;
    let accepted = 0;
    while (steps < opts.maxSteps && (steps < opts.minSteps || Date.now() < opts.deadline)) {
        // One edit most of the time; sometimes two or three in one update, as a hurried operator would.
        const count = pick(r, [1, 1, 1, 2, 3]);
        const candidate = deepClone(doc);
        const applied: string[] = [];
        const labels: string[] = [];
        for (let i = 0; i < count; i++) {
            const edit = pick(r, EDITS);
            const done = edit.apply(candidate, r);
            if (done !== undefined) {
                applied.push(done);
                labels.push(edit.label);
            }
        }
        if (applied.length === 0) continue;
        const what = applied.join("; ");
        steps++;
        const tally = (byEdit[labels.length === 1 ? labels[0]! : `${labels.length} edits at once`] ??= { accepted: 0, refused: 0 });
        let next: StackGraph;
        try {
            next = await evaluateStack({ stack: opts.stack, config: rawFromDoc(candidate), previousOutputs: graph.outputs });
        } catch (e) {
            tally.refused++;
            opts.log?.(`step ${steps}: ${what}: refused: ${(e as Error).message.split("\n").slice(1, 3).join(" ")}`);
            for (const p of refusalProblems((e as Error).message)) {
                violations.push(`step ${steps} (${what}): ${p}`);
                opts.log?.(`step ${steps}: VIOLATION ${p}`);
            }
            continue;
        }
        tally.accepted++;
        accepted++;
        for (const v of stepViolations(graph, next)) {
            violations.push(`step ${steps} (${what}): ${v}`);
            opts.log?.(`step ${steps}: VIOLATION ${v}`);
        }
        opts.log?.(`step ${steps}: ${what}: accepted`);
        doc = candidate;
        graph = next;
    }
    return { steps, accepted, refused: steps - accepted, byEdit, violations };
}
