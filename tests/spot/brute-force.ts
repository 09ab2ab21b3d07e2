/**
 * Reference optimum by enumeration, written from the problem statement in ops/spot/allocator.ts and
 * sharing nothing with the sweep but the definitions (eligibility, limit, share tolerance).
 */
import { FleetTerms, offers, TypePrices, utilityLimit, withinShare, AllocationOptions } from "../../ops/spot/allocator";

export interface Reference {
    readonly counts: Record<string, number>;
    readonly utility: number;
    readonly countedUtility: number;
    readonly cost: number;
}

const affordable = (cost: number, budget: number) => cost <= budget * (1 + 1e-9);

/** Best fleet by (counted utility desc, cost asc) over every count vector within budget and ceiling. */
export function bruteForce(terms: FleetTerms, prices: TypePrices, options: AllocationOptions = {}): Reference {
    const { eligible } = offers(terms, prices);
    const limit = utilityLimit(terms, options);
    const empty: Reference = { counts: Object.fromEntries(eligible.map((o) => [o.type, 0])), utility: 0, countedUtility: 0, cost: 0 };
    if (eligible.length === 0 || terms.budget <= 0 || limit <= 0) return empty;
    const ceiling = limit + Math.max(...eligible.map((o) => o.utility)) - 1;
    let best = empty;
    const x = eligible.map(() => 0);
    const visit = (i: number, utility: number, cost: number): void => {
        if (i === eligible.length) {
            if (utility === 0) return;
            if (!eligible.every((o, j) => withinShare(x[j] * o.utility, utility, terms.maxPercentPerType))) return;
            const counted = Math.min(utility, limit);
            if (counted > best.countedUtility || (counted === best.countedUtility && cost < best.cost - 1e-12)) {
                best = { counts: Object.fromEntries(eligible.map((o, j) => [o.type, x[j]])), utility, countedUtility: counted, cost };
            }
            return;
        }
        const o = eligible[i];
        for (let n = 0; utility + n * o.utility <= ceiling && affordable(cost + n * o.price, terms.budget); n++) {
            x[i] = n;
            visit(i + 1, utility + n * o.utility, cost + n * o.price);
        }
        x[i] = 0;
    };
    visit(0, 0, 0);
    return best;
}

/** The best share-respecting fleet using at most `within[type]` instances of each type. */
export function bestSubFleet(terms: FleetTerms, prices: TypePrices, within: Readonly<Record<string, number>>): Reference {
    const { eligible } = offers(terms, prices);
    const limit = utilityLimit(terms);
    let best: Reference = { counts: {}, utility: 0, countedUtility: 0, cost: 0 };
    const x = eligible.map(() => 0);
    const visit = (i: number, utility: number, cost: number): void => {
        if (i === eligible.length) {
            if (utility === 0 || !eligible.every((o, j) => withinShare(x[j] * o.utility, utility, terms.maxPercentPerType))) return;
            const counted = Math.min(utility, limit);
            if (counted > best.countedUtility)
                best = { counts: Object.fromEntries(eligible.map((o, j) => [o.type, x[j]])), utility, countedUtility: counted, cost };
            return;
        }
        for (let n = 0; n <= (within[eligible[i].type] ?? 0); n++) {
            x[i] = n;
            visit(i + 1, utility + n * eligible[i].utility, cost + n * eligible[i].price);
        }
        x[i] = 0;
    };
    visit(0, 0, 0);
    return best;
}
