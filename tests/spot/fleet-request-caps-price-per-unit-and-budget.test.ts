import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSpotFleetConfig } from "../../ops/spot/config";
import { describePlan, dollars, planSpotFleet, spotFleetRequest } from "../../ops/spot/fleet";

const config = parseSpotFleetConfig({
    budget: 2,
    instanceTypes: [
        { type: "c5.xlarge", utility: 4 },
        { type: "r5.xlarge", utility: 4, maxPrice: 0.06 },
        { type: "c5.2xlarge", utility: 8 },
    ],
    maxUtilityPrice: 0.02,
    maxPercentPerType: 0.7,
    maxNewUtility: 30,
    targetUtility: 40,
    minUtility: 20,
    subnets: ["subnet-5750c90d", "subnet-0a1b2c3d"],
    interruptionBehavior: "stop",
});
const prices = { "c5.xlarge": 0.05, "r5.xlarge": 0.055, "c5.2xlarge": 0.11 };

describe("spot fleet request and plan", () => {
    it("has one override per type and subnet, weighted by utility, capped per unit of utility", () => {
        const fleet = spotFleetRequest(config);
        assert.equal(fleet.overrides.length, 6);
        const r5 = fleet.overrides.filter((o) => o.instanceType === "r5.xlarge");
        assert.deepEqual(
            r5.map((o) => o.subnetId),
            ["subnet-5750c90d", "subnet-0a1b2c3d"],
        );
        // r5.xlarge: min(0.06 per instance / 4 units, 0.02 per unit) = 0.015 per unit-hour.
        assert.equal(r5[0].maxPrice, "0.015");
        assert.equal(r5[0].weightedCapacity, 4);
        assert.equal(fleet.overrides.find((o) => o.instanceType === "c5.2xlarge")!.maxPrice, "0.02");
        assert.equal(fleet.interruptionBehavior, "stop");
    });

    it("never raises a cap when writing it as a string, and loses less than a millionth", () => {
        fc.assert(
            fc.property(fc.double({ min: 0.000001, max: 1000, noNaN: true }), (x) => {
                const written = Number(dollars(x));
                assert.ok(written <= x * (1 + 1e-12), `${x} written as ${dollars(x)}`);
                assert.ok(x - written < 1.000001e-6, `${x} written as ${dollars(x)}`);
                assert.match(dollars(x), /^\d+(\.\d{1,6})?$/);
            }),
        );
    });

    it("sets maxTotalPrice to the fixed spend ceiling, never the budget, and the target to what the plan buys", () => {
        const plan = planSpotFleet(config, prices);
        assert.equal(plan.fleet.maxTotalPrice, null);
        const ceiling = { ...config, spendCeiling: 3 };
        assert.equal(planSpotFleet(ceiling, prices).fleet.maxTotalPrice, "3");
        assert.equal(planSpotFleet({ ...ceiling, budget: 1 }, prices).fleet.maxTotalPrice, "3");
        assert.equal(plan.fleet.targetCapacity, plan.allocation.countedUtility);
        assert.ok(plan.allocation.countedUtility > 0);
        assert.ok(plan.allocation.cost <= config.budget);
    });

    it("scales to zero on budget 0 and says it is the emergency stop", () => {
        const stopped = planSpotFleet({ ...config, budget: 0 }, prices);
        assert.equal(stopped.fleet.targetCapacity, 0);
        assert.equal(stopped.fleet.maxTotalPrice, null);
        assert.deepEqual(stopped.fleet.overrides, planSpotFleet(config, prices).fleet.overrides);
        assert.equal(stopped.allocation.utility, 0);
        assert.equal(stopped.summary.emergencyStop, true);
        assert.match(stopped.text, /emergency stop/);
        assert.equal(spotFleetRequest({ ...config, budget: 0 }).targetCapacity, 0);
    });

    it("targets the growth-capped limit when there is no price book", () => {
        assert.equal(spotFleetRequest(config, undefined, { currentUtility: 4 }).targetCapacity, 34);
        assert.equal(spotFleetRequest(config).targetCapacity, 40);
    });

    it("leaves out types whose per-unit cap EC2 would reject, and types the plan skips when asked", () => {
        const cheap = { ...config, instanceTypes: [...config.instanceTypes, { type: "t3.nano", utility: 1, maxPrice: 0.0008 }] };
        const fleet = spotFleetRequest(cheap);
        assert.equal(
            fleet.overrides.some((o) => o.instanceType === "t3.nano"),
            false,
        );
        assert.match(fleet.omitted.find((o) => o.type === "t3.nano")!.reason, /not above EC2's minimum/);
        const plan = planSpotFleet(config, prices);
        const planned = spotFleetRequest(config, plan.allocation, { onlyPlannedTypes: true });
        for (const o of planned.overrides) assert.ok(plan.allocation.counts[o.instanceType] > 0);
    });

    it("summarizes what the fleet buys and what it costs in one JSON-able object and one line", () => {
        const plan = planSpotFleet(config, prices);
        const summary = JSON.parse(JSON.stringify(plan.summary));
        const total = summary.instances.reduce((a: number, i: { cost: number }) => a + i.cost, 0);
        assert.ok(Math.abs(total - plan.allocation.cost) < 1e-12);
        assert.equal(
            summary.instances.reduce((a: number, i: { utility: number }) => a + i.utility, 0),
            plan.allocation.utility,
        );
        for (const i of summary.instances) assert.match(plan.text, new RegExp(`${i.count}x${i.type.replace(".", "\\.")}`));
        assert.match(plan.text, new RegExp(`\\$${plan.allocation.cost.toFixed(4)}/h of \\$2/h budget`));
        assert.doesNotMatch(plan.text, /\n/);
    });

    it("flags a plan below minUtility and names types over their price cap", () => {
        const poor = planSpotFleet({ ...config, budget: 0.2 }, { ...prices, "c5.2xlarge": 0.5 });
        assert.equal(poor.summary.belowMinUtility, true);
        assert.match(describePlan(poor.summary), /BELOW minUtility 20/);
        assert.match(describePlan(poor.summary), /over price cap: c5\.2xlarge/);
    });
});
