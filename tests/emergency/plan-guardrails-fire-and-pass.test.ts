// The emergency switch's plan (ops/emergency/plan.ts) called directly: each guardrail fires with its id and
// kind and passes without its cause; holds, held fleets and the snapshot follow the switch.
import assert from "node:assert/strict";
import { EmergencyConfigSchema } from "../../ops/emergency/config";
import { emergencyPlan, readDeployedEmergency } from "../../ops/emergency/plan";
import { emergencyWorld, type DeployedEmergency } from "../../ops/emergency/steps";
import type { SnapshotRead } from "../../ops/state/snapshot";
import { committedConfig, finding, ids, passes } from "../support/plans";

const world = emergencyWorld(committedConfig("prod"));
const first: SnapshotRead<DeployedEmergency> = { kind: "first" };
const on = (over: Record<string, unknown> = {}) => EmergencyConfigSchema.parse({ active: true, reason: "red cluster", ...over });
const off = EmergencyConfigSchema.parse({ active: false });
const plan = (c: ReturnType<typeof on> | undefined = on(), deployed: SnapshotRead<DeployedEmergency> = first, hasSshKey = true, w = world) =>
    emergencyPlan(c, deployed, { world: w, hasSshKey });

describe("emergency plan (ops/emergency/plan.ts): each guardrail by id and kind", () => {
    it("the prod stack's switch: on, it holds every step and the etl fleets; off or absent, nothing", () => {
        const active = plan();
        assert.deepEqual([ids(active.problems), ids(active.refusals)], [[], []]);
        assert.deepEqual(
            active.plan.holds.map((h) => h.id),
            ["stop-balancer", "stop-frontend", "stop-etl", "stop-ingestion", "resume-etl", "resume-ingestion", "resume-frontend", "resume-balancer"],
        );
        assert.deepEqual(active.plan.holds.find((h) => h.id === "stop-frontend")!.process.batchSize, 1);
        assert.deepEqual(active.plan.heldFleets, ["etl"]);
        assert.equal(active.snapshot.active, true);
        const absent = emergencyPlan(undefined, first, { world, hasSshKey: true });
        assert.deepEqual([absent.plan.holds, absent.plan.heldFleets, absent.plan.report.text], [[], [], "no emergency"]);
        // Turning it off keeps the fleets held for the update whose resumes bring them back, then lets go.
        const was: SnapshotRead<DeployedEmergency> = { kind: "ok", value: active.snapshot };
        assert.deepEqual(plan(off, was).plan.heldFleets, ["etl"]);
        assert.deepEqual(plan(off, { kind: "ok", value: plan(off, was).snapshot }).plan.heldFleets, []);
    });

    it("emergency/deployed-snapshot", () => {
        finding(plan(on(), readDeployedEmergency({ active: "yes" })).refusals, "emergency/deployed-snapshot", "change-refusal");
        passes(plan(on(), readDeployedEmergency(plan().snapshot)).refusals, "emergency/deployed-snapshot");
    });

    it("emergency/unknown-host", () => {
        finding(plan(on({ balancer: { host: "manger" } })).refusals, "emergency/unknown-host", "change-refusal");
        finding(plan(on({ frontend: { hosts: ["frontend", "web"] } })).refusals, "emergency/unknown-host", "change-refusal");
        passes(plan(on({ balancer: { host: "manager" } })).refusals, "emergency/unknown-host");
    });

    it("emergency/unknown-spot-node", () => {
        finding(plan(on({ ingestion: { nodes: ["spot-zz"] } })).refusals, "emergency/unknown-spot-node", "change-refusal");
        finding(
            plan(on({ ingestion: { nodes: ["a"] } }), first, true, { ...world, spotNodes: undefined }).refusals,
            "emergency/unknown-spot-node",
            "change-refusal",
        );
        passes(plan(on({ ingestion: { nodes: world.spotNodes!.slice(0, 1) } })).refusals, "emergency/unknown-spot-node");
    });

    it("emergency/unknown-fleet and emergency/not-an-etl-fleet", () => {
        const w = { ...world, fleets: { etl: "etl", es: "search" } };
        finding(plan(on({ etl: { fleets: ["nope"] } }), first, true, w).refusals, "emergency/unknown-fleet", "change-refusal");
        finding(plan(on({ etl: { fleets: ["es"] } }), first, true, w).refusals, "emergency/not-an-etl-fleet", "change-refusal");
        const fine = plan(on({ etl: { fleets: ["etl"] } }), first, true, w).refusals;
        passes(fine, "emergency/unknown-fleet");
        passes(fine, "emergency/not-an-etl-fleet");
    });

    it("emergency/ssh-key: only while the switch is on", () => {
        finding(plan(on(), first, false).refusals, "emergency/ssh-key", "change-refusal");
        passes(plan(off, first, false).refusals, "emergency/ssh-key");
    });
});
