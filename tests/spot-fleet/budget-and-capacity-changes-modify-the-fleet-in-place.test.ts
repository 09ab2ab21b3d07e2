import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSpotFleetConfig } from "../../ops/spot/config";
import { StackGraph } from "../../stacks/offline/evaluate";
import type { SpotFleetConfig } from "../../ops/spot/config";
import { planFleet, type SpotPlanContext } from "../../ops/spot/plan";
import type { DeployedSpotFleet } from "../../ops/spot/shrink";
import { evaluateDoc } from "../support/graph";
import { fleetInputs, prodWith, replaceForcing, spotDoc } from "./support";

/** One fleet's plan (ops/spot/plan.ts planFleet), throwing on a config problem. */
function prepareFleet(
    name: string,
    config: SpotFleetConfig,
    cfg: { network: { subnets: SpotPlanContext["subnets"] } },
    previous: DeployedSpotFleet | undefined,
) {
    const p = planFleet(name, config, cfg.network.subnets, previous);
    if ("problems" in p) throw new Error(p.problems.map((f) => f.message).join("\n"));
    return p;
}

/**
 * "Changing the price, either up or down, has no destructive effect" (Stopping ETL): every change the
 * runbook makes to a running fleet must reach EC2 as ModifyFleet, never as a replacement.
 */
describe("budget and capacity changes modify the EC2 Fleet in place", function () {
    this.timeout(60000);
    let deployed: StackGraph;
    const base = spotDoc("prod");
    before(async () => (deployed = await evaluateDoc(spotDoc("prod"))));

    /** Evaluates `next` against the committed prod stack as deployed; returns before and after fleet inputs. */
    async function change(next: unknown, previous: unknown = base, before?: StackGraph) {
        const after = await evaluateDoc(next, previous);
        return { before: fleetInputs(before ?? deployed), after: fleetInputs(after), graph: after };
    }

    function assertInPlace(before: Record<string, any>, after: Record<string, any>) {
        assert.deepEqual(replaceForcing(after), replaceForcing(before));
        assert.deepEqual(after.launchTemplateConfigs, before.launchTemplateConfigs);
        assert.equal(after.excessCapacityTerminationPolicy, before.excessCapacityTerminationPolicy);
    }

    it("a budget cut lowers only the total target capacity", async () => {
        const { before, after } = await change(prodWith((etl) => (etl.budget = 0.3)));
        assertInPlace(before, after);
        assert.equal(before.targetCapacitySpecification.totalTargetCapacity, 30);
        assert.ok(after.targetCapacitySpecification.totalTargetCapacity < 30 && after.targetCapacitySpecification.totalTargetCapacity > 0);
    });

    it("budget 0 (the runbook's stop) scales to zero and keeps overrides, weights, prices and ceiling", async () => {
        const stopped = prodWith((etl) => (etl.budget = 0));
        const { before, after, graph } = await change(stopped);
        assertInPlace(before, after);
        assert.equal(after.targetCapacitySpecification.totalTargetCapacity, 0);
        assert.equal(after.launchTemplateConfigs[0].overrides.length, 18);
        assert.equal(after.spotOptions.maxTotalPrice, "4");
        const plan = (graph.outputs.plan as any).spotFleets.etl;
        assert.match(plan.text, /emergency stop\): scale to 0 instances; configuration kept/);
        assert.equal((graph.outputs.deployed as any).spotFleets.etl.targetCapacity, 0);
    });

    it("raising the budget again resumes from zero, growing by maxNewUtility, still in place", async () => {
        const stopped = prodWith((etl) => (etl.budget = 0));
        const stoppedGraph = await evaluateDoc(stopped, base);
        const { before, after } = await change(base, stopped, stoppedGraph);
        assertInPlace(before, after);
        assert.equal(before.targetCapacitySpecification.totalTargetCapacity, 0);
        assert.equal(after.targetCapacitySpecification.totalTargetCapacity, 30);
    });

    it("a capacity change (targetUtility down, or the next growth step up) touches only the target", async () => {
        const down = await change(prodWith((etl) => (etl.targetUtility = 16)));
        assertInPlace(down.before, down.after);
        assert.equal(down.after.targetCapacitySpecification.totalTargetCapacity, 16);
        const up = await change(base);
        assertInPlace(up.before, up.after);
        assert.equal(up.after.targetCapacitySpecification.totalTargetCapacity, 60);
    });

    it("whatever the budget, target or deployed utility, only the target capacity depends on them (property)", () => {
        const doc = spotDoc("prod");
        const cfg = { network: { subnets: doc.config["dataplat:network"].subnets } } as any;
        const raw = doc.config["dataplat:spotFleets"].etl;
        const reference = prepareFleet("etl", parseSpotFleetConfig(raw), cfg, undefined).plan.fleet;
        fc.assert(
            fc.property(
                fc.double({ min: 0, max: 4, noNaN: true }),
                fc.integer({ min: 0, max: 400 }),
                fc.integer({ min: 1, max: 100 }),
                fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
                (budget, targetUtility, maxNewUtility, deployedTarget) => {
                    const config = parseSpotFleetConfig({ ...raw, budget, targetUtility, maxNewUtility });
                    const previous =
                        deployedTarget === undefined
                            ? undefined
                            : { targetCapacity: deployedTarget, budget: 2, spendCeiling: 4, interruptionBehavior: "terminate" };
                    const p = prepareFleet("etl", config, cfg, previous);
                    const fleet = p.plan.fleet;
                    assert.deepEqual(fleet.overrides, reference.overrides);
                    assert.equal(fleet.maxTotalPrice, reference.maxTotalPrice);
                    assert.equal(fleet.interruptionBehavior, reference.interruptionBehavior);
                    assert.ok(fleet.targetCapacity <= targetUtility);
                    assert.ok(fleet.targetCapacity <= (deployedTarget ?? 0) + maxNewUtility);
                    assert.ok(p.plan.allocation.cost <= budget * (1 + 1e-9));
                    if (budget === 0) assert.equal(fleet.targetCapacity, 0);
                },
            ),
            { numRuns: 150 },
        );
    });
});
