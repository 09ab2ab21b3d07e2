/**
 * Spot allocator benchmark: on random price books shaped like SpotManager's ETL settings, how close is
 * allocate() to the LP upper bound, how does it compare to SpotManager's greedy, what does the bundled
 * fallback lose, and what does each cost in time. Ratios only; all baselines measured in this run.
 *
 * Run (from the repository root): npx tsc -p tsconfig.json && node dist/bench/spot/allocator.js [books] [seed] [maxTarget]
 * (defaults 3000 books, a fixed seed, targets up to 600 units; try maxTarget 6000 with fewer books for
 * fleets where the default work limit sends some plans to the bundled fallback).
 */
import { allocate, FleetTerms, lpUpperBound, spotManagerGreedy, TypePrices } from "../../ops/spot/allocator";
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
        instanceTypes.push({ type, utility, ...(rnd() < 0.15 ? { maxPrice: Math.round(utility * 0.015 * 1e4) / 1e4 } : {}) });
    }
    return {
        terms: {
            // $0.50-$20/h for the default 600-unit targets, scaled with bigger targets.
            budget: Math.round(Math.exp(Math.log(0.5) + rnd() * Math.log(40)) * (maxTarget / 600) * 100) / 100,
            instanceTypes,
            maxUtilityPrice: 0.02,
            maxPercentPerType: pick([0.3, 0.5, 0.7, 0.7, 1]),
            targetUtility: 10 + Math.floor(rnd() * (maxTarget - 10)),
            maxNewUtility: maxTarget,
        },
        prices,
    };
}

const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    return { n: xs.length, mean, min: sorted[0] ?? NaN, p01: sorted[Math.floor(0.01 * (sorted.length - 1))] ?? NaN };
};
const fmt = (s: ReturnType<typeof stats>, digits = 4) => `mean ${s.mean.toFixed(digits)}  min ${s.min.toFixed(digits)}  p1 ${s.p01.toFixed(digits)}  (n=${s.n})`;

function main(): void {
    const books = Number(process.argv[2] ?? 3000);
    const seed = Number(process.argv[3] ?? 20240601);
    const maxTarget = Number(process.argv[4] ?? 600);
    const rnd = prng(seed);
    const all = Array.from({ length: books }, () => randomBook(rnd, maxTarget));

    // Warm up the JIT on a few books so the first timings are not compile time.
    for (const b of all.slice(0, 50)) {
        allocate(b.terms, b.prices);
        spotManagerGreedy(b.terms, b.prices);
    }

    const vsLp: number[] = [];
    const vsLpLarge: number[] = [];
    let integralZero = 0;
    const vsGreedy: number[] = [];
    const bundledVsExact: number[] = [];
    let greedyBroke = 0;
    let greedyEmpty = 0;
    let beatGreedy = 0;
    let lostToGreedy = 0;
    let nothing = 0;
    const methods: Record<string, number> = {};
    let tAllocate = 0;
    let tGreedy = 0;
    let tBundled = 0;
    for (const b of all) {
        let t0 = process.hrtime.bigint();
        const plan = allocate(b.terms, b.prices);
        tAllocate += Number(process.hrtime.bigint() - t0);
        t0 = process.hrtime.bigint();
        const greedy = spotManagerGreedy(b.terms, b.prices);
        tGreedy += Number(process.hrtime.bigint() - t0);
        t0 = process.hrtime.bigint();
        const bundled = allocate(b.terms, b.prices, { maxWork: 2e5 });
        tBundled += Number(process.hrtime.bigint() - t0);
        const lp = lpUpperBound(b.terms, b.prices);

        methods[plan.method] = (methods[plan.method] ?? 0) + 1;
        if (plan.cost > b.terms.budget * (1 + 1e-9)) throw new Error("over budget");
        const largest = Math.max(...b.terms.instanceTypes.map((t) => t.utility));
        if (lp.utility > 0) {
            vsLp.push(plan.countedUtility / lp.utility);
            if (lp.utility >= 10 * largest) vsLpLarge.push(plan.countedUtility / lp.utility);
            if (plan.countedUtility === 0) integralZero++;
        } else nothing++;
        if (!greedy.shareCapHeld) greedyBroke++;
        else if (greedy.countedUtility === 0) greedyEmpty++;
        else vsGreedy.push(plan.countedUtility / greedy.countedUtility);
        if (greedy.shareCapHeld && plan.countedUtility > greedy.countedUtility) beatGreedy++;
        if (greedy.shareCapHeld && plan.countedUtility < greedy.countedUtility) lostToGreedy++;
        if (bundled.method === "bundled" && plan.countedUtility > 0) bundledVsExact.push(bundled.countedUtility / plan.countedUtility);
    }

    console.log(`spot allocator bench: ${books} price books, seed ${seed}, targets up to ${maxTarget}; methods ${JSON.stringify(methods)}; ${nothing} books where nothing is affordable`);
    console.log(`allocate / LP upper bound (counted utility):  ${fmt(stats(vsLp))}`);
    console.log(`  where the LP buys >= 10 of the largest instance:  ${fmt(stats(vsLpLarge))}`);
    console.log(`  LP > 0 but no whole fleet fits the budget and share cap: ${integralZero} books (the exact optimum is 0 there)`);
    console.log(
        `allocate / SpotManager greedy (greedy within share cap and non-empty):  ${fmt(stats(vsGreedy))}; ` +
            `allocate better on ${beatGreedy}, worse on ${lostToGreedy}`,
    );
    console.log(`SpotManager greedy broke the share cap on ${greedyBroke} books and bought nothing on ${greedyEmpty} more`);
    console.log(`bundled fallback (maxWork 2e5) / exact, where it bundled:  ${fmt(stats(bundledVsExact))}`);
    const per = (ns: number) => (ns / books / 1e3).toFixed(1);
    console.log(
        `time per book: allocate ${per(tAllocate)} us, greedy ${per(tGreedy)} us (allocate/greedy ${(tAllocate / tGreedy).toFixed(1)}x), ` +
            `bundled ${per(tBundled)} us (bundled/exact ${(tBundled / tAllocate).toFixed(2)}x)`,
    );
}

main();
