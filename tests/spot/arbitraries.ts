/** fast-check arbitraries for spot fleets and price books. */
import fc from "fast-check";
import type { FleetTerms, TypePrices } from "../../ops/spot/allocator";

export interface Book {
    readonly terms: FleetTerms;
    readonly prices: TypePrices;
    readonly currentUtility?: number;
}

/**
 * A fleet and a price book: utilities up to maxUtility, prices 0.004-0.03 $/unit-hour against a
 * maxUtilityPrice of 0.02-0.05 and some per-type caps (so most types are eligible, some are over their cap), one type in ten
 * without a price, budgets in whole cents. At least two types, so share caps below 1 can be met.
 */
export function book(o: {
    minTypes?: number;
    types: number;
    maxUtility: number;
    maxTarget: number;
    maxBudget: number;
    shares?: readonly number[];
}): fc.Arbitrary<Book> {
    const type = fc.record({
        utility: fc.integer({ min: 1, max: o.maxUtility }),
        perUnit: fc.integer({ min: 40, max: 300 }).map((n) => n / 1e4),
        /** Per-instance cap as 0.010-0.060 $/unit-hour times the utility, on one type in four. */
        maxPerUnit: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.integer({ min: 10, max: 60 }).map((n) => n / 1000), weight: 1 }),
        priced: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
    });
    return fc
        .record({
            types: fc.array(type, { minLength: o.minTypes ?? 2, maxLength: o.types }),
            budget: fc.integer({ min: 0, max: Math.round(o.maxBudget * 100) }).map((c) => c / 100),
            maxUtilityPrice: fc.integer({ min: 20, max: 50 }).map((n) => n / 1000),
            maxPercentPerType: fc.constantFrom(...(o.shares ?? [0.25, 1 / 3, 0.4, 0.5, 0.6, 0.7, 0.9, 1])),
            targetUtility: fc.integer({ min: 1, max: o.maxTarget }),
            maxNewUtility: fc.integer({ min: 1, max: o.maxTarget + 1 }),
            currentUtility: fc.option(fc.integer({ min: 0, max: o.maxTarget }), { nil: undefined }),
        })
        .map((r) => {
            const prices: Record<string, number> = {};
            const instanceTypes = r.types.map((t, i) => {
                const type = `t${i}.xlarge`;
                if (t.priced) prices[type] = Math.round(t.utility * t.perUnit * 1e4) / 1e4;
                return { type, utility: t.utility, ...(t.maxPerUnit !== undefined ? { maxPrice: t.maxPerUnit * t.utility } : {}) };
            });
            return {
                terms: {
                    budget: r.budget,
                    instanceTypes,
                    maxUtilityPrice: r.maxUtilityPrice,
                    maxPercentPerType: r.maxPercentPerType,
                    targetUtility: r.targetUtility,
                    maxNewUtility: r.maxNewUtility,
                },
                prices,
                ...(r.currentUtility !== undefined ? { currentUtility: r.currentUtility } : {}),
            };
        });
}
