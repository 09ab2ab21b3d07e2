// Issue 9, points 1 and 2, read against the real engine and provider rather than the mocks:
// - a create-before-delete replacement never replaces dependents (only replaceWith/deletedWith cascade), so every
//   command whose delete protects a node's data carries `replaceWith: [its instance]`;
// - the AWS provider changes an instance type (and root volume size) in place with a stop/start, so a search node
//   carries `replaceOnChanges` for both and a type change is a new node drained in, never a stop of a data node;
// - a config change gives the node a new identity (new resources), so a failed update never leaves the old node
//   pending deletion;
// - no host that has a drain asks for deleteBeforeReplace.

import assert from "node:assert/strict";
import { StackGraph } from "../../stacks/offline/evaluate";
import { byUrn, committedStack } from "../support/graph";
import { T, clusterResources, cmd, edited, evaluate, outputsBeforeHeapAtBoot, res, searchDoc, withoutIdentity } from "./fixtures";

const P = "activedata";
const DATA = ["backup-1", "backup-2", "backup-3", "spot-1", "spot-2", "spot-3", "spot-4", "spot-5", "spot-6"];
const node = (s: any, name: string) => [...s.masters, ...s.backupNodes, ...s.spotNodes].find((n: any) => n.name === name);
const names = (g: StackGraph, type: string) =>
    clusterResources(g)
        .filter((r) => r.type === type)
        .map((r) => r.name);

describe("SearchCluster: drains are tied to their instance, as the real engine replaces", function () {
    this.timeout(120_000);
    const base = searchDoc("prod");
    let g: StackGraph;
    before(async () => (g = await evaluate(base, undefined, "prod")));

    it("every data node's drain and bounce are replaced with its instance (replaceWith), and ready with the endpoint's", async () => {
        // Bounces exist once a heap differs from the boot heap: the update that changes every data node's heap.
        const heaped = await evaluate(
            edited(base, (s) => DATA.forEach((n) => (node(s, n).heap = "30g"))),
            base,
            "prod",
        );
        for (const n of DATA) {
            const instance = res(heaped, T.instance, `${P}-search-${n}`);
            for (const kind of ["drain", "bounce"]) {
                assert.deepEqual(cmd(heaped, P, n, kind).options.replaceWith, [instance.urn], `${n} ${kind}`);
            }
        }
        assert.deepEqual(cmd(g, P, undefined).options.replaceWith, [res(g, T.instance, `${P}-search-coordinator`).urn]);
    });

    it("no instance whose deletion a drain guards asks for deleteBeforeReplace, in either stack", async () => {
        for (const stack of ["prod", "staging"] as const) {
            const graph = await committedStack(stack);
            const drains = graph.resources.filter((r) => r.type === T.command && r.name.endsWith("-drain"));
            assert.ok(drains.length > 0, stack);
            for (const d of drains) {
                const guarded = (d.options.replaceWith ?? []).map((u) => byUrn(graph, u));
                assert.equal(guarded.length, 1, `${d.name} guards one instance`);
                for (const r of [...guarded, ...d.dependsOn.map((u) => byUrn(graph, u)).filter((r) => r.type === T.instance)]) {
                    assert.equal(r.options.deleteBeforeReplace, undefined, `${r.name}: deleting it before its replacement exists would skip the drain`);
                }
            }
            for (const r of graph.resources) assert.equal(r.options.deleteBeforeReplace, undefined, `${stack}: ${r.type} ${r.name}`);
        }
    });

    it("a search node's instance type and root volume size replace it instead of the provider's in-place stop/start", () => {
        const instances = clusterResources(g).filter((r) => r.type === T.instance);
        assert.equal(instances.length, 13);
        for (const i of instances) assert.deepEqual(i.options.replaceOnChanges, ["instanceType", "rootBlockDevice.volumeSize"], i.name);
    });

    it("a data node's type change is a new node: new resources, the old chain deleted at the end through its drain", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "spot-3").instanceType = "r6i.4xlarge")),
            base,
            "prod",
        );
        const was = (t: string) => names(g, t).filter((n) => n.includes("-spot-3-"));
        const is = (t: string) => names(next, t).filter((n) => n.includes("-spot-3-"));
        for (const t of [T.instance, T.command]) {
            assert.equal(is(t).filter((n) => was(t).includes(n)).length, 0, `${t}: spot-3 has a new identity, so nothing of it is replaced under its old name`);
            assert.deepEqual(is(t).map(withoutIdentity), was(t).map(withoutIdentity));
        }
        assert.equal(res(next, T.instance, `${P}-search-spot-3`).inputs.instanceType, "r6i.4xlarge");
        // Every other node keeps its resources and inputs.
        const others = (x: StackGraph) => clusterResources(x).filter((r) => !r.name.includes("-spot-3") && r.type !== T.record);
        assert.deepEqual(
            others(next).map((r) => [r.name, r.inputs]),
            others(g).map((r) => [r.name, r.inputs]),
        );
        const steps: string[] = (next.outputs.plan as any).search.steps;
        assert.ok(
            steps.some((s) => s.startsWith("drain spot-3-g0 (replaced: instanceType)")),
            steps.join("\n"),
        );
    });

    it("the deployed snapshot records each node's identity, and an unchanged node keeps it", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "backup-1").heap = "30g")),
            base,
            "prod",
        );
        const ids = (x: StackGraph) => ((x.outputs.deployed as any).search.nodes as any[]).map((n) => [n.name, n.identity]);
        assert.deepEqual(ids(next), ids(g));
        for (const [name, identity] of ids(g)) assert.ok(res(g, T.host, `${P}-search-${identity}`), name);
    });
});

describe("SearchCluster: a stack deployed before node identities takes them up without replacing anything", function () {
    this.timeout(120_000);

    it("nodes whose machine is unchanged keep their old resource names through aliases; a changed node gets new resources", async () => {
        const { evaluateStack } = await import("../../stacks/offline/evaluate");
        const { rawFromDoc } = await import("../support/graph");
        const base = searchDoc("prod");
        const deployed = await evaluate(base, undefined, "prod");
        // The snapshot as dataplat wrote it before identities: no `identity` per node (and nodes that booted on a
        // default heap, which is what dataplat of that time deployed: a fixture written by it).
        const legacy = outputsBeforeHeapAtBoot("prod");
        for (const n of legacy.deployed.search.nodes) delete n.identity;
        const next = edited(base, (s) => (node(s, "spot-2").generation = 1));
        const g = await evaluateStack({ stack: "prod", config: rawFromDoc(next), previousOutputs: legacy });
        for (const r of clusterResources(g).filter((x) => x.type === T.host || x.type === T.command)) {
            const legacyName = withoutIdentity(r.name);
            if (r.name === legacyName) continue; // ready, discovery, admin rules: never renamed
            if (r.name.includes("-spot-2-")) assert.equal(r.options.aliases, undefined, `${r.name}: a new machine is a new resource`);
            else assert.deepEqual(r.options.aliases, [legacyName], r.name);
        }
        // The aliased resources are exactly those of the old graph, with the same inputs.
        const aliased = clusterResources(g).filter((r) => r.options.aliases !== undefined && (r.type === T.host || r.type === T.command));
        assert.equal(aliased.length, 12 * 2 + 8 * 2, "12 hosts and bounces, 8 drains and undrains (spot-2 excluded)");
        const before = new Map<string, any>(legacy.deployed.search.nodes.map((n: any) => [n.nodeName, n]));
        for (const r of aliased.filter((x) => x.type === T.command)) {
            if (r.name.endsWith("-bounce")) {
                // Same triggers as when it was created: not replaced, so nothing restarts.
                const n = before.get((r.inputs.triggers as string[])[0]!)!;
                assert.deepEqual(r.inputs.triggers, [n.nodeName, n.replacementKey, n.configKey], r.name);
            } else {
                const n = before.get((r.inputs.triggers as string[])[0]!)!;
                assert.deepEqual(r.inputs.triggers, [n.nodeName, n.replacementKey], `${r.name}: the triggers it was created with`);
                const { triggers: _a, ...rest } = r.inputs;
                const { triggers: _b, ...now } = res(deployed, T.command, withoutIdentity(r.name)).inputs;
                assert.deepEqual(rest, now, r.name);
            }
        }
    });
});
