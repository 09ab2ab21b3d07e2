// Updates of the prod search cluster evaluated against the deployed snapshot, as a pull-request review would
// (`evaluateDoc(next, previous)`): what changes, what is replaced, what is bounced, and the plan's order.

import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { StackGraph } from "../../stacks/offline/evaluate";
import { planUpdate } from "../../ops/engine/steps";
import { changedPaths } from "../../ops/provider/paths";
import { T, changedKeys, cmd, edited, evaluate, res, searchDoc } from "./fixtures";

const P = "activedata";
const node = (s: any, name: string) => [...s.masters, ...s.backupNodes, ...s.spotNodes].find((n: any) => n.name === name);
const planOf = (g: StackGraph): string[] => (g.outputs.plan as any).search.steps;
const ymlOf = (g: StackGraph, n: string) =>
    parseYaml(/<<'DATAPLAT_EOF'\n([\s\S]*?)\nDATAPLAT_EOF/.exec(res(g, T.instance, `${P}-search-${n}`).inputs.userData as string)![1]!);
const commandsOf = (n: string) => ["undrain", "drain"].map((k) => `${T.command}::${P}-search-${n}-${k}`);

describe("SearchCluster updates: one node replaced, others untouched", function () {
    this.timeout(120_000);
    const base = searchDoc("prod");
    let deployed: StackGraph;
    before(async () => (deployed = await evaluate(base, undefined, "prod")));

    it("a generation bump changes exactly that node's instance and commands; its commands are replaced with it", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "backup-2").generation = 1)),
            base,
            "prod",
        );
        assert.deepEqual(changedKeys(deployed, next), [...commandsOf("backup-2"), `${T.instance}::${P}-search-backup-2`].sort());
        for (const k of ["undrain", "drain"]) {
            const [was, is] = [cmd(deployed, P, "backup-2", k), cmd(next, P, "backup-2", k)];
            assert.equal((is.inputs.triggers as string[])[0], "backup-2-g1");
            assert.notDeepEqual(is.inputs.triggers, was.inputs.triggers, `${k} is replaced (triggers), so its old delete runs`);
        }
        assert.equal(cmd(next, P, "backup-2", "drain").inputs.create, "node dist/cli/search.js wait-joined --node backup-2-g1 --timeout 1800");
        assert.match(String(cmd(deployed, P, "backup-2", "drain").inputs.delete), /drain --node backup-2-g0 /, "the old drain moves the old node's copies");
        assert.equal(ymlOf(next, "backup-2")["node.name"], "backup-2-g1");
    });

    it("the plan creates the new node on its heap (no bounce), then drains, terminates and undrains the old one", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "backup-2").generation = 1)),
            base,
            "prod",
        );
        assert.deepEqual(planOf(next), [
            "join backup-2-g1: create the backup node (r6i.2xlarge), booting with heap 31g, and wait until it is in the cluster",
            "drain backup-2-g0 (replaced: opensearch.yml (generation, zone or cluster-wide settings)): exclude zone=spot if the cluster has spot nodes, exclude the node, wait until it holds no shard copy (timeout 172800s)",
            "terminate backup-2-g0",
            "undrain backup-2-g0: remove its exclusion, restore zone=spot",
        ]);
    });

    it("an instance type change keeps the node name but still replaces the node's commands with its instance", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "spot-2").instanceType = "r6id.4xlarge")),
            base,
            "prod",
        );
        assert.deepEqual(changedKeys(deployed, next), [...commandsOf("spot-2"), `${T.instance}::${P}-search-spot-2`].sort());
        const [was, is] = [cmd(deployed, P, "spot-2", "drain"), cmd(next, P, "spot-2", "drain")];
        assert.equal((is.inputs.triggers as string[])[0], "spot-2-g0");
        assert.notEqual((is.inputs.triggers as string[])[1], (was.inputs.triggers as string[])[1]);
        assert.match(
            planOf(next).find((s) => s.startsWith("drain "))!,
            /^drain spot-2-g0 \(replaced: instanceType\): exclude the node/,
        );
    });

    it("a heap change creates only that node's bounce and updates its heap tag in place; nothing is replaced", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "backup-1").heap = "30g")),
            base,
            "prod",
        );
        const bounce = `${T.command}::${P}-search-backup-1-bounce`;
        const instance = `${T.instance}::${P}-search-backup-1`;
        assert.deepEqual(changedKeys(deployed, next), [instance, bounce].sort());
        // As the engine and the AWS provider would run it: the instance is an in-place tag update, the bounce a create.
        const plan = planUpdate(deployed, next);
        const moved = plan.steps.filter((st) => st.op !== "same").map((st) => `${st.op} ${st.type}::${st.name.replace(/-g\d+-[0-9a-f]{8}(?=-|$)/, "")}`);
        assert.deepEqual(moved.sort(), [`create ${bounce}`, `update ${instance}`].sort());
        const was = res(deployed, T.instance, `${P}-search-backup-1`);
        const is = res(next, T.instance, `${P}-search-backup-1`);
        assert.deepEqual(changedPaths(was.inputs, is.inputs), ["tags.dataplat-heap"]);
        assert.equal((is.inputs.tags as any)["dataplat-heap"], "30g");
        assert.match(String(cmd(next, P, "backup-1", "bounce").inputs.create), /dataplat-search-restart 30g\)' --timeout 7200 --allocation primaries$/);
        assert.deepEqual(planOf(next), [
            "bounce backup-1-g0 (heap 31g -> 30g): allocation primaries, restart, wait until it rejoins, allocation restored, wait green",
        ]);
        assert.deepEqual(
            ((next.outputs.deployed as any).search.nodes as any[]).find((n) => n.name === "backup-1"),
            {
                ...((deployed.outputs.deployed as any).search.nodes as any[]).find((n) => n.name === "backup-1"),
                heap: "30g",
                configKey: (cmd(next, P, "backup-1", "bounce").inputs.triggers as string[])[2],
                bounce: true,
            },
            "the boot heap stays 31g; the bounce is now declared for the life of the machine",
        );
    });

    it("a second heap change replaces only that bounce (its trigger), and going back to the boot heap restarts too", async () => {
        const first = edited(base, (s) => (node(s, "backup-1").heap = "30g"));
        const once = await evaluate(first, base, "prod");
        const secondDoc = edited(base, (s) => (node(s, "backup-1").heap = "29g"));
        const { evaluateStack } = await import("../../stacks/offline/evaluate");
        const { rawFromDoc } = await import("../support/graph");
        const twice = await evaluateStack({ stack: "prod", config: rawFromDoc(secondDoc), previousOutputs: once.outputs });
        assert.deepEqual(changedKeys(once, twice), [`${T.command}::${P}-search-backup-1-bounce`, `${T.instance}::${P}-search-backup-1`].sort());
        const [a, b] = [cmd(once, P, "backup-1", "bounce"), cmd(twice, P, "backup-1", "bounce")];
        assert.deepEqual((a.inputs.triggers as string[]).slice(0, 2), (b.inputs.triggers as string[]).slice(0, 2));
        assert.notEqual((a.inputs.triggers as string[])[2], (b.inputs.triggers as string[])[2], "the config hash replaces the bounce, which runs it");
        assert.deepEqual(planOf(twice), [
            "bounce backup-1-g0 (heap 30g -> 29g): allocation primaries, restart, wait until it rejoins, allocation restored, wait green",
        ]);
        const back = await evaluateStack({ stack: "prod", config: rawFromDoc(base), previousOutputs: twice.outputs });
        assert.ok(cmd(back, P, "backup-1", "bounce"), "back to the boot heap: the bounce stays declared");
        assert.deepEqual(planOf(back), [
            "bounce backup-1-g0 (heap 29g -> 31g): allocation primaries, restart, wait until it rejoins, allocation restored, wait green",
        ]);
        // An unchanged heap after that restarts nothing.
        const still = await evaluateStack({ stack: "prod", config: rawFromDoc(base), previousOutputs: back.outputs });
        assert.deepEqual(changedKeys(back, still), []);
        assert.deepEqual(planOf(still), []);
    });

    it("an unchanged config plans nothing and changes nothing", async () => {
        const next = await evaluate(base, base, "prod");
        assert.deepEqual(changedKeys(deployed, next), []);
        assert.deepEqual((next.outputs.plan as any).search, { change: "none", steps: [] });
    });

    it("replacing a cluster-manager node keeps every other node's config: only bootstrap nodes carry the bootstrap list", async () => {
        const next = await evaluate(
            edited(base, (s) => (node(s, "master-2").generation = 1)),
            base,
            "prod",
        );
        // The discovery record follows the new machine's address (an in-place update of the record).
        assert.deepEqual(changedKeys(deployed, next), [`${T.instance}::${P}-search-master-2`, `${T.record}::${P}-search-cluster-managers`].sort());
        assert.equal(ymlOf(next, "master-2")["cluster.initial_cluster_manager_nodes"], undefined, "a node joining a formed cluster does not bootstrap");
        assert.deepEqual(ymlOf(next, "master-1")["cluster.initial_cluster_manager_nodes"], ["coordinator-g0", "master-1-g0", "master-2-g0", "master-3-g0"]);
        assert.deepEqual((next.outputs.deployed as any).search.bootstrap, ["coordinator-g0", "master-1-g0", "master-2-g0", "master-3-g0"]);
        assert.deepEqual(planOf(next), [
            "join master-2-g1: create the cluster-manager node (m6i.large), booting with heap 4g, and wait until it is in the cluster",
            "terminate master-2-g0 (replaced: opensearch.yml (generation, zone or cluster-wide settings))",
        ]);
    });

    it("adding a data node creates it on its heap, without a bounce; nothing else changes", async () => {
        const next = await evaluate(
            edited(base, (s) => s.spotNodes.push({ name: "spot-7", instanceType: "r6id.2xlarge", heap: "31g", volumeSizeGiB: 1500, subnet: 0 })),
            base,
            "prod",
        );
        assert.deepEqual(changedKeys(deployed, next), [...commandsOf("spot-7"), `${T.host}::${P}-search-spot-7`, `${T.instance}::${P}-search-spot-7`].sort());
    });

    it("removing a data node runs its drain (the delete of its commands), then terminates it", async () => {
        const next = await evaluate(
            edited(base, (s) => s.spotNodes.pop()),
            base,
            "prod",
        );
        assert.deepEqual(changedKeys(deployed, next), [...commandsOf("spot-6"), `${T.host}::${P}-search-spot-6`, `${T.instance}::${P}-search-spot-6`].sort());
        assert.deepEqual(planOf(next), [
            "drain spot-6-g0 (removed from config): exclude the node, wait until it holds no shard copy (timeout 172800s)",
            "terminate spot-6-g0",
            "undrain spot-6-g0: remove its exclusion, restore zone=spot",
        ]);
    });
});

describe("SearchCluster decommission: the escape hatch before pulumi destroy", function () {
    this.timeout(120_000);
    const base = searchDoc("prod");
    const off = edited(base, (s) => (s.decommission = true));

    it("decommission: true alone turns every drain and undrain delete into a no-op, by update (triggers unchanged)", async () => {
        const [was, is] = await Promise.all([evaluate(base, undefined, "prod"), evaluate(off, base, "prod")]);
        const data = ["backup-1", "backup-2", "backup-3", "spot-1", "spot-2", "spot-3", "spot-4", "spot-5", "spot-6"];
        assert.deepEqual(changedKeys(was, is), data.flatMap((n) => [`${T.command}::${P}-search-${n}-drain`, `${T.command}::${P}-search-${n}-undrain`]).sort());
        for (const n of data) {
            for (const k of ["drain", "undrain"]) {
                const c = cmd(is, P, n, k);
                assert.equal(c.inputs.delete, "true", `${n}-${k}`);
                assert.equal(c.inputs.update, "true", "the update that records the no-op delete runs nothing");
                assert.deepEqual(c.inputs.triggers, cmd(was, P, n, k).inputs.triggers);
            }
        }
        assert.deepEqual(planOf(is), ["decommission: every drain and undrain becomes a no-op for the next removal or pulumi destroy"]);
    });

    it("once decommissioned, a removed node is terminated without a drain", async () => {
        const next = await evaluate(
            edited(off, (s) => s.backupNodes.pop()),
            off,
            "prod",
        );
        assert.deepEqual(planOf(next), ["terminate backup-3-g0 (removed from config) without a drain (decommission)"]);
    });
});
