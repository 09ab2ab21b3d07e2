import assert from "node:assert/strict";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, deepClone, evaluateDoc, named, stackDoc } from "../support/graph";
import { changedResources, COMMAND, INSTANCE } from "./support";

/** The prod stack file with worker-3 edited by `edit`. */
function withWorker3(edit: (host: Record<string, unknown>) => void) {
    const doc = deepClone(stackDoc("prod"));
    const host = (doc.config["dataplat:platform"].hosts as Record<string, unknown>[]).find((h) => h.name === "worker-3")!;
    edit(host);
    return doc;
}

const WORKER_3 = [
    "Command::activedata-platform-worker-3-accumulo-tserver",
    "Command::activedata-platform-worker-3-datanode",
    "Command::activedata-platform-worker-3-nodemanager",
    "Instance::activedata-platform-worker-3",
];

describe("LayeredPlatform: replacing one worker replaces only that host and its service commands", () => {
    let base: StackGraph;
    before(async () => (base = await committedStack("prod")));

    for (const [what, edit] of [
        ["a generation bump", (h: Record<string, unknown>) => (h.generation = 1)],
        ["a new instance type", (h: Record<string, unknown>) => (h.instanceType = "r6i.8xlarge")],
        ["a new image", (h: Record<string, unknown>) => (h.image = "ami-0123456789abcdef0")],
    ] as const) {
        it(`${what}: the worker's instance and its DataNode, NodeManager and tablet server commands change, no other resource's inputs do`, async () => {
            const next = await evaluateDoc(withWorker3(edit), undefined, "prod");
            assert.deepEqual(changedResources(base, next), WORKER_3);
            const before = named(base, INSTANCE, "activedata-platform-worker-3");
            const after = named(next, INSTANCE, "activedata-platform-worker-3");
            // User data carries the identity and replaces on change: EC2 gives a new machine.
            assert.notEqual(after.inputs.userData, before.inputs.userData);
            assert.equal(after.inputs.userDataReplaceOnChange, true);
            for (const service of ["datanode", "nodemanager", "accumulo-tserver"]) {
                const b = named(base, COMMAND, `activedata-platform-worker-3-${service}`);
                const a = named(next, COMMAND, `activedata-platform-worker-3-${service}`);
                // Only the triggers change (Command replaces on triggers): start on the new machine, stop on the old.
                assert.deepEqual({ ...a.inputs, triggers: undefined }, { ...b.inputs, triggers: undefined });
                assert.notDeepEqual(a.inputs.triggers, b.inputs.triggers);
                assert.deepEqual(a.options.replaceOnChanges, ["triggers[*]"]);
                assert.deepEqual(a.explicitDependsOn, b.explicitDependsOn);
            }
        });
    }

    it("is planned as a restart of exactly that worker's services on the new machine", async () => {
        const next = await evaluateDoc(
            withWorker3((h) => (h.generation = 1)),
            stackDoc("prod"),
            "prod",
        );
        const plan = (next.outputs.plan as { platform: any }).platform;
        assert.deepEqual(plan.hosts, { added: [], replaced: ["worker-3: generation 0 -> 1"], removed: [] });
        assert.deepEqual(plan.services, {
            start: [],
            restartOnNewHost: ["datanode@worker-3", "nodemanager@worker-3", "accumulo-tserver@worker-3"],
            startAgain: [],
            stop: [],
        });
        assert.equal(plan.startOrder[0][0], "journalnode@master-1");
    });

    it("the replaced instance is not deleted first: the engine creates the new one and deletes the old at the end", () => {
        for (const r of base.resources.filter((x) => x.name.startsWith("activedata-platform-"))) {
            assert.equal(r.options.deleteBeforeReplace, undefined, r.name);
            assert.equal(r.options.protect, undefined, r.name);
        }
    });
});
