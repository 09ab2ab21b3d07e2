/**
 * Budget-capped spot allocation, the decision SpotManager made every run ("Spot Manager" in
 * caring-for-activedata.md): how many instances of each type the fleet runs so that it gets as much
 * utility as it needs without spending more than its budget per hour.
 *
 * The problem. Types i with utility u_i (whole units) and price c_i (dollars per instance-hour, from the
 * price book). Choose whole counts x_i >= 0; S = sum u_i x_i is the fleet's utility, C = sum c_i x_i its
 * cost per hour.
 *   - budget      C <= budget.
 *   - price caps  type i is bought only if c_i <= cap_i = min(maxPrice_i, maxUtilityPrice * u_i)
 *                 (SpotManager: "DO NOT BID HIGHER THAN WHAT WE ARE WILLING TO PAY").
 *   - share cap   u_i x_i <= p * S for every i, p = maxPercentPerType. It couples all types: the
 *                 right side is the total.
 *   - limit       L = min(targetUtility, currentUtility + maxNewUtility); utility above L is not
 *                 counted, and the plan never overshoots L by a whole instance of the largest type
 *                 (S <= L + u_max - 1), as EC2 Fleet rounds a weighted target up by less than one
 *                 instance.
 *   Objective: the most counted utility min(S, L); then the lowest cost; then the smallest S.
 *
 * LP relaxation (lpUpperBound). With y_i = u_i x_i real and r_i = c_i / u_i, the cheapest fractional
 * fleet of S units fills types by increasing r_i, each up to p S, so its cost is phi * S with
 * phi = p r_(1) + p r_(2) + ... + (1 - k p) r_(k+1). The LP optimum is min(L, budget / phi), and 0 when
 * fewer than 1/p types are eligible (the shares cannot add up to 1). It bounds min(S, L) of every whole
 * plan: scaling a plan by min(1, L / S) keeps its shares and does not raise its cost.
 * SpotManager's greedy (best utility per dollar first; ops/spot/spotmanager.ts re-implements it) is this
 * LP's order, which is optimal only when there is no share cap and no rounding.
 *
 * Exact algorithm (allocate). For a fleet of exactly S units the share cap is a per-type count bound
 * b_i(S) = floor(p S / u_i), and b_i only grows with S. So sweep S = 0, 1, 2, ... keeping one 0/1
 * knapsack table dp[s] = cheapest way to make exactly s units out of the copies released so far, where
 * copy m of type i is released once m u_i <= p S. After the releases for S, dp[S] is the cheapest fleet
 * of exactly S units that respects every share cap: every released copy is allowed at S (b_i is
 * monotone) and every copy allowed at S is released. best[S] = dp[S]; the plan is the best S with
 * best[S] <= budget, and its counts are rebuilt by a bounded knapsack under b_i(S) (binary splitting).
 * The result is the exact optimum, so the "within one instance of the optimum" requirement holds with
 * zero error whenever this path runs; `method: "exact"` says so.
 * Size: S runs to Smax = min(L + u_max - 1, floor(budget / phi)) (no fleet costs less than phi * S), in
 * steps of the gcd of the utilities; copies per type are also capped by budget / c_i. Work is
 * (copies released) x (table size), about Smax^2 * sum_i min(p, budget / (c_i Smax)) / u_i / gcd:
 * milliseconds for SpotManager's 30-type ETL list at 1000 units, ~7 ms per plan at 6000 (bench).
 *
 * Fallback (work above `maxWork`, e.g. targets of tens of thousands of units): the same exact sweep
 * over fleets whose per-type counts are multiples of q (q-instance bundles; the share cap is
 * homogeneous, so bundle fleets are ordinary fleets), q the smallest that fits the work but at most
 * Smax / (u_max (ceil(1/p) + 1)) so a mixed fleet of bundles still fits (when that bound is 1 the exact
 * sweep runs over the limit instead), then single instances are added cheapest-per-unit first while
 * budget, share cap and limit allow. Always within budget and share cap, but no optimality proof:
 * `method: "bundled"` says so, and the bench measures it (mean 0.998 of exact, worst 0.96).
 */
import type { InstanceTypeUtility } from "./config";

/** What the allocator needs of a fleet's configuration (SpotFleetConfig satisfies it). */
export interface FleetTerms {
    readonly budget: number;
    readonly instanceTypes: readonly InstanceTypeUtility[];
    readonly maxUtilityPrice: number;
    readonly maxPercentPerType: number;
    readonly targetUtility?: number;
    readonly maxNewUtility?: number;
}

export interface AllocationOptions {
    /** Utility running now; with maxNewUtility it caps the plan at currentUtility + maxNewUtility. */
    readonly currentUtility?: number;
    /** Most table-cell updates for the exact sweep before falling back to bundles (default 5e7). */
    readonly maxWork?: number;
    /**
     * Most instances of a type in the plan (absent: no bound). The section sets deployed count +
     * maxRequestsPerType (SpotManager's max_requests_per_type, per update instead of per run).
     */
    readonly maxCounts?: Readonly<Record<string, number>>;
}

/** Dollars per instance-hour by instance type. */
export type TypePrices = Readonly<Record<string, number>>;

export interface Offer {
    readonly type: string;
    readonly utility: number;
    /** Dollars per instance-hour. */
    readonly price: number;
    /** Most paid per instance-hour: min(maxPrice, maxUtilityPrice * utility). */
    readonly cap: number;
}

export interface Exclusion {
    readonly type: string;
    readonly reason: "no price" | "price over cap";
    readonly price?: number;
    readonly cap: number;
}

export interface Allocation {
    /** Instances per eligible type (zeros included). */
    readonly counts: Readonly<Record<string, number>>;
    /** Fleet utility S. */
    readonly utility: number;
    /** min(S, limit): the utility that counts toward the target. */
    readonly countedUtility: number;
    /** Dollars per hour at the price book's prices. */
    readonly cost: number;
    readonly budget: number;
    /** L, or null when neither a target nor a growth cap applies. */
    readonly utilityLimit: number | null;
    readonly method: "exact" | "bundled" | "greedy" | "none";
    readonly excluded: readonly Exclusion[];
}

export interface LpBound {
    /** Most counted utility any fleet could get, fractional instances allowed. */
    readonly utility: number;
    readonly cost: number;
    /** phi: dollars per unit-hour of the cheapest share-capped mix. */
    readonly costPerUtility: number;
    /** Fraction of the utility per type in the LP optimum. */
    readonly shares: Readonly<Record<string, number>>;
}

export const DEFAULT_MAX_WORK = 5e7;
/** Relative slack for comparing float dollars and shares. */
const EPS = 1e-9;

/** Is `typeUtility` within the share cap of a fleet of `totalUtility`? One tolerance for everybody. */
export function withinShare(typeUtility: number, totalUtility: number, share: number): boolean {
    return typeUtility <= share * totalUtility + EPS * Math.max(1, totalUtility);
}

/** Per-instance price cap of a type: min(maxPrice, maxUtilityPrice * utility). */
export function instancePriceCap(t: InstanceTypeUtility, maxUtilityPrice: number): number {
    return Math.min(t.maxPrice ?? Infinity, maxUtilityPrice * t.utility);
}

/** Which types may be bought at these prices, and why the others may not. */
export function offers(terms: FleetTerms, prices: TypePrices): { eligible: Offer[]; excluded: Exclusion[] } {
    const eligible: Offer[] = [];
    const excluded: Exclusion[] = [];
    for (const t of terms.instanceTypes) {
        const cap = instancePriceCap(t, terms.maxUtilityPrice);
        const price = prices[t.type];
        if (price === undefined || !Number.isFinite(price) || price <= 0) excluded.push({ type: t.type, reason: "no price", cap });
        else if (price > cap * (1 + EPS)) excluded.push({ type: t.type, reason: "price over cap", price, cap });
        else eligible.push({ type: t.type, utility: t.utility, price, cap });
    }
    return { eligible, excluded };
}

/** L = min(targetUtility, currentUtility + maxNewUtility); Infinity when neither applies. */
export function utilityLimit(terms: FleetTerms, options: AllocationOptions = {}): number {
    let limit = terms.targetUtility ?? Infinity;
    if (options.currentUtility !== undefined && terms.maxNewUtility !== undefined) {
        limit = Math.min(limit, Math.max(0, options.currentUtility) + terms.maxNewUtility);
    }
    return Math.max(0, Math.floor(limit));
}

/** Do these counts keep every type within the share cap? */
export function shareCapHolds(counts: Readonly<Record<string, number>>, terms: FleetTerms): boolean {
    const utilityOf = new Map(terms.instanceTypes.map((t) => [t.type, t.utility]));
    let total = 0;
    for (const [type, n] of Object.entries(counts)) total += n * (utilityOf.get(type) ?? 0);
    return Object.entries(counts).every(([type, n]) => withinShare(n * (utilityOf.get(type) ?? 0), total, terms.maxPercentPerType));
}

/** phi and LP shares: fill types by price per unit, each up to share p. Undefined if shares cannot reach 1. */
function cheapestMix(eligible: readonly Offer[], p: number): { phi: number; shares: Record<string, number> } | undefined {
    const byRate = [...eligible].sort((a, b) => a.price / a.utility - b.price / b.utility || a.type.localeCompare(b.type));
    let remaining = 1;
    let phi = 0;
    const shares: Record<string, number> = {};
    for (const o of byRate) {
        if (remaining <= 1e-12) break;
        const share = Math.min(p, remaining);
        shares[o.type] = share;
        phi += share * (o.price / o.utility);
        remaining -= share;
    }
    return remaining > 1e-12 ? undefined : { phi, shares };
}

/** The LP relaxation's optimum (fractional instances, share cap kept): a true upper bound. */
export function lpUpperBound(terms: FleetTerms, prices: TypePrices, options: AllocationOptions = {}): LpBound {
    const { eligible } = offers(terms, prices);
    const limit = utilityLimit(terms, options);
    const mix = cheapestMix(eligible, terms.maxPercentPerType);
    if (!mix || terms.budget <= 0 || limit <= 0) return { utility: 0, cost: 0, costPerUtility: mix?.phi ?? Infinity, shares: {} };
    const utility = Math.min(limit, terms.budget / mix.phi);
    return { utility, cost: utility * mix.phi, costPerUtility: mix.phi, shares: mix.shares };
}

interface Item {
    readonly utility: number;
    readonly price: number;
    /** Most copies (maxCounts); Infinity when unbounded. */
    readonly bound: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Most copies of an item a fleet of `total` units may hold: share cap and budget. */
function copiesAllowed(item: Item, total: number, p: number, budget: number): number {
    const byBudget = Math.min(item.bound, Math.floor((budget / item.price) * (1 + EPS)));
    let m = Math.min(Math.floor((p * total) / item.utility), byBudget);
    while (m + 1 <= byBudget && withinShare((m + 1) * item.utility, total, p)) m++;
    while (m > 0 && !withinShare(m * item.utility, total, p)) m--;
    return Math.max(0, m);
}

/** Cell updates the exact sweep would do. */
function sweepWork(items: readonly Item[], p: number, budget: number, sMax: number): number {
    const g = items.reduce((a, it) => gcd(a, it.utility), 0) || 1;
    let copies = 0;
    for (const it of items) copies += copiesAllowed(it, sMax, p, budget);
    return copies * (Math.floor(sMax / g) + 1);
}

/**
 * The exact sweep (see header) over `items`; returns counts per item of the best fleet with S <= sMax.
 * `limit` is L (may be Infinity).
 */
function sweep(items: readonly Item[], p: number, budget: number, limit: number, sMax: number): number[] {
    const counts = items.map(() => 0);
    const g = items.reduce((a, it) => gcd(a, it.utility), 0);
    if (g === 0 || sMax < g) return counts;
    const n = Math.floor(sMax / g);
    const dp = new Float64Array(n + 1).fill(Infinity);
    dp[0] = 0;
    const best = new Float64Array(n + 1);
    const released = items.map(() => 0);
    const most = items.map((it) => copiesAllowed(it, sMax, p, budget));
    for (let s = 0; s <= n; s++) {
        const total = s * g;
        for (let j = 0; j < items.length; j++) {
            const it = items[j];
            while (released[j] < most[j] && withinShare((released[j] + 1) * it.utility, total, p)) {
                released[j]++;
                const w = it.utility / g;
                const c = it.price;
                for (let t = n; t >= w; t--) {
                    const v = dp[t - w] + c;
                    if (v < dp[t]) dp[t] = v;
                }
            }
        }
        best[s] = dp[s];
    }
    let bestS = 0;
    let bestValue = 0;
    let bestCost = 0;
    const affordable = budget * (1 + EPS);
    for (let s = 1; s <= n; s++) {
        const cost = best[s];
        if (!(cost <= affordable)) continue;
        const value = Math.min(s * g, limit);
        if (value > bestValue || (value === bestValue && cost < bestCost - EPS * Math.max(1, bestCost))) {
            bestS = s;
            bestValue = value;
            bestCost = cost;
        }
    }
    if (bestS === 0) return counts;

    // Rebuild counts for exactly bestS units under the bounds b_j(bestS * g): bounded knapsack with
    // binary splitting and a choice table.
    const total = bestS * g;
    const pieces: { item: number; take: number }[] = [];
    items.forEach((it, j) => {
        let rest = copiesAllowed(it, total, p, budget);
        for (let k = 1; rest > 0; k *= 2) {
            const take = Math.min(k, rest);
            pieces.push({ item: j, take });
            rest -= take;
        }
    });
    const width = bestS + 1;
    const table = new Float64Array(width).fill(Infinity);
    table[0] = 0;
    const chose = new Uint8Array(pieces.length * width);
    pieces.forEach((piece, idx) => {
        const w = (piece.take * items[piece.item].utility) / g;
        const c = piece.take * items[piece.item].price;
        for (let t = bestS; t >= w; t--) {
            const v = table[t - w] + c;
            if (v < table[t]) {
                table[t] = v;
                chose[idx * width + t] = 1;
            }
        }
    });
    if (!(Math.abs(table[bestS] - bestCost) <= EPS * Math.max(1, bestCost))) {
        throw new Error(`spot allocator: rebuilt cost ${table[bestS]} differs from swept cost ${bestCost} at ${total} units`);
    }
    let t = bestS;
    for (let idx = pieces.length - 1; idx >= 0; idx--) {
        if (chose[idx * width + t]) {
            counts[pieces[idx].item] += pieces[idx].take;
            t -= (pieces[idx].take * items[pieces[idx].item].utility) / g;
        }
    }
    if (t !== 0) throw new Error(`spot allocator: rebuild left ${t * g} units unassigned`);
    return counts;
}

/** Add single instances, cheapest per unit first, while budget, ceiling, share cap and limit allow. */
function topUp(offerList: readonly Offer[], bounds: readonly number[], counts: number[], p: number, budget: number, limit: number, ceiling: number): void {
    let total = counts.reduce((a, n, j) => a + n * offerList[j].utility, 0);
    let cost = counts.reduce((a, n, j) => a + n * offerList[j].price, 0);
    for (;;) {
        let pick = -1;
        for (let j = 0; j < offerList.length; j++) {
            const o = offerList[j];
            if (cost + o.price > budget * (1 + EPS) || total + o.utility > ceiling || counts[j] + 1 > bounds[j]) continue;
            if (Math.min(total + o.utility, limit) <= Math.min(total, limit)) continue;
            if (!withinShare((counts[j] + 1) * o.utility, total + o.utility, p)) continue;
            if (pick < 0 || o.price / o.utility < offerList[pick].price / offerList[pick].utility) pick = j;
        }
        if (pick < 0) return;
        counts[pick]++;
        total += offerList[pick].utility;
        cost += offerList[pick].price;
    }
}

/** An Allocation from counts per eligible offer (also the baseline's, ops/spot/spotmanager.ts). */
export function allocation(
    eligible: readonly Offer[],
    excluded: readonly Exclusion[],
    counts: readonly number[],
    terms: FleetTerms,
    limit: number,
    method: Allocation["method"],
): Allocation {
    const byType: Record<string, number> = {};
    let utility = 0;
    let cost = 0;
    eligible.forEach((o, j) => {
        byType[o.type] = counts[j] ?? 0;
        utility += (counts[j] ?? 0) * o.utility;
        cost += (counts[j] ?? 0) * o.price;
    });
    return {
        counts: byType,
        utility,
        countedUtility: Math.min(utility, limit),
        cost,
        budget: terms.budget,
        utilityLimit: Number.isFinite(limit) ? limit : null,
        method,
        excluded,
    };
}

/**
 * The plan: how many instances of each type to run at these prices (see the header for the rules and
 * the algorithm). Budget 0 plans nothing.
 */
export function allocate(terms: FleetTerms, prices: TypePrices, options: AllocationOptions = {}): Allocation {
    const { eligible, excluded } = offers(terms, prices);
    const limit = utilityLimit(terms, options);
    const p = terms.maxPercentPerType;
    const none = () => allocation(eligible, excluded, [], terms, limit, "none");
    const mix = cheapestMix(eligible, p);
    if (terms.budget <= 0 || limit <= 0 || !mix) return none();

    const uMax = Math.max(...eligible.map((o) => o.utility));
    const ceiling = Number.isFinite(limit) ? limit + uMax - 1 : Infinity;
    const sMax = Math.min(ceiling, Math.floor((terms.budget / mix.phi) * (1 + EPS)));
    if (!(sMax > 0)) return none();

    // Items the sweep may use: affordable on their own and not larger than the largest useful fleet.
    const live = eligible.map((o, j) => ({ o, j })).filter(({ o }) => o.price <= terms.budget * (1 + EPS) && o.utility <= sMax);
    const bounds = eligible.map((o) => Math.max(0, Math.floor(options.maxCounts?.[o.type] ?? Infinity)));
    const items: Item[] = live.map(({ o, j }) => ({ utility: o.utility, price: o.price, bound: bounds[j] }));
    const counts = eligible.map(() => 0);
    const work = sweepWork(items, p, terms.budget, sMax);
    // Bundles of q copies cut both the table (1/q) and the copies (1/q): work falls as q^2. q stays small
    // enough that a fleet of bundles from ceil(1/p) + 1 types still fits under Smax.
    const q = Math.min(Math.ceil(Math.sqrt(work / Math.max(1, options.maxWork ?? DEFAULT_MAX_WORK))), Math.floor(sMax / (uMax * (Math.ceil(1 / p) + 1))));
    if (q <= 1) {
        sweep(items, p, terms.budget, limit, sMax).forEach((n, k) => (counts[live[k].j] = n));
        return allocation(eligible, excluded, counts, terms, limit, "exact");
    }
    const bundles = items.map((it) => ({ utility: it.utility * q, price: it.price * q, bound: Math.floor(it.bound / q) }));
    sweep(bundles, p, terms.budget, limit, sMax).forEach((n, k) => (counts[live[k].j] = n * q));
    topUp(eligible, bounds, counts, p, terms.budget, limit, ceiling);
    return allocation(eligible, excluded, counts, terms, limit, "bundled");
}
