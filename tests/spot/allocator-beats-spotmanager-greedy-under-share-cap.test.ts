/**
 * Crafted price books where SpotManager's greedy (best utility per dollar first, per-type limit from
 * max_percent_per_type against the fleet it projects) is beaten because of the share cap. Expected
 * optima come from brute force, not from the allocator.
 */
import assert from "node:assert/strict";
import { allocate, FleetTerms, shareCapHolds, spotManagerGreedy } from "../../ops/spot/allocator";
import { bestSubFleet, bruteForce } from "./brute-force";

const types = (...utilities: number[]) => utilities.map((utility, i) => ({ type: `x${i}.large`, utility }));

describe("spot allocator against SpotManager's greedy", () => {
    it("buys two instances that each exceed the per-type share of the need, where greedy buys nothing", () => {
        // Need 16 with p = 0.5: greedy allows floor(0.5 * 16 / 10) = 0 instances of every 10-unit type.
        const terms: FleetTerms = { budget: 0.41, maxUtilityPrice: 0.05, maxPercentPerType: 0.5, targetUtility: 16, instanceTypes: types(10, 10, 10) };
        const prices = { "x0.large": 0.052, "x1.large": 0.069, "x2.large": 0.107 };
        const greedy = spotManagerGreedy(terms, prices);
        const plan = allocate(terms, prices);
        const ref = bruteForce(terms, prices);
        assert.equal(greedy.utility, 0);
        assert.equal(ref.countedUtility, 16);
        assert.equal(plan.countedUtility, ref.countedUtility);
        assert.equal(shareCapHolds(plan.counts, terms), true);
    });

    it("does not spend the budget on the second-best type up to its cap when that starves a third", () => {
        // Greedy fills x0 to its share, then x2 (4 units, cheaper per unit than x1) to its share, and then
        // cannot afford x1; one of each reaches the target.
        const terms: FleetTerms = { budget: 0.25, maxUtilityPrice: 0.05, maxPercentPerType: 0.5, targetUtility: 19, instanceTypes: types(8, 8, 4) };
        const prices = { "x0.large": 0.068, "x1.large": 0.099, "x2.large": 0.049 };
        const greedy = spotManagerGreedy(terms, prices);
        const plan = allocate(terms, prices);
        const ref = bruteForce(terms, prices);
        assert.equal(greedy.shareCapHeld, true);
        assert.ok(greedy.countedUtility < ref.countedUtility, `greedy ${greedy.countedUtility} vs optimum ${ref.countedUtility}`);
        assert.equal(plan.countedUtility, ref.countedUtility);
        assert.ok(plan.cost <= terms.budget);
    });

    it("respects the share cap when the budget runs out before the projected fleet, where greedy breaks it", () => {
        // Greedy projects a 100-unit fleet, so x0 may take 50 units; the budget buys exactly those 5 x0 and
        // nothing else: a one-type fleet. The best share-respecting part of that plan is empty.
        const terms: FleetTerms = { budget: 0.5, maxUtilityPrice: 0.05, maxPercentPerType: 0.5, targetUtility: 100, instanceTypes: types(10, 10) };
        const prices = { "x0.large": 0.1, "x1.large": 0.2 };
        const greedy = spotManagerGreedy(terms, prices);
        const plan = allocate(terms, prices);
        assert.equal(greedy.shareCapHeld, false);
        assert.equal(shareCapHolds(plan.counts, terms), true);
        const salvage = bestSubFleet(terms, prices, greedy.counts);
        const ref = bruteForce(terms, prices);
        assert.equal(plan.countedUtility, ref.countedUtility);
        assert.ok(plan.countedUtility > salvage.countedUtility, `plan ${plan.countedUtility} vs greedy salvage ${salvage.countedUtility}`);
    });

    it("matches greedy when there is no share cap and one type is best per dollar at every size", () => {
        const terms: FleetTerms = { budget: 1, maxUtilityPrice: 0.05, maxPercentPerType: 1, targetUtility: 40, instanceTypes: types(4, 8) };
        const prices = { "x0.large": 0.04, "x1.large": 0.1 };
        const greedy = spotManagerGreedy(terms, prices);
        const plan = allocate(terms, prices);
        assert.equal(plan.countedUtility, greedy.countedUtility);
        assert.ok(Math.abs(plan.cost - greedy.cost) < 1e-12);
    });
});
