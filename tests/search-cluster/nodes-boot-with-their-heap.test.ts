// Issue 10, point 7: a new node boots with its configured heap (read from its instance tag at first boot), so no
// deployment restarts a node for nothing; a heap change bounces only that node. The rules (ops/search/boot.ts) on
// their own, then a cluster deployed by dataplat before this change (its stack outputs, written by that program)
// taking up the new program without one replacement or restart.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { bootPlan, userDataFormat } from "../../ops/search/boot";
import { evaluateStack } from "../../stacks/offline/evaluate";
import { rawFromDoc } from "../support/graph";
import { T, changedKeys, clusterResources, cmd, edited, outputsBeforeHeapAtBoot, res, searchDoc } from "./fixtures";

const P = "activedata";
const node = (s: any, name: string) => [s.coordinator, ...s.masters, ...s.backupNodes, ...s.spotNodes].find((n: any) => n.name === name);
const planOf = (g: any): string[] => g.outputs.plan.search.steps;

describe("ops/search/boot: how a node gets its heap and when it is bounced", () => {
    const next = { replacementKey: "k2", heap: "31g", format: "heap-from-tag" as const };

    it("a new machine boots with its heap and has no bounce", () => {
        assert.deepEqual(bootPlan(undefined, next), { format: "heap-from-tag", bootHeap: "31g", bounce: false });
        assert.deepEqual(bootPlan({ replacementKey: "k1", bootHeap: "16g", bounce: true }, next), { format: "heap-from-tag", bootHeap: "31g", bounce: false });
    });

    it("the same machine: a bounce once the heap differs from the boot heap, then for the machine's life", () => {
        assert.deepEqual(bootPlan({ replacementKey: "k2", bootHeap: "31g", bounce: false }, next), { format: "heap-from-tag", bootHeap: "31g", bounce: false });
        assert.deepEqual(bootPlan({ replacementKey: "k2", bootHeap: "31g", bounce: false }, { ...next, heap: "30g" }), {
            format: "heap-from-tag",
            bootHeap: "31g",
            bounce: true,
        });
        assert.deepEqual(
            bootPlan({ replacementKey: "k2", bootHeap: "31g", bounce: true }, next),
            { format: "heap-from-tag", bootHeap: "31g", bounce: true },
            "back to the boot heap",
        );
    });

    it("a machine that booted on a default heap keeps that user data while its other inputs are unchanged, and its bounce", () => {
        assert.equal(userDataFormat({ replacementKey: "legacy" }, "legacy"), "default-heap");
        assert.equal(userDataFormat({ replacementKey: "legacy" }, "other"), "heap-from-tag", "a changed machine is new: it boots with its heap");
        assert.equal(userDataFormat({ replacementKey: "legacy", bootHeap: "31g" }, "legacy"), "heap-from-tag");
        assert.equal(userDataFormat(undefined, "legacy"), "heap-from-tag");
        assert.deepEqual(bootPlan({ replacementKey: "legacy" }, { replacementKey: "legacy", heap: "31g", format: "default-heap" }), {
            format: "default-heap",
            bounce: true,
        });
    });
});

describe("a cluster deployed before nodes booted with their heap takes up the new program", function () {
    this.timeout(120_000);
    const base = searchDoc("prod");
    const legacy = outputsBeforeHeapAtBoot("prod");
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const header = (g: number, label: string) => `#!/bin/bash\n# dataplat host ${label} generation ${g}\n`;

    it("nothing is replaced, renamed or restarted: same identities, same user data, same bounce triggers, an empty plan", async () => {
        const g = await evaluateStack({ stack: "prod", config: rawFromDoc(base), previousOutputs: legacy });
        const nodes: any[] = legacy.deployed.search.nodes;
        for (const n of nodes) {
            const instance = res(g, T.instance, `${P}-search-${n.name}`);
            assert.ok(instance.name.endsWith(n.identity), `${n.name}: its identity ${n.identity}`);
            const userData = String(instance.inputs.userData);
            assert.ok(userData.startsWith(header(0, `${P}-search-${n.name}`)));
            assert.equal(
                sha(userData.slice(header(0, `${P}-search-${n.name}`).length)),
                n.replacing.userData,
                `${n.name}: the user data it booted with, byte for byte`,
            );
            assert.match(userData, /MemTotal/, `${n.name}: the default-heap format`);
            assert.equal((instance.inputs.tags as any)["dataplat-heap"], undefined, `${n.name}: no tag, so no in-place update either`);
            assert.equal((instance.inputs.metadataOptions as any).instanceMetadataTags, undefined);
            assert.deepEqual(cmd(g, P, n.name, "bounce").inputs.triggers, [n.nodeName, n.replacementKey, n.configKey], `${n.name}: its bounce is not replaced`);
        }
        assert.deepEqual(planOf(g), []);
        const written: any[] = (g.outputs.deployed as any).search.nodes;
        assert.deepEqual(written, nodes, "the snapshot it writes is the one it read (no boot heap: these machines booted on a default heap)");
    });

    it("a heap change on such a node replaces its bounce (which restarts it) and nothing else", async () => {
        const was = await evaluateStack({ stack: "prod", config: rawFromDoc(base), previousOutputs: legacy });
        const g = await evaluateStack({ stack: "prod", config: rawFromDoc(edited(base, (s) => (node(s, "spot-4").heap = "24g"))), previousOutputs: legacy });
        assert.deepEqual(changedKeys(was, g), [`${T.command}::${P}-search-spot-4-bounce`]);
        assert.deepEqual(planOf(g), [
            "bounce spot-4-g0 (heap 31g -> 24g): allocation primaries, restart, wait until it rejoins, allocation restored, wait green",
        ]);
    });

    it("a generation bump gives such a node a new machine that boots with its heap: no bounce, the old chain drained", async () => {
        const g = await evaluateStack({ stack: "prod", config: rawFromDoc(edited(base, (s) => (node(s, "spot-4").generation = 1))), previousOutputs: legacy });
        const mine = clusterResources(g).filter((r) => r.name.includes("-search-spot-4-"));
        assert.deepEqual(
            mine
                .filter((r) => r.type === T.command)
                .map((r) => r.name.replace(/-g1-[0-9a-f]{8}/, ""))
                .sort(),
            [`${P}-search-spot-4-drain`, `${P}-search-spot-4-undrain`],
        );
        const instance = res(g, T.instance, `${P}-search-spot-4`);
        assert.equal((instance.inputs.tags as any)["dataplat-heap"], "31g");
        assert.match(String(instance.inputs.userData), /meta-data\/tags\/instance\/dataplat-heap/);
        assert.deepEqual(planOf(g), [
            "join spot-4-g1: create the spot node (r6id.2xlarge, spot), booting with heap 31g, and wait until it is in the cluster",
            "drain spot-4-g0 (replaced: opensearch.yml (generation, zone or cluster-wide settings)): exclude the node, wait until it holds no shard copy (timeout 172800s)",
            "terminate spot-4-g0",
            "undrain spot-4-g0: remove its exclusion, restore zone=spot",
        ]);
        const n = (g.outputs.deployed as any).search.nodes.find((x: any) => x.name === "spot-4");
        assert.deepEqual([n.bootHeap, n.bounce], ["31g", false]);
    });
});
