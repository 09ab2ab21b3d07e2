/**
 * Spot allocator benchmark: on random price books shaped like SpotManager's ETL settings, allocate()
 * against a faithful re-implementation of SpotManager's add_instances run until it settles
 * (ops/spot/spotmanager.ts), against brute force on small books, and, as a side figure, against the LP
 * upper bound over the books where anything is affordable. Ratios only; every baseline measured in this run.
 *
 * Run (from the repository root): npx tsc -p tsconfig.json && node dist/bench/spot/allocator.js [books] [seed] [maxTarget]
 * (defaults 3000 books, a fixed seed, targets up to 600 units; try maxTarget 6000 with fewer books for
 * fleets where the default work limit sends some plans to the bundled fallback).
 */
import { allocate, FleetTerms, lpUpperBound, TypePrices } from "../../ops/spot/allocator";
import { spotManagerSettle } from "../../ops/spot/spotmanager";
import { bruteForce } from "../../tests/spot/brute-force";
import { prng } from "../../tests/support/prng";

/** Families and sizes of SpotManager's etl_settings.json; utility = vCPUs as there. */
const FAMILIES = ["c4", "c5", "c5d", "d2", "h1", "m3", "m5a", "r3", "r5", "z1d"];
const SIZES: [string, number][] = [
    ["large", 2],
    ["xlarge", 4],
    ["2xlarge", 8],
    ["4xlarge", 16],
    ["8xlarge", 32],
    ["9xlarge", 36],
    ["16xlarge", 64],
];

interface Book {
    readonly terms: FleetTerms;
    readonly prices: TypePrices;
    /** SpotManager's max_requests_per_type (etl_settings.json: 10). */
    readonly maxRequestsPerType: number;
}

function randomBook(rnd: () => number, maxTarget: number): Book {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const n = 4 + Math.floor(rnd() * 17); // 4-20 types
    const seen = new Set<string>();
    const instanceTypes: { type: string; utility: number; maxPrice?: number }[] = [];
    const prices: Record<string, number> = {};
    const familyRate = new Map(FAMILIES.map((f) => [f, 0.006 + rnd() * 0.014])); // $/vCPU-hour
    while (instanceTypes.length < n) {
        const family = pick(FAMILIES);
        const [size, utility] = pick(SIZES);
        const type = `${family}.${size}`;
        if (seen.has(type)) continue;
        seen.add(type);
        // Spot markets are noisy per pool: +-40% around the family's rate, big sizes a little cheaper.
        const perUnit = familyRate.get(family)! * (0.6 + 0.8 * rnd()) * (utility >= 32 ? 0.9 : 1);
        prices[type] = Math.round(utility * perUnit * 1e4) / 1e4;
        // No per-type maxPrice: SpotManager has no such setting, and both sides must see the same terms.
        instanceTypes.push({ type, utility });
    }
    return {
        terms: {
            // $0.50-$20/h for the default 600-unit targets, scaled with bigger targets.
            budget: Math.round(Math.exp(Math.log(0.5) + rnd() * Math.log(40)) * (maxTarget / 600) * 100) / 100,
            instanceTypes,
            maxUtilityPrice: 0.02,
            maxPercentPerType: pick([0.3, 0.5, 0.7, 0.7, 1]),
            targetUtility: 10 + Math.floor(rnd() * (maxTarget - 10)),
            maxNewUtility: 30, // etl_settings.json: per run for SpotManager; ours plans the settled fleet
        },
        prices,
        maxRequestsPerType: pick([5, 10, 10, 20]),
    };
}

/** Small books for the brute-force comparison: 3-4 types, utilities up to 6, targets up to 18. */
function smallBook(rnd: () => number): Book {
    const n = 3 + Math.floor(rnd() * 2);
    const instanceTypes = Array.from({ length: n }, (_, i) => ({ type: `t${i}.xlarge`, utility: 1 + Math.floor(rnd() * 6) }));
    const prices = Object.fromEntries(instanceTypes.map((t) => [t.type, Math.round(t.utility * (0.004 + rnd() * 0.026) * 1e4) / 1e4]));
    return {
        terms: {
            budget: Math.round(rnd() * 120) / 100,
            instanceTypes,
            maxUtilityPrice: 0.02 + Math.floor(rnd() * 31) / 1000,
            maxPercentPerType: [0.34, 0.4, 0.5, 0.6, 0.7, 0.9, 1][Math.floor(rnd() * 7)],
            targetUtility: 1 + Math.floor(rnd() * 18),
        },
        prices,
        maxRequestsPerType: 10,
    };
}

const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    return { n: xs.length, mean, min: sorted[0] ?? NaN };
};
const fmt = (s: ReturnType<typeof stats>, digits = 4) => `min ${s.min.toFixed(digits)}  mean ${s.mean.toFixed(digits)}  (n=${s.n})`;

function main(): void {
    const books = Number(process.argv[2] ?? 3000);
    const seed = Number(process.argv[3] ?? 20240601);
    const maxTarget = Number(process.argv[4] ?? 600);
    const rnd = prng(seed);
    const all = Array.from({ length: books }, () => randomBook(rnd, maxTarget));
    const settle = (b: Book) => spotManagerSettle({ ...b.terms, maxNewUtility: 30 }, b.prices, { maxRequestsPerType: b.maxRequestsPerType });
    const plan = (b: Book) => allocate({ ...b.terms, maxNewUtility: undefined }, b.prices);

    for (const b of all.slice(0, 50)) {
        plan(b);
        settle(b);
    }
    const keptBoth: number[] = [];
    const keptCount: number[] = [];
    let brokeCount = 0;
    let brokeUtility = 0;
    let smEmpty = 0;
    let belowOne = 0;
    const vsLp: number[] = [];
    let tOurs = 0;
    let tSm = 0;
    let runs = 0;
    for (const b of all) {
        let t0 = process.hrtime.bigint();
        const ours = plan(b);
        tOurs += Number(process.hrtime.bigint() - t0);
        t0 = process.hrtime.bigint();
        const sm = settle(b);
        tSm += Number(process.hrtime.bigint() - t0);
        runs += sm.runs;
        if (ours.cost > b.terms.budget * (1 + 1e-9)) throw new Error("over budget");
        if (!sm.countCapHeld) brokeCount++;
        if (!sm.utilityCapHeld) brokeUtility++;
        const lp = lpUpperBound({ ...b.terms, maxNewUtility: undefined }, b.prices);
        if (lp.utility > 0) vsLp.push(ours.countedUtility / lp.utility);
        if (sm.countedUtility === 0) {
            smEmpty++;
            continue;
        }
        const r = ours.countedUtility / sm.countedUtility;
        if (sm.countCapHeld) keptCount.push(r);
        if (sm.countCapHeld && sm.utilityCapHeld) {
            keptBoth.push(r);
            if (r < 1) belowOne++;
        }
    }

    const small = Array.from({ length: 2000 }, () => smallBook(rnd));
    let equal = 0;
    let bought = 0;
    for (const b of small) {
        const ours = allocate(b.terms, b.prices);
        const ref = bruteForce(b.terms, b.prices);
        if (ours.countedUtility === ref.countedUtility && Math.abs(ours.cost - ref.cost) <= 1e-9) equal++;
        if (ref.countedUtility > 0) bought++;
    }

    console.log(
        `spot allocator bench: ${books} price books, seed ${seed}, targets up to ${maxTarget}; SpotManager settled after ${(runs / books).toFixed(1)} runs on average`,
    );
    console.log(
        `ours / SpotManager (counted utility), books where SpotManager keeps its cap (count) and ours (utility):  ${fmt(stats(keptBoth))}; below 1.0 on ${belowOne}`,
    );
    console.log(`ours / SpotManager, books where SpotManager keeps its own count cap only:  ${fmt(stats(keptCount))}`);
    console.log(
        `SpotManager breaks its own cap (share of instance count) on ${brokeCount} of ${books} books (${((100 * brokeCount) / books).toFixed(1)}%), ` +
            `the utility share cap on ${brokeUtility} (${((100 * brokeUtility) / books).toFixed(1)}%); buys nothing on ${smEmpty}`,
    );
    console.log(
        `ours vs brute force on ${small.length} small books (3-4 types, utility <= 6, target <= 18; ${bought} buy something): equal on ${equal} (${((100 * equal) / small.length).toFixed(1)}%)`,
    );
    console.log(`side figure: ours / LP upper bound over ${vsLp.length} books where anything is affordable:  ${fmt(stats(vsLp))}`);
    const per = (ns: number) => (ns / books / 1e3).toFixed(1);
    console.log(`time per book: ours ${per(tOurs)} us, SpotManager settled ${per(tSm)} us (ours/SpotManager ${(tOurs / tSm).toFixed(1)}x)`);
}

main();
