import assert from "node:assert/strict";
import { ModelGraph, ModelResource, planUpdate, scheduleDeletes, stepsFor } from "../../ops/engine/steps";

const CMD = "command:local:Command";
const urn = (name: string) => `urn:pulumi:test::dataplat::${CMD}::${name}`;

/** A local Command; `dep` are input dependencies, `after` explicit dependsOn. */
function cmd(
    name: string,
    o: { triggers?: unknown[]; create?: string; dep?: string[]; after?: string[]; options?: ModelResource["options"] } = {},
): ModelResource {
    const dep = (o.dep ?? []).map(urn);
    const after = (o.after ?? []).map(urn);
    return {
        urn: urn(name),
        type: CMD,
        name,
        dependsOn: [...dep, ...after].sort(),
        explicitDependsOn: after,
        inputs: { create: o.create ?? `run ${name}`, ...(o.triggers ? { triggers: o.triggers } : {}) },
        options: o.options ?? {},
    };
}
const graph = (...rs: ModelResource[]): ModelGraph => ({ resources: rs });
const ops = (plan: ReturnType<typeof planUpdate>) => plan.steps.map((s) => `${s.op} ${s.name}`);

describe("engine: pulumi up step model", () => {
    it("unchanged, changed, added and removed resources: same, update, create, delete", () => {
        const prev = graph(cmd("a"), cmd("b"), cmd("gone"));
        const next = graph(cmd("a"), cmd("b", { create: "run b v2" }), cmd("new"));
        const plan = planUpdate(prev, next);
        assert.deepEqual(stepsFor(plan, urn("a")), ["same"]);
        assert.deepEqual(stepsFor(plan, urn("b")), ["update"]);
        assert.deepEqual(stepsFor(plan, urn("new")), ["create"]);
        assert.deepEqual(stepsFor(plan, urn("gone")), ["delete"]);
        assert.equal(plan.steps.at(-1)!.op, "delete", "deletes come after every registration step");
    });

    it("replacement is create-before-delete: the new one is created now, the old deleted at the end", () => {
        const prev = graph(cmd("a", { triggers: [1] }), cmd("b", { dep: ["a"] }), cmd("c"));
        const next = graph(cmd("a", { triggers: [2] }), cmd("b", { dep: ["a"] }), cmd("c", { create: "v2" }));
        const plan = planUpdate(prev, next);
        assert.deepEqual(ops(plan), ["create-replacement a", "replace a", "same b", "update c", "delete-replaced a"]);
        assert.match(plan.steps[0].because.join(" "), /triggers\[0\]/);
        assert.deepEqual(plan.replaced, [urn("a")]);
    });

    it("dependsOn does not cascade: a dependent of a replaced resource is not replaced", () => {
        const prev = graph(cmd("a", { triggers: [1] }), cmd("b", { after: ["a"] }), cmd("c", { after: ["b"] }));
        const next = graph(cmd("a", { triggers: [2] }), cmd("b", { after: ["a"] }), cmd("c", { after: ["b"] }));
        const plan = planUpdate(prev, next);
        assert.deepEqual(plan.replaced, [urn("a")]);
        assert.deepEqual(stepsFor(plan, urn("b")), ["same"]);
        assert.deepEqual(stepsFor(plan, urn("c")), ["same"]);
        assert.deepEqual(plan.steps.find((s) => s.urn === urn("b"))!.because, [], "an explicit dependsOn edge carries no values");
    });

    it("an input dependency on a replaced resource is flagged for re-diff, not replaced", () => {
        const prev = graph(cmd("a", { triggers: [1] }), cmd("b", { dep: ["a"] }));
        const next = graph(cmd("a", { triggers: [2] }), cmd("b", { dep: ["a"] }));
        const s = planUpdate(prev, next).steps.find((x) => x.urn === urn("b"))!;
        assert.equal(s.op, "same");
        assert.match(s.because.join(" "), /derive from replaced/);
    });

    it("replaceWith: a resource listing a replaced URN is replaced too, transitively", () => {
        const mk = (t: number) =>
            graph(
                cmd("instance", { triggers: [t] }),
                cmd("drain", { options: { replaceWith: [urn("instance")] } }),
                cmd("undrain", { options: { replaceWith: [urn("drain")] } }),
                cmd("other"),
            );
        const plan = planUpdate(mk(1), mk(2));
        assert.deepEqual(plan.replaced, [urn("drain"), urn("instance"), urn("undrain")]);
        assert.deepEqual(stepsFor(plan, urn("drain")), ["create-replacement", "replace", "delete-replaced"]);
        assert.match(plan.steps.find((s) => s.urn === urn("undrain"))!.because.join(" "), /replaceWith .*drain/);
        assert.deepEqual(stepsFor(plan, urn("other")), ["same"]);
        // Without a replacement of the target, replaceWith does nothing.
        assert.deepEqual(planUpdate(mk(1), mk(1)).replaced, []);
    });

    it("end-of-update deletes run in reverse dependency order of the OLD graph", () => {
        const prev = graph(cmd("a"), cmd("b", { dep: ["a"] }), cmd("c", { after: ["b"] }), cmd("d"));
        // The program drops a, b and c, and re-declares d depending on nothing.
        const next = graph(cmd("d"));
        const plan = planUpdate(prev, next);
        assert.deepEqual(plan.deleteAntichains, [[urn("c")], [urn("b")], [urn("a")]]);
        assert.deepEqual(ops(plan), ["same d", "delete c", "delete b", "delete a"]);
        // Replaced olds and removed ones share one schedule.
        const prev2 = graph(cmd("a", { triggers: [1] }), cmd("b", { dep: ["a"] }));
        const plan2 = planUpdate(prev2, graph(cmd("a", { triggers: [2] })));
        assert.deepEqual(plan2.deleteAntichains, [[urn("b")], [urn("a")]]);
    });

    it("scheduleDeletes groups independent deletes into one antichain and puts parents after children", () => {
        const parent = cmd("p");
        const child = { ...cmd("k"), parent: urn("p") };
        const g = graph(parent, child, cmd("x"), cmd("y", { dep: ["x"] }));
        assert.deepEqual(scheduleDeletes(g, [urn("p"), urn("k"), urn("x"), urn("y")]), [
            [urn("k"), urn("y")],
            [urn("p"), urn("x")],
        ]);
    });

    it("a dependency on a component reaches the engine as its custom children: drain is deleted before the instance", () => {
        const HOST = "urn:pulumi:test::dataplat::dataplat:compute:Host::h";
        const host: ModelResource = { urn: HOST, type: "dataplat:compute:Host", name: "h", dependsOn: [], inputs: {}, options: {} };
        const vm = { ...cmd("vm"), parent: HOST };
        const drain = cmd("drain", { after: [] });
        const prev = graph(host, vm, { ...drain, dependsOn: [HOST], explicitDependsOn: [HOST] });
        const plan = planUpdate(prev, graph());
        assert.deepEqual(plan.deleteAntichains, [[urn("drain")], [urn("vm")], [HOST]]);
        // Read literally (drain -> component only), drain and vm would be deleted in parallel.
        assert.deepEqual(scheduleDeletes(prev, [HOST, urn("vm"), urn("drain")]), [[urn("drain"), urn("vm")], [HOST]]);
    });

    it("deleteBeforeReplace: replacing dependents are deleted first (reverse order), then the resource, then re-created", () => {
        // b takes a's output into `triggers` (a replacing input); c only has an explicit dependsOn on a.
        const mk = (t: number) =>
            graph(
                cmd("a", { triggers: [t], options: { deleteBeforeReplace: true } }),
                cmd("b", { dep: ["a"], triggers: ["from-a"] }),
                cmd("c", { after: ["a"] }),
            );
        const plan = planUpdate(mk(1), mk(2));
        assert.deepEqual(ops(plan), [
            "delete-replaced b",
            "delete-replaced a",
            "replace a",
            "create-replacement a",
            "replace b",
            "create-replacement b",
            "same c",
        ]);
        assert.deepEqual(plan.deleteAntichains, [], "nothing left for the end of the update");
    });

    it("deleteBeforeReplace does not condemn a dependent whose dependent inputs are updatable", () => {
        const mk = (t: number) =>
            graph(cmd("a", { triggers: [t], options: { deleteBeforeReplace: true } }), {
                ...cmd("b", { dep: ["a"] }),
                propertyDependencies: { create: [urn("a")] },
            });
        assert.deepEqual(ops(planUpdate(mk(1), mk(2))), ["delete-replaced a", "replace a", "create-replacement a", "same b"]);
    });

    it("deletedWith: the provider delete is skipped when the target goes too; newer engines replace with the target", () => {
        const mk = (t: number, withD = true) => graph(cmd("vm", { triggers: [t] }), ...(withD ? [cmd("svc", { options: { deletedWith: urn("vm") } })] : []));
        const plan = planUpdate(mk(1), mk(2));
        assert.deepEqual(stepsFor(plan, urn("svc")), ["create-replacement", "replace", "delete-replaced"]);
        const del = plan.steps.filter((s) => s.urn === urn("svc") && s.op === "delete-replaced")[0];
        assert.equal(del.providerDeleteSkipped, true);
        // Engines before pulumi/pulumi#23818 leave it alone.
        assert.deepEqual(stepsFor(planUpdate(mk(1), mk(2), { deletedWithReplaces: false }), urn("svc")), ["same"]);
        // Removing both: only the target's Delete runs.
        const gone = planUpdate(mk(1), graph());
        assert.deepEqual(
            gone.steps.map((s) => [s.name, s.providerDeleteSkipped === true]),
            [
                ["svc", true],
                ["vm", false],
            ],
        );
    });

    it("pending deletes from a failed update are deleted with the end-of-update deletes", () => {
        const prev = graph(cmd("a"), cmd("old-a-copy"));
        const plan = planUpdate(prev, graph(cmd("a"), cmd("old-a-copy")), { pendingDeletes: [urn("old-a-copy")] });
        assert.deepEqual(ops(plan), ["same a", "same old-a-copy", "delete-replaced old-a-copy"]);
        assert.throws(() => planUpdate(prev, prev, { pendingDeletes: [urn("nope")] }), /not in the previous graph/);
    });

    it("protect refuses a replacement and a delete", () => {
        const mk = (t: number) => graph(cmd("a", { triggers: [t], options: { protect: true } }));
        assert.deepEqual(stepsFor(planUpdate(mk(1), mk(2)), urn("a")), ["refused"]);
        assert.deepEqual(stepsFor(planUpdate(mk(1), graph()), urn("a")), ["refused"]);
    });

    it("unknown resource types are an error, not a silent update", () => {
        const odd = { ...cmd("x"), type: "aws:rds/instance:Instance" };
        assert.throws(() => planUpdate(graph(odd), graph({ ...odd, inputs: { a: 1 } })), /unclassified resource type/);
    });
});
