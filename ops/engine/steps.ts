/**
 * A pure model of what `pulumi up` does between two offline graphs: `prev` stands for the deployed state
 * (the last snapshot), `next` for the program. Pure: no Pulumi import, no I/O, no clock.
 *
 * Every rule cites pulumi/pulumi (pkg/resource/deploy/step_generator.go, deployment_executor.go,
 * step_executor.go) or the lifecycle tests that pin it (pkg/engine/lifecycletest/*.go):
 *
 *  R1 create / same / update / replace per URN: stepGenerator.generateSteps (Case 3 hasOld ->
 *     generateStepsFromDiff; Case 4 -> NewCreateStep). continueStepsFromDiff: DiffNone -> SameStep,
 *     DiffSome without replace -> UpdateStep, replace -> replacement steps.
 *  R2 replace decision = provider diff (ops/provider/replacement.ts) + replaceOnChanges
 *     (applyReplaceOnChanges), after ignoreChanges (processIgnoreChanges).
 *  R3 create-before-delete is the default: NewCreateReplacementStep + NewReplaceStep now, "the delete
 *     step is generated 'later' on, after all creates/updates finish" (continueStepsFromDiff).
 *  R4 deleteBeforeReplace: goal.DeleteBeforeReplace overrides diff.DeleteBeforeReplace; the engine first
 *     deletes, in reverse dependency order, the dependents returned by calculateDependentReplacements
 *     (transitive dependents in the OLD graph whose provider is replaced, or one of whose inputs has a
 *     property dependency on a replaced resource and the provider's Diff with that input unknown says
 *     replace; a bare dependsOn edge does not qualify), then the resource itself
 *     (NewDeleteReplacementStep), then NewReplaceStep + NewCreateReplacementStep. A dependent deleted that
 *     way is re-created when it registers ("recreating", Case 1).
 *  R5 dependsOn does not cascade: outside R4 nothing in generateSteps looks at a dependency's
 *     replacement; a dependent is only re-diffed on its own inputs (whose values may change when they
 *     come from a replaced resource's outputs: flagged, not decided, here).
 *  R6 replaceWith (pulumi/pulumi#20693, CLI v3.207.0): a resource whose replaceWith lists a replaced URN
 *     is replaced too, transitively (lifecycletest/replace_with_test.go TestReplaceWith).
 *  R7 deletedWith: a delete whose deletedWith target is also being deleted/replaced skips the provider
 *     Delete (step.go isDeletedWith; replace_with_test.go TestReplaceWithAndDeletedWith). Engines with
 *     pulumi/pulumi#23818 (2026-07) also replace a resource whose deletedWith target is replaced
 *     (lifecycletest/deleted_with_replace_test.go); `deletedWithReplaces` selects that behaviour.
 *  R8 end-of-update deletes: GenerateDeletes (old resources not seen, replaced olds, and resources left
 *     pending deletion by an earlier update: `res.Delete` -> NewDeleteReplacementStep), scheduled by
 *     ScheduleDeletes into antichains over the dependency graph of the OLD snapshot
 *     (prev.Resources; a resource is deleted only after everything depending on it, parents after
 *     children), executed by deploymentExecutor.performDeletes after all source events.
 *  R9 protect: a replace of a resource protected in both old and new state is refused
 *     (continueStepsFromDiff "unable to replace resource ... marked for protection"); so is deleting a
 *     protected resource.
 *  R10 retainOnDelete: the delete step removes the state without calling the provider.
 *  R11 a dependency on a component resource reaches the engine as its custom descendants: the Node SDK
 *     registers `getAllTransitivelyReferencedResourceURNs` of each dependency (sdk/nodejs/runtime/
 *     dependsOn.ts getAllTransitivelyReferencedResources: children of components, not diving into
 *     custom resources, filtered to custom/remote). The offline graph records the component URN, so the
 *     model expands it (`engineView`).
 */
import { entryFor, inPlaceWithDowntime, wouldReplace, Inputs } from "../provider/replacement";

export interface ModelResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** Explicit and implied (input) dependencies. */
    readonly dependsOn: readonly string[];
    /** Explicit dependsOn only; dependsOn minus these are dependencies through inputs. */
    readonly explicitDependsOn?: readonly string[];
    /**
     * Optional: which top-level input keys depend on which URNs (Pulumi's PropertyDependencies). Without
     * it every input of a resource with an input dependency on X is taken to depend on X.
     */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly inputs: Inputs;
    readonly options: {
        readonly protect?: boolean;
        readonly deleteBeforeReplace?: boolean;
        readonly replaceOnChanges?: readonly string[];
        readonly ignoreChanges?: readonly string[];
        readonly retainOnDelete?: boolean;
        readonly replaceWith?: readonly string[];
        readonly deletedWith?: string;
    };
}

export interface ModelGraph {
    readonly resources: readonly ModelResource[];
}

export type StepOp = "create" | "same" | "update" | "create-replacement" | "replace" | "delete-replaced" | "delete" | "read" | "read-replacement" | "refused";

export interface Step {
    readonly op: StepOp;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly because: string[];
    /** Delete steps: the provider's Delete is not called (deletedWith target going too, or retainOnDelete). */
    readonly providerDeleteSkipped?: boolean;
    /** Update steps: the in-place update interrupts the resource (e.g. stop/modify/start). */
    readonly downtime?: boolean;
    /** Update steps: needs a stop on a one-time spot instance, which EC2 refuses. */
    readonly failsOnOneTimeSpot?: boolean;
}

export interface PlanOptions {
    /** URNs of old resources left pending deletion (`delete: true`) by an earlier failed update. */
    readonly pendingDeletes?: readonly string[];
    /** R7 second half (pulumi/pulumi#23818). Default true. */
    readonly deletedWithReplaces?: boolean;
}

export interface UpdatePlan {
    /** Every step in execution order (registration-order steps, then the scheduled deletes). */
    readonly steps: Step[];
    /** The end-of-update deletes as ScheduleDeletes antichains, in execution order. */
    readonly deleteAntichains: string[][];
    /** URNs replaced in this update. */
    readonly replaced: string[];
}

const stepOf = (r: ModelResource, op: StepOp, because: string[], extra: Partial<Step> = {}): Step => ({
    op,
    urn: r.urn,
    type: r.type,
    name: r.name,
    because,
    ...extra,
});

/**
 * R11: the graph as the engine sees it: dependencies on component resources replaced by the component's
 * custom descendants (through nested components, not through custom resources).
 */
export function engineView(g: ModelGraph): ModelGraph {
    const isComponent = (r: ModelResource) => entryFor(r.type).kind === "component";
    const byUrn = new Map(g.resources.map((r) => [r.urn, r]));
    const children = new Map<string, ModelResource[]>();
    for (const r of g.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const customsUnder = (urn: string): string[] => (children.get(urn) ?? []).flatMap((c) => (isComponent(c) ? customsUnder(c.urn) : [c.urn]));
    const expand = (urns: readonly string[], self: string): string[] => {
        const out = urns.flatMap((u) => {
            const d = byUrn.get(u);
            return d && isComponent(d) ? customsUnder(u) : [u];
        });
        return [...new Set(out)].filter((u) => u !== self).sort();
    };
    return {
        resources: g.resources.map((r) => ({
            ...r,
            dependsOn: expand(r.dependsOn, r.urn),
            ...(r.explicitDependsOn ? { explicitDependsOn: expand(r.explicitDependsOn, r.urn) } : {}),
        })),
    };
}

/** Dependencies the engine's graph sees: dependsOn (explicit + property) and the parent. */
function depsOf(r: ModelResource): string[] {
    return [...r.dependsOn, ...(r.parent ? [r.parent] : [])];
}

/** Resources in dependency order (dependencies and parents first; URN order between independents). */
export function registrationOrder(g: ModelGraph): ModelResource[] {
    const byUrn = new Map(g.resources.map((r) => [r.urn, r]));
    const out: ModelResource[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (r: ModelResource): void => {
        const s = state.get(r.urn);
        if (s === "done") return;
        if (s === "visiting") throw new Error(`dependency cycle through ${r.urn}`);
        state.set(r.urn, "visiting");
        for (const d of [...depsOf(r)].sort()) {
            const dep = byUrn.get(d);
            if (dep) visit(dep);
        }
        state.set(r.urn, "done");
        out.push(r);
    };
    [...g.resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)).forEach(visit);
    return out;
}

/**
 * ScheduleDeletes (step_generator.go): repeatedly take the condemned resources none of whose
 * dependencies (in the old graph) are still condemned, then reverse the list of antichains. `prev` is in
 * engine view (see `engineView`; planUpdate converts).
 */
export function scheduleDeletes(prev: ModelGraph, condemned: readonly string[]): string[][] {
    const byUrn = new Map(prev.resources.map((r) => [r.urn, r]));
    const left = new Set(condemned);
    const chains: string[][] = [];
    while (left.size > 0) {
        const chain = [...left].filter((u) => !depsOf(byUrn.get(u)!).some((d) => left.has(d))).sort();
        if (chain.length === 0) throw new Error(`dependency cycle among ${[...left].join(", ")}`);
        chain.forEach((u) => left.delete(u));
        chains.push(chain);
    }
    return chains.reverse();
}

/** Transitive dependents of `root` in `g` (through dependsOn and parent), nearest first. */
function dependentsOf(g: ModelGraph, root: string): ModelResource[] {
    const out: ModelResource[] = [];
    const seen = new Set([root]);
    let frontier = [root];
    while (frontier.length) {
        const next: string[] = [];
        for (const r of registrationOrder(g)) {
            if (seen.has(r.urn)) continue;
            if (depsOf(r).some((d) => frontier.includes(d))) {
                seen.add(r.urn);
                out.push(r);
                next.push(r.urn);
            }
        }
        frontier = next;
    }
    return out;
}

/**
 * calculateDependentReplacements (R4) on the old graph: a dependent is condemned when one of its inputs
 * depends on a condemned resource and that input is a replacing path of its type (the provider's Diff
 * with that input unknown would say replace). Explicit dependsOn and parent edges do not condemn.
 */
function dependentReplacements(prev: ModelGraph, root: ModelResource): { res: ModelResource; keys: string[] }[] {
    const replaceSet = new Set([root.urn]);
    const out: { res: ModelResource; keys: string[] }[] = [];
    for (const d of dependentsOf(prev, root.urn)) {
        if (entryFor(d.type).kind === "component") continue;
        const explicit = new Set(d.explicitDependsOn ?? []);
        const inputDeps = d.dependsOn.filter((u) => !explicit.has(u) && replaceSet.has(u));
        if (inputDeps.length === 0) continue;
        const keys = d.propertyDependencies
            ? Object.entries(d.propertyDependencies)
                  .filter(([, urns]) => urns.some((u) => replaceSet.has(u)))
                  .map(([k]) => k)
            : Object.keys(d.inputs);
        const replacing = entryFor(d.type).replacing.map((r) => r.path.split(/[.[]/)[0]);
        const hit = keys.filter((k) => replacing.includes(k));
        if (hit.length) {
            out.push({ res: d, keys: hit });
            replaceSet.add(d.urn);
        }
    }
    return out;
}

/** The model of one `pulumi up` from `prev` (deployed) to `next` (program). */
export function planUpdate(prevGraph: ModelGraph, nextGraph: ModelGraph, opts: PlanOptions = {}): UpdatePlan {
    const prev = engineView(prevGraph);
    const next = engineView(nextGraph);
    const olds = new Map(prev.resources.map((r) => [r.urn, r]));
    const news = new Map(next.resources.map((r) => [r.urn, r]));
    const deletedWithReplaces = opts.deletedWithReplaces ?? true;

    // R2: each resource's own verdict.
    const own = new Map<string, { replace: boolean; because: string[]; changed: string[] }>();
    for (const r of next.resources) {
        const old = olds.get(r.urn);
        if (!old) continue;
        if (old.type !== r.type) {
            own.set(r.urn, { replace: true, because: [`type changed ${old.type} -> ${r.type}`], changed: [] });
            continue;
        }
        own.set(r.urn, wouldReplace(r.type, old.inputs, r.inputs, r.options));
    }

    // R6/R7: replaceWith (and deletedWith on newer engines) cascade to a fixpoint.
    const replaced = new Map<string, string[]>();
    for (const [urn, v] of own) if (v.replace) replaced.set(urn, [...v.because]);
    for (let grew = true; grew;) {
        grew = false;
        for (const r of next.resources) {
            if (!olds.has(r.urn) || replaced.has(r.urn)) continue;
            const reasons = [
                ...(r.options.replaceWith ?? []).filter((u) => replaced.has(u)).map((u) => `replaceWith ${u} (replaced)`),
                ...(deletedWithReplaces && r.options.deletedWith && replaced.has(r.options.deletedWith)
                    ? [`deletedWith ${r.options.deletedWith} (replaced)`]
                    : []),
            ];
            if (reasons.length) {
                replaced.set(r.urn, reasons);
                grew = true;
            }
        }
    }

    const steps: Step[] = [];
    const endDeletes: { urn: string; op: "delete" | "delete-replaced"; because: string[] }[] = [];
    const dbrDeleted = new Set<string>();
    const dbrKeys = new Map<string, string[]>();

    for (const r of registrationOrder(next)) {
        const old = olds.get(r.urn);
        const entry = entryFor(r.type);
        if (!old) {
            steps.push(stepOf(r, entry.kind === "read" ? "read" : "create", []));
            continue;
        }
        if (dbrDeleted.has(r.urn)) {
            // Case 1, recreating: deleted earlier because a DBR dependency was replaced.
            const why = replaced.get(r.urn) ?? [`recreated: deleted before replacing ${dbrKeys.get(r.urn)?.join(", ")}`];
            steps.push(stepOf(r, "replace", why), stepOf(r, "create-replacement", why));
            continue;
        }
        const reasons = replaced.get(r.urn);
        if (reasons) {
            if (old.options.protect && r.options.protect) {
                steps.push(stepOf(r, "refused", [...reasons, "protected: unable to replace (continueStepsFromDiff)"]));
                continue;
            }
            if (entry.kind === "read") {
                steps.push(stepOf(r, "read-replacement", reasons), stepOf(r, "replace", reasons));
                continue;
            }
            if (r.options.deleteBeforeReplace) {
                const deps = dependentReplacements(prev, old);
                for (let i = deps.length - 1; i >= 0; i--) {
                    const d = deps[i].res;
                    if (dbrDeleted.has(d.urn)) continue;
                    steps.push(stepOf(d, "delete-replaced", [`dependent of delete-before-replace ${r.urn} through ${deps[i].keys.join(", ")}`]));
                    dbrDeleted.add(d.urn);
                    dbrKeys.set(d.urn, [r.urn]);
                }
                steps.push(stepOf(r, "delete-replaced", [...reasons, "deleteBeforeReplace"]));
                dbrDeleted.add(r.urn);
                steps.push(stepOf(r, "replace", reasons), stepOf(r, "create-replacement", reasons));
            } else {
                steps.push(stepOf(r, "create-replacement", reasons), stepOf(r, "replace", reasons));
                endDeletes.push({ urn: r.urn, op: "delete-replaced", because: reasons });
            }
            continue;
        }
        const v = own.get(r.urn)!;
        if (v.changed.length === 0) {
            steps.push(stepOf(r, "same", []));
            continue;
        }
        const because = [`changed: ${v.changed.join(", ")}`];
        const fromReplaced = r.dependsOn.filter((u) => !(r.explicitDependsOn ?? []).includes(u) && replaced.has(u));
        if (fromReplaced.length) because.push(`inputs also derive from replaced ${fromReplaced.join(", ")}`);
        if (entry.kind === "component") {
            steps.push(stepOf(r, "update", because));
            continue;
        }
        const dt = inPlaceWithDowntime(r.type, old.inputs, r.inputs, r.options);
        steps.push(stepOf(r, "update", [...because, ...dt.because], dt.downtime ? { downtime: true, failsOnOneTimeSpot: dt.failsOnOneTimeSpot } : {}));
    }

    // Non-replaced resources whose inputs come from a replaced resource: the real engine re-diffs them
    // with the new outputs (R5). Offline the values do not move, so they are flagged on their step.
    for (let i = 0; i < steps.length; i++) {
        const s = steps[i];
        if (s.op !== "same") continue;
        const r = news.get(s.urn)!;
        const fromReplaced = r.dependsOn.filter((u) => !(r.explicitDependsOn ?? []).includes(u) && replaced.has(u));
        if (fromReplaced.length) steps[i] = { ...s, because: [`inputs derive from replaced ${fromReplaced.join(", ")}: re-diffed with the new outputs`] };
    }

    // R8: old resources the program no longer declares, and pending deletes.
    for (const old of prev.resources) {
        if (!news.has(old.urn) && !dbrDeleted.has(old.urn)) endDeletes.push({ urn: old.urn, op: "delete", because: ["not in the program"] });
    }
    const pending = new Set(opts.pendingDeletes ?? []);
    for (const u of pending) {
        if (!olds.has(u)) throw new Error(`pending delete ${u} is not in the previous graph`);
    }

    const deleting = new Set([...endDeletes.map((d) => d.urn), ...dbrDeleted]);
    const condemned = [...new Set([...endDeletes.map((d) => d.urn), ...pending])];
    const antichains = scheduleDeletes(prev, condemned);
    const info = new Map(endDeletes.map((d) => [d.urn, d]));
    for (const chain of antichains) {
        for (const urn of chain) {
            const old = olds.get(urn)!;
            const d = info.get(urn);
            const op = d?.op ?? "delete-replaced";
            const because = d ? [...d.because] : ["pending deletion from a previous update (deleted at the end, pulumi/pulumi#11027)"];
            if (pending.has(urn) && d) because.push("also pending deletion from a previous update");
            if (op === "delete" && old.options.protect) {
                steps.push(stepOf(old, "refused", [...because, "protected: unable to delete"]));
                continue;
            }
            const dw = old.options.deletedWith;
            const skipped = dw !== undefined && (deleting.has(dw) || replaced.has(dw));
            if (skipped) because.push(`provider Delete skipped: deletedWith ${dw} is deleted too`);
            if (old.options.retainOnDelete) because.push("provider Delete skipped: retainOnDelete");
            steps.push(stepOf(old, op, because, skipped || old.options.retainOnDelete ? { providerDeleteSkipped: true } : {}));
        }
    }

    return { steps, deleteAntichains: antichains, replaced: [...replaced.keys()].sort() };
}

/** The steps for one URN, in order (convenience for tests and reports). */
export function stepsFor(plan: UpdatePlan, urn: string): StepOp[] {
    return plan.steps.filter((s) => s.urn === urn).map((s) => s.op);
}
