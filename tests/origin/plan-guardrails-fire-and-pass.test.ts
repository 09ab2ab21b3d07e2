// The origin plan (ops/origin/plan.ts originPlan) called directly: each guardrail fires with its id and kind and
// passes without its cause; the plan carries every decision the OriginCluster component wires.
import assert from "node:assert/strict";
import type { OriginSectionConfig } from "../../ops/config/schema";
import { originPlan, readDeployedOrigin, type DeployedOrigin } from "../../ops/origin/plan";
import type { SnapshotRead } from "../../ops/state/snapshot";
import { committedConfig, deepClone, finding, ids, passes } from "../support/plans";

const cfg = committedConfig("prod");
const origin = cfg.origin!;
const context = { imageId: cfg.hosts.imageId, subnets: cfg.network.subnets };
const first: SnapshotRead<DeployedOrigin> = { kind: "first" };
const edit = (change: (c: OriginSectionConfig) => void): OriginSectionConfig => {
    const c = deepClone(origin);
    change(c);
    return c;
};
const plan = (c: OriginSectionConfig, deployed: SnapshotRead<DeployedOrigin> = first, ctx = context) => originPlan(c, deployed, ctx);
const deployed = (c: OriginSectionConfig = origin): SnapshotRead<DeployedOrigin> => ({ kind: "ok", value: plan(c).snapshot });
const hosts = Object.keys(origin.hashstate);
const released = (c: OriginSectionConfig) => {
    c.kraken = "released";
    for (const h of Object.keys(c.hashstate)) (c.hashstate as Record<string, { label: string; weight: number }>)[h].weight = 100;
};

describe("origin plan (ops/origin/plan.ts): each guardrail by id and kind", () => {
    it("the committed prod origins: no findings, and every decision the component wires", () => {
        const p = plan(origin);
        assert.deepEqual([ids(p.problems), ids(p.refusals)], [[], []]);
        assert.equal(p.plan.update.initial, true);
        assert.deepEqual(Object.keys(p.plan.machines), hosts);
        assert.ok(hosts.every((h) => context.subnets.some((s) => s.id === p.plan.machines[h].subnetId)));
        assert.deepEqual(Object.keys(p.plan.rolloutScripts), hosts);
        assert.match(p.plan.repairTrigger, /^[0-9a-f]{16}$/);
        assert.deepEqual(p.snapshot, { hashstate: origin.hashstate, replicas: origin.replicas, port: origin.port, machines: p.plan.machines });
        const again = plan(origin, deployed());
        assert.deepEqual([ids(again.refusals), again.plan.report.change], [[], "none"]);
    });

    it("origin/deployed-snapshot", () => {
        finding(plan(origin, readDeployedOrigin({ hashstate: 1 })).refusals, "origin/deployed-snapshot", "change-refusal");
        passes(plan(origin, readDeployedOrigin(plan(origin).snapshot)).refusals, "origin/deployed-snapshot");
    });

    it("origin/replicas-change and origin/port-change", () => {
        finding(
            plan(
                edit((c) => (c.replicas = 2)),
                deployed(),
            ).refusals,
            "origin/replicas-change",
            "change-refusal",
        );
        finding(
            plan(
                edit((c) => (c.port = 15003)),
                deployed(),
            ).refusals,
            "origin/port-change",
            "change-refusal",
        );
        const same = plan(origin, deployed()).refusals;
        passes(same, "origin/replicas-change");
        passes(same, "origin/port-change");
    });

    it("origin/one-hashstate-change: two origins added in one update", () => {
        const two = edit((c) => {
            (c.hashstate as Record<string, { label: string; weight: number }>)["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 7500 };
            (c.hashstate as Record<string, { label: string; weight: number }>)["kraken-origin-master06-sjc1"] = { label: "origin5", weight: 7500 };
        });
        finding(plan(two, deployed()).refusals, "origin/one-hashstate-change", "change-refusal");
        const one = edit(
            (c) => ((c.hashstate as Record<string, { label: string; weight: number }>)["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 7500 }),
        );
        const p = plan(one, deployed());
        passes(p.refusals, "origin/one-hashstate-change");
        assert.deepEqual(p.plan.update.rollingRestart.at(-1), "kraken-origin-master05-sjc1");
    });

    it("origin/released-model: weights released Kraken cannot express", () => {
        finding(plan(edit((c) => (c.kraken = "released"))).refusals, "origin/released-model", "change-refusal");
        passes(plan(edit(released)).refusals, "origin/released-model");
    });

    it("origin/inventory-required: released Kraken moving shards without origin.inventory", () => {
        const base = edit(released);
        const grown = edit((c) => {
            released(c);
            (c.hashstate as Record<string, { label: string; weight: number }>)["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 100 };
        });
        finding(plan(grown, deployed(base)).refusals, "origin/inventory-required", "change-refusal");
        const listed = { ...grown, inventory: { namespace: "ns", listUrl: "http://backend.example/list" } } as OriginSectionConfig;
        passes(plan(listed, deployed(base)).refusals, "origin/inventory-required");
    });

    it("origin/machine-replacement: a new image for every origin at once", () => {
        finding(plan(origin, deployed(), { ...context, imageId: "ami-0fffffffffffffff0" }).refusals, "origin/machine-replacement", "change-refusal");
        passes(plan(origin, deployed()).refusals, "origin/machine-replacement");
    });
});
