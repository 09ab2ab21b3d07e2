/**
 * SpotManager's own decision, re-implemented faithfully as the benchmark's baseline
 * (klahnakoski/SpotManager spot/spot_manager.py, branches manager and manager-etl: update_spot_requests,
 * add_instances, remove_instances). Pure; one price per type (its price_80 = current_price, one zone), no
 * price history beyond it (higher_price absent, so max_bid = min(max_acceptable, remaining budget)), every
 * request fulfilled at once. Each run:
 *   active      = the requests of earlier runs; used = sum of their BIDS; remaining = budget - used
 *   net_new     = required - current utility; < 0: remove_instances (biggest utility first, worst value
 *                 last, acceptable_error 0..7); > 0: min(net_new, max_new_utility) and add_instances
 *   add_instances, types by estimated_value = utility / price, best first:
 *     skip when price > utility * max_utility_price or price > remaining
 *     naive       = round(net_new / utility)  (half away from zero, Python 2's round)
 *     limit_total = floor((all * p - current) / (1 - p)), all = max(active count, naive), current = active
 *                   of the type; counts are INSTANCES and come from the start of the run
 *     num         = min(naive, limit_total, max_requests_per_type) (None ignored); num < 0: skip
 *     bids: num == 1: min(max(1.1 price, price), max_acceptable); else price + i * min(price / 10,
 *           (max_bid - price) / (num - 1)); a bid over the remaining budget is skipped; each request
 *           lowers net_new by the utility and the remaining budget by the bid.
 * Runs repeat until one changes nothing ("until it settles"). Its cap is on instance counts ("ALL INSTANCE
 * TYPES MAY NOT GO OVER THIS AS A PERCENT OF TOTAL INSTANCES", etl_settings.json); ours is on utility.
 */
import { allocation as toAllocation, Allocation, FleetTerms, offers, TypePrices, utilityLimit, withinShare } from "./allocator";

export interface SpotManagerSettings {
    /** max_requests_per_type; undefined = None (no limit). */
    readonly maxRequestsPerType?: number;
    /** Most runs before giving up on settling. */
    readonly maxRuns?: number;
}

interface Request {
    readonly type: string;
    readonly utility: number;
    readonly bid: number;
    readonly price: number;
}

/** Python 2 round(x) for x >= 0: half away from zero. */
const round = (x: number): number => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

export interface SpotManagerResult extends Allocation {
    /** Runs until nothing changed. */
    readonly runs: number;
    /** Dollars per hour of the bids (SpotManager's "used budget"). */
    readonly bids: number;
    /** SpotManager's own cap: no type above p of the instance COUNT. */
    readonly countCapHeld: boolean;
    /** Our cap: no type above p of the fleet's utility. */
    readonly utilityCapHeld: boolean;
}

function oneRun(terms: FleetTerms, prices: TypePrices, required: number, active: Request[], s: SpotManagerSettings): Request[] {
    const p = terms.maxPercentPerType;
    const used = active.reduce((a, r) => a + r.bid, 0);
    let remaining = terms.budget - used;
    const current = active.reduce((a, r) => a + r.utility, 0);
    let netNew = required - current;
    if (netNew < 0) {
        // remove_instances: instances sorted by utility desc, then estimated_value asc.
        const sorted = [...active].sort((a, b) => b.utility - a.utility || a.utility / a.price - b.utility / b.price);
        let remove: Request[] = [];
        for (let err = 0; err < 8; err++) {
            let left = -netNew;
            remove = [];
            for (const r of sorted) {
                if (r.utility <= left + err) {
                    remove.push(r);
                    left -= r.utility;
                }
            }
            if (left <= 0) break;
        }
        const gone = new Set(remove);
        return active.filter((r) => !gone.has(r));
    }
    if (netNew <= 0) return active;
    netNew = Math.min(netNew, terms.maxNewUtility ?? Infinity);
    const { eligible } = offers({ ...terms, maxUtilityPrice: Infinity }, prices); // priced types; caps checked below as SpotManager did
    const order = [...eligible].sort((a, b) => b.utility / b.price - a.utility / a.price || (a.type < b.type ? -1 : 1));
    const added: Request[] = [];
    for (const o of order) {
        if (netNew <= 0 || remaining <= 0) break;
        const maxAcceptable = o.utility * terms.maxUtilityPrice;
        const maxBid = Math.min(maxAcceptable, remaining);
        let minBid = o.price;
        if (minBid > maxAcceptable) continue;
        if (minBid > remaining) continue;
        const naive = Math.trunc(round(netNew / o.utility));
        let limitTotal = Infinity;
        if (p < 1) {
            const currentCount = active.filter((r) => r.type === o.type).length;
            const allCount = Math.max(active.length, naive);
            limitTotal = Math.floor((allCount * p - currentCount) / (1 - p));
        }
        const num = Math.min(naive, limitTotal, s.maxRequestsPerType ?? Infinity);
        if (num < 0) continue;
        let interval = 0;
        if (num === 1) minBid = Math.min(Math.max(o.price * 1.1, minBid), maxAcceptable);
        else if (num > 1) interval = Math.min(minBid / 10, (maxBid - minBid) / (num - 1));
        for (let i = 0; i < num; i++) {
            const bid = minBid + i * interval;
            if (bid < o.price) continue;
            if (bid > remaining) continue;
            added.push({ type: o.type, utility: o.utility, bid, price: o.price });
            netNew -= o.utility;
            remaining -= bid;
        }
    }
    return added.length ? [...active, ...added] : active;
}

/** SpotManager run after run, from an empty fleet towards the limit (targetUtility), until it settles. */
export function spotManagerSettle(terms: FleetTerms, prices: TypePrices, s: SpotManagerSettings = {}): SpotManagerResult {
    const { eligible, excluded } = offers(terms, prices);
    const limit = utilityLimit(terms);
    const required = Number.isFinite(limit) ? limit : 0;
    let active: Request[] = [];
    let runs = 0;
    // Settled: a run changes nothing, or the fleet comes back to a state it had (remove/add cycles on overshoot).
    const seen = new Set<string>();
    const key = (a: readonly Request[]) =>
        a
            .map((r) => `${r.type}@${r.bid}`)
            .sort()
            .join(",");
    for (; runs < (s.maxRuns ?? 1000); runs++) {
        if (terms.budget <= 0) break;
        const next = oneRun(terms, prices, required, active, s);
        if (next === active || seen.has(key(next))) break;
        seen.add(key(active));
        active = next;
    }
    const counts = eligible.map((o) => active.filter((r) => r.type === o.type).length);
    const plan = toAllocation(eligible, excluded, counts, terms, limit, "greedy");
    const n = active.length;
    const countCapHeld = terms.maxPercentPerType >= 1 || counts.every((c) => c <= terms.maxPercentPerType * n + 1e-9);
    const utilityCapHeld = eligible.every((o, j) => withinShare(counts[j] * o.utility, plan.utility, terms.maxPercentPerType));
    return { ...plan, runs: runs + 1, bids: active.reduce((a, r) => a + r.bid, 0), countCapHeld, utilityCapHeld };
}
