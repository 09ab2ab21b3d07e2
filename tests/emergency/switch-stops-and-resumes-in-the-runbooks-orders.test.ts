// The offline synth of the committed prod stack with the switch on, and then off: the registered resources and
// their edges, run through the engine's step model (ops/engine/steps.ts planUpdate), give the runbook's stop
// order and its different resume order.
import assert from "node:assert/strict";
import { planUpdate } from "../../ops/engine/steps";
import { StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

const COMMAND = "command:local:Command";
type Doc = { config: Record<string, any> };

const emergencyName = (name: string): string | undefined => /-emergency-((?:stop|resume)-[a-z]+)$/.exec(name)?.[1];

/** The emergency commands whose provider step runs a script: creates of stops, deletes of resumes. */
function acting(plan: ReturnType<typeof planUpdate>, g: StackGraph, op: "create" | "delete"): string[] {
    const byUrn = new Map(g.resources.map((r) => [r.urn, r]));
    return plan.steps
        .filter((s) => s.op === op && s.type === COMMAND)
        .map((s) => emergencyName(byUrn.get(s.urn)?.name ?? s.name))
        .filter((n): n is string => n !== undefined && n.startsWith(op === "create" ? "stop-" : "resume-"));
}

describe("emergency: the switch stops and resumes in the runbook's orders (offline synth + engine model)", function () {
    this.timeout(300_000);
    const normal = stackDoc("prod") as Doc;
    const on = deepClone(normal);
    on.config["dataplat:emergency"] = { active: true, reason: "cluster red after losing three spot nodes", since: "2024-05-01T03:00:00Z" };
    const off = deepClone(normal);
    off.config["dataplat:emergency"] = { active: false };
    let deployed: StackGraph;
    let active: StackGraph;

    before(async () => {
        deployed = await evaluateDoc(normal, normal, "prod");
        active = await evaluateDoc(on, normal, "prod");
    });

    it("turning it on creates the stops in the runbook's order: balancer, frontend, ETL, ingestion", () => {
        const plan = planUpdate(deployed, active);
        assert.deepEqual(acting(plan, active, "create"), ["stop-balancer", "stop-frontend", "stop-etl", "stop-ingestion"]);
    });

    it("turning it on leaves the search cluster's own resources and every fleet's capacity unchanged", () => {
        const plan = planUpdate(deployed, active);
        const changed = plan.steps.filter((s) => s.op !== "same" && !(s.type === COMMAND && emergencyName(s.name)));
        assert.deepEqual(
            changed.map((s) => `${s.op} ${s.name}`),
            [],
        );
        const fleet = active.resources.find((r) => r.type === "aws:ec2/fleet:Fleet" && /etl/.test(r.name))!;
        assert.ok(fleet.options.ignoreChanges?.includes("targetCapacitySpecification.totalTargetCapacity"), "the ETL fleet's capacity is held");
        const search = active.resources.filter((r) => r.type === "aws:ec2/fleet:Fleet" && !/etl/.test(r.name));
        for (const f of search) assert.ok(!f.options.ignoreChanges?.includes("targetCapacitySpecification.totalTargetCapacity"), `${f.name} is not held`);
    });

    for (const [label, doc] of [
        ["active: false", off],
        ["the key removed", normal],
    ] as const) {
        it(`${label} deletes the resumes in the runbook's resume order: balancer, frontend, ingestion, ETL last`, async () => {
            const resumed = await evaluateDoc(doc, on, "prod");
            const plan = planUpdate(active, resumed);
            assert.deepEqual(acting(plan, active, "delete"), ["resume-balancer", "resume-frontend", "resume-ingestion", "resume-etl"]);
            // Nothing raises an ETL fleet before the resumes: the fleet is still held in this update.
            const fleet = resumed.resources.find((r) => r.type === "aws:ec2/fleet:Fleet" && /etl/.test(r.name))!;
            assert.ok(fleet.options.ignoreChanges?.includes("targetCapacitySpecification.totalTargetCapacity"));
            assert.deepEqual(
                plan.steps.filter((s) => s.op === "update" || s.op === "create").map((s) => s.name),
                [],
            );
        });
    }

    it("while active, a later update keeps everything stopped: no resume runs, a budget change does not reach the ETL fleet", async () => {
        const later = deepClone(on);
        const etl = Object.values(later.config["dataplat:spotFleets"] as Record<string, any>).find((f) => f.tier === "etl");
        etl.budget = etl.budget * 2;
        const again = await evaluateDoc(later, on, "prod");
        const plan = planUpdate(active, again);
        assert.deepEqual(acting(plan, active, "delete"), []);
        assert.deepEqual(
            plan.steps.filter((s) => s.op === "delete").map((s) => s.name),
            [],
        );
        const fleet = again.resources.find((r) => r.type === "aws:ec2/fleet:Fleet" && /etl/.test(r.name))!;
        assert.ok(fleet.options.ignoreChanges?.includes("targetCapacitySpecification.totalTargetCapacity"));
    });

    it("the plan and stack outputs say it is active, since when and why", () => {
        const out = active.outputs.emergency as { active: boolean; since: string; reason: string };
        assert.equal(out.active, true);
        assert.equal(out.since, "2024-05-01T03:00:00Z");
        assert.equal(out.reason, "cluster red after losing three spot nodes");
        const plan = (active.outputs.plan as Record<string, { text: string; active: boolean }>).emergency;
        assert.equal(plan.active, true);
        assert.match(plan.text, /EMERGENCY ACTIVE since 2024-05-01T03:00:00Z: cluster red after losing three spot nodes/);
    });

    it("the update after the resume no longer holds the ETL fleet (its budget's plan is managed again)", async () => {
        const after = await evaluateDoc(off, off, "prod");
        const fleet = after.resources.find((r) => r.type === "aws:ec2/fleet:Fleet" && /etl/.test(r.name))!;
        assert.ok(!fleet.options.ignoreChanges?.includes("targetCapacitySpecification.totalTargetCapacity"));
    });
});
