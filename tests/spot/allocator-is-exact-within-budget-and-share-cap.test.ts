import assert from "node:assert/strict";
import fc from "fast-check";
import { allocate, lpUpperBound, shareCapHolds, withinShare } from "../../ops/spot/allocator";
import { book, Book } from "./arbitraries";
import { bruteForce } from "./brute-force";

// Few types: shares that need at most three of them, so most books can buy something.
const small = book({ minTypes: 3, types: 4, maxUtility: 6, maxTarget: 18, maxBudget: 1.2, shares: [0.34, 0.4, 0.5, 0.6, 0.7, 0.9, 1] });
const medium = book({ types: 8, maxUtility: 72, maxTarget: 400, maxBudget: 12 });

const utilityOf = (b: Book) => new Map(b.terms.instanceTypes.map((t) => [t.type, t.utility]));

describe("spot allocator", () => {
    it("finds the same optimum as brute-force enumeration on small fleets", () => {
        let bought = 0;
        fc.assert(
            fc.property(small, (b) => {
                const plan = allocate(b.terms, b.prices, { currentUtility: b.currentUtility });
                const ref = bruteForce(b.terms, b.prices, { currentUtility: b.currentUtility });
                assert.equal(plan.method === "none" || plan.method === "exact", true);
                assert.equal(plan.countedUtility, ref.countedUtility, `counted utility: plan ${JSON.stringify(plan.counts)} vs ${JSON.stringify(ref.counts)}`);
                assert.ok(Math.abs(plan.cost - ref.cost) <= 1e-9, `cost ${plan.cost} vs brute force ${ref.cost}`);
                if (plan.utility > 0) bought++;
            }),
            { numRuns: 400 },
        );
        assert.ok(bought > 160, `only ${bought} of 400 books bought anything: the comparison is too easy`);
    });

    it("never spends more than the budget", () => {
        let bought = 0;
        fc.assert(
            fc.property(medium, (b) => {
                const plan = allocate(b.terms, b.prices, { currentUtility: b.currentUtility });
                assert.ok(plan.cost <= b.terms.budget * (1 + 1e-9), `cost ${plan.cost} > budget ${b.terms.budget}`);
                if (plan.utility > 0) bought++;
            }),
            { numRuns: 150 },
        );
        assert.ok(bought > 45, `only ${bought} of 150 books bought anything`);
    });

    it("never puts a type above maxPercentPerType of the fleet's utility", () => {
        fc.assert(
            fc.property(medium, (b) => {
                const plan = allocate(b.terms, b.prices, { currentUtility: b.currentUtility });
                const u = utilityOf(b);
                for (const [type, n] of Object.entries(plan.counts)) {
                    assert.ok(withinShare(n * u.get(type)!, plan.utility, b.terms.maxPercentPerType), `${type}: ${n} of ${plan.utility} units`);
                }
                assert.equal(shareCapHolds(plan.counts, b.terms), true);
            }),
            { numRuns: 150 },
        );
    });

    it("never buys a type whose price is over its cap or unknown", () => {
        fc.assert(
            fc.property(medium, (b) => {
                const plan = allocate(b.terms, b.prices);
                for (const t of b.terms.instanceTypes) {
                    const n = plan.counts[t.type] ?? 0;
                    if (n === 0) continue;
                    const price = b.prices[t.type];
                    assert.ok(price !== undefined, `${t.type} bought without a price`);
                    const cap = Math.min(t.maxPrice ?? Infinity, b.terms.maxUtilityPrice * t.utility);
                    assert.ok(price <= cap * (1 + 1e-9), `${t.type} bought at ${price} over its cap ${cap}`);
                }
            }),
            { numRuns: 100 },
        );
    });

    it("never gives less utility for more budget", () => {
        fc.assert(
            fc.property(medium, fc.double({ min: 0, max: 5, noNaN: true }), (b, extra) => {
                const richer = { ...b.terms, budget: b.terms.budget + extra };
                const less = allocate(b.terms, b.prices, { currentUtility: b.currentUtility });
                const more = allocate(richer, b.prices, { currentUtility: b.currentUtility });
                assert.ok(
                    more.countedUtility >= less.countedUtility,
                    `budget ${b.terms.budget} -> ${less.countedUtility}, +${extra} -> ${more.countedUtility}`,
                );
            }),
            { numRuns: 100 },
        );
    });

    it("buys nothing when the budget is 0 (emergency stop)", () => {
        fc.assert(
            fc.property(medium, (b) => {
                const plan = allocate({ ...b.terms, budget: 0 }, b.prices, { currentUtility: b.currentUtility });
                assert.equal(plan.utility, 0);
                assert.equal(plan.cost, 0);
                assert.ok(Object.values(plan.counts).every((n) => n === 0));
            }),
            { numRuns: 50 },
        );
    });

    it("stays within the LP relaxation's utility, which stays within the limit and budget", () => {
        fc.assert(
            fc.property(medium, (b) => {
                const options = { currentUtility: b.currentUtility };
                const plan = allocate(b.terms, b.prices, options);
                const lp = lpUpperBound(b.terms, b.prices, options);
                assert.ok(lp.utility + 1e-9 >= plan.countedUtility, `LP ${lp.utility} < plan ${plan.countedUtility}`);
                assert.ok(lp.cost <= b.terms.budget * (1 + 1e-9));
            }),
            { numRuns: 150 },
        );
    });

    it("never grows the fleet past currentUtility + maxNewUtility by a whole instance", () => {
        fc.assert(
            fc.property(medium, fc.integer({ min: 0, max: 200 }), (b, current) => {
                const plan = allocate(b.terms, b.prices, { currentUtility: current });
                const cap = current + b.terms.maxNewUtility!;
                const largest = Math.max(...b.terms.instanceTypes.map((t) => t.utility));
                assert.ok(plan.utility < cap + largest, `${plan.utility} units with growth cap ${cap}`);
            }),
            { numRuns: 100 },
        );
    });

    it("keeps budget and share cap when the work limit forces bundles", () => {
        const big = book({ types: 6, maxUtility: 16, maxTarget: 1500, maxBudget: 30 });
        let bundled = 0;
        fc.assert(
            fc.property(big, (b) => {
                const plan = allocate(b.terms, b.prices, { maxWork: 2e4 });
                if (plan.method === "bundled") bundled++;
                assert.ok(plan.cost <= b.terms.budget * (1 + 1e-9));
                assert.equal(shareCapHolds(plan.counts, b.terms), true);
                assert.ok(lpUpperBound(b.terms, b.prices).utility + 1e-9 >= plan.countedUtility);
            }),
            { numRuns: 60 },
        );
        assert.ok(bundled > 0, "no run took the bundled path");
    });
});
