/**
 * allocate() against SpotManager's own add_instances, re-implemented faithfully (ops/spot/spotmanager.ts)
 * and run until it settles. Wherever SpotManager's fleet keeps both its own cap (instance count) and ours
 * (utility) it is a feasible plan for allocate(), so allocate() must never do worse; and the baseline must
 * behave as spot_manager.py does on the cases checked by hand below.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { allocate, FleetTerms } from "../../ops/spot/allocator";
import { spotManagerSettle } from "../../ops/spot/spotmanager";
import { book } from "./arbitraries";

const types = (...utilities: number[]) => utilities.map((utility, i) => ({ type: `x${i}.large`, utility }));

describe("spot allocator against SpotManager's add_instances (faithful baseline)", () => {
    it("never buys less utility than SpotManager settles on, wherever SpotManager keeps both caps", () => {
        let compared = 0;
        fc.assert(
            fc.property(book({ types: 6, maxUtility: 16, maxTarget: 120, maxBudget: 4 }), fc.constantFrom(2, 5, 10), (b, maxRequests) => {
                const sm = spotManagerSettle(b.terms, b.prices, { maxRequestsPerType: maxRequests });
                if (!(sm.countCapHeld && sm.utilityCapHeld)) return;
                const plan = allocate({ ...b.terms, maxNewUtility: undefined }, b.prices);
                compared++;
                assert.ok(plan.countedUtility >= sm.countedUtility, `ours ${plan.countedUtility} < SpotManager ${sm.countedUtility}`);
                assert.ok(sm.bids <= b.terms.budget * (1 + 1e-9), `SpotManager bid ${sm.bids} over budget ${b.terms.budget}`);
            }),
            { numRuns: 300 },
        );
        assert.ok(compared > 60, `only ${compared} books compared`);
    });

    it("one run requests at most max_requests_per_type of a type and at most max_new_utility", () => {
        const terms: FleetTerms = {
            budget: 10,
            maxUtilityPrice: 0.05,
            maxPercentPerType: 1,
            targetUtility: 400,
            maxNewUtility: 30,
            instanceTypes: types(2, 4),
        };
        const prices = { "x0.large": 0.02, "x1.large": 0.06 };
        const one = spotManagerSettle(terms, prices, { maxRequestsPerType: 3, maxRuns: 1 });
        // Best value first: x0 (100 units/$): naive round(30 / 2) = 15, capped at 3; then x1: round(24 / 4) = 6, capped at 3.
        assert.deepEqual(one.counts, { "x0.large": 3, "x1.large": 3 });
        const settled = spotManagerSettle(terms, prices, { maxRequestsPerType: 3 });
        assert.ok(settled.runs > 1 && settled.countedUtility > one.countedUtility);
    });

    it("bids 10% over the price for a single instance, and counts bids, not prices, against the budget", () => {
        const terms: FleetTerms = { budget: 0.12, maxUtilityPrice: 0.05, maxPercentPerType: 1, targetUtility: 4, maxNewUtility: 30, instanceTypes: types(4) };
        const sm = spotManagerSettle(terms, { "x0.large": 0.1 }, {});
        assert.equal(sm.counts["x0.large"], 1);
        assert.ok(Math.abs(sm.bids - 0.11) < 1e-12, `bid ${sm.bids}`);
        // A budget of 0.105 affords the price but not SpotManager's 10% higher bid.
        assert.equal(spotManagerSettle({ ...terms, budget: 0.105 }, { "x0.large": 0.1 }, {}).counts["x0.large"], 0);
        assert.equal(allocate({ ...terms, budget: 0.105 }, { "x0.large": 0.1 }).counts["x0.large"], 1);
    });

    it("lets one type take far more than max_percent_per_type on a fresh fleet (its cap counts instances it projects)", () => {
        // p = 0.7, fresh fleet: limit_total = floor(all * 0.7 / 0.3) >= naive, so the best-value type takes everything.
        const terms: FleetTerms = {
            budget: 5,
            maxUtilityPrice: 0.05,
            maxPercentPerType: 0.7,
            targetUtility: 40,
            maxNewUtility: 40,
            instanceTypes: types(4, 4),
        };
        const prices = { "x0.large": 0.04, "x1.large": 0.08 };
        const sm = spotManagerSettle(terms, prices, {});
        assert.equal(sm.counts["x0.large"], 10);
        assert.equal(sm.countCapHeld, false);
        const plan = allocate(terms, prices);
        assert.equal(plan.countedUtility, 40);
        assert.ok(plan.counts["x0.large"] * 4 <= 0.7 * plan.utility);
    });
});
