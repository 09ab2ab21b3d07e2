import assert from "node:assert/strict";
import { planUpdate, stepsFor } from "../../ops/engine/steps";
import { StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, evaluateDoc, ofType, stackDoc } from "../support/graph";

const INSTANCE = "aws:ec2/instance:Instance";
type Doc = { config: Record<string, any> };

/**
 * A search node's instance: named `<cluster>-search-<node>`, possibly followed by a replacement identity
 * (`-g<generation>-<hash>`), so the test holds whether or not the name carries the generation.
 */
function nodeInstance(g: StackGraph, cluster: string, node: string) {
    const base = `${cluster}-search-${node}`;
    const found = ofType(g, INSTANCE).filter((r) => r.name === base || r.name.startsWith(`${base}-g`));
    assert.equal(found.length, 1, `one instance for ${base}: ${found.map((r) => r.name)}`);
    return found[0];
}

/**
 * The old instance of a node is replaced: either in place under the same URN (create-replacement,
 * replace, delete-replaced) or under a new name (create the new URN, delete the old one at the end).
 * Either way the new instance is created before the old one is deleted, and the delete is one of the
 * end-of-update deletes. Returns why the old one goes.
 */
function assertReplaced(plan: ReturnType<typeof planUpdate>, oldUrn: string, newUrn: string): string {
    const urns = plan.steps.map((s) => s.urn);
    if (oldUrn === newUrn) {
        assert.deepEqual(stepsFor(plan, oldUrn), ["create-replacement", "replace", "delete-replaced"]);
    } else {
        assert.deepEqual(stepsFor(plan, newUrn), ["create"]);
        assert.deepEqual(stepsFor(plan, oldUrn), ["delete"]);
    }
    const create = urns.indexOf(newUrn);
    const del = urns.lastIndexOf(oldUrn);
    assert.ok(create < del, "created before the old one is deleted");
    assert.ok(
        plan.steps.slice(del).every((s) => s.op === "delete" || s.op === "delete-replaced"),
        "the delete is an end-of-update delete",
    );
    return plan.steps.find((s) => s.urn === oldUrn)!.because.join(" ");
}

describe("engine: the step model on evaluated prod graphs", function () {
    this.timeout(180_000);
    const prodDoc = stackDoc("prod") as Doc;
    let deployed: StackGraph;

    before(async () => {
        // The deployed state: prod evaluated against itself (same stack name, so URNs line up).
        deployed = await evaluateDoc(prodDoc, prodDoc, "prod");
    });

    it("the committed prod document against itself: every step is same", async () => {
        const again = await evaluateDoc(prodDoc, prodDoc, "prod");
        const plan = planUpdate(deployed, again);
        const notSame = plan.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type}::${s.name}`);
        assert.deepEqual(notSame, []);
    });

    it("bumping search.spotNodes[0].generation replaces that node's instance, and only spot instances it names", async () => {
        const edited = deepClone(prodDoc);
        const search = edited.config["dataplat:search"];
        const node = search.spotNodes[0];
        node.generation = (node.generation ?? 0) + 1;
        const next = await evaluateDoc(edited, prodDoc, "prod");
        const plan = planUpdate(deployed, next);
        const before = nodeInstance(deployed, search.clusterName, node.name);
        const after = nodeInstance(next, search.clusterName, node.name);
        const why = assertReplaced(plan, before.urn, after.urn);
        if (before.urn === after.urn) assert.match(why, /userData/);
        // No other instance is replaced or renamed by the bump.
        const touched = plan.steps
            .filter((s) => s.type === INSTANCE && s.op !== "same" && s.urn !== before.urn && s.urn !== after.urn)
            .map((s) => `${s.op} ${s.name}`);
        assert.deepEqual(touched, []);
    });

    it("changing a search spot node's instance type within a family: no replacement on its own, but a stop on a one-time spot", async () => {
        const edited = deepClone(prodDoc);
        const search = edited.config["dataplat:search"];
        const node = search.spotNodes[1];
        const before = nodeInstance(deployed, search.clusterName, node.name);
        node.instanceType = "r6id.4xlarge";
        const next = await evaluateDoc(edited, prodDoc, "prod");
        const plan = planUpdate(deployed, next);
        const after = nodeInstance(next, search.clusterName, node.name);
        if (after.urn !== before.urn) {
            // The instance type is part of the node's replacement identity: a new instance under a new name.
            assertReplaced(plan, before.urn, after.urn);
            return;
        }
        const step = plan.steps.find((s) => s.urn === before.urn)!;
        // The instance type reaches the node's user data (heap, node attributes) or not: either the instance
        // is replaced through userData, or it is updated in place and that update needs a stop, which a
        // one-time spot instance refuses. It is never a silent, harmless update.
        if (step.op === "update") {
            assert.equal(step.downtime, true);
            assert.equal(step.failsOnOneTimeSpot, true);
        } else {
            assert.equal(step.op, "create-replacement");
            assert.match(step.because.join(" "), /userData/);
        }
    });
});
