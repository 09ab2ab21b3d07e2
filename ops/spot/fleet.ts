/**
 * From a fleet's configuration and plan to what an EC2 Fleet (type "maintain") is told, and to the
 * one-line answer to "what will the fleet buy at current prices and what will it cost".
 *
 * EC2 Fleet semantics relied on (AWS EC2 user guide, "instance weighting" and "control spending"):
 *  - weightedCapacity = utility, so target capacity is in units of utility;
 *  - with weights, an override's maxPrice is per UNIT hour (instance price / weight), so the
 *    per-instance cap min(maxPrice, maxUtilityPrice * utility) is written as
 *    min(maxPrice / utility, maxUtilityPrice); AWS rejects maxPrice at or below $0.001;
 *  - spotOptions.maxTotalPrice stops launches once the fleet's hourly spend reaches it. It is set to
 *    the fixed `spendCeiling`, never to the budget: EC2's ModifyFleet changes only the target capacity,
 *    the excess-capacity policy and the launch template configs, so a budget written into spot options
 *    would turn every budget change into a fleet replacement (terminating its instances). The budget
 *    is applied through the target capacity: what the plan buys within it at the planned prices.
 * EC2 Fleet has no per-type share cap; the plan's mix is what the fleet is sized from (shareCapReport).
 */
import type { SpotFleetConfig } from "./config";
import { allocate, Allocation, AllocationOptions, FleetTerms, lpUpperBound, LpBound, TypePrices, utilityLimit } from "./allocator";

export interface FleetOverride {
    readonly instanceType: string;
    readonly subnetId: string;
    readonly weightedCapacity: number;
    /** Dollars per unit of utility per hour. */
    readonly maxPrice: string;
}

export interface SpotFleetRequest {
    /** TotalTargetCapacity, in units of utility; 0 when the budget is 0 (emergency stop). */
    readonly targetCapacity: number;
    /** spotOptions.maxTotalPrice: the fixed spendCeiling, dollars per hour; null when none is set. */
    readonly maxTotalPrice: string | null;
    readonly overrides: readonly FleetOverride[];
    readonly interruptionBehavior: SpotFleetConfig["interruptionBehavior"];
    /** Types left out of the overrides, and why. */
    readonly omitted: readonly { readonly type: string; readonly reason: string }[];
}

/** Smallest maxPrice EC2 accepts is above this. */
export const EC2_MIN_MAX_PRICE = 0.001;

/**
 * Dollars as EC2 wants them: a decimal string rounded down to a millionth, so a cap is never raised
 * (beyond float noise: x * 1e6 is nudged up by 1e-12 relative so that 0.29 stays "0.29").
 */
export function dollars(x: number): string {
    const micro = Math.floor(x * 1e6 * (1 + 1e-12));
    const whole = Math.floor(micro / 1e6);
    const frac = String(micro % 1e6)
        .padStart(6, "0")
        .replace(/0+$/, "");
    return frac ? `${whole}.${frac}` : String(whole);
}

/** Per-unit-hour price cap of a type: min(maxPrice / utility, maxUtilityPrice). */
export function unitPriceCap(t: SpotFleetConfig["instanceTypes"][number], maxUtilityPrice: number): number {
    return Math.min(t.maxPrice === undefined ? Infinity : t.maxPrice / t.utility, maxUtilityPrice);
}

/**
 * What the EC2 Fleet is told. Target capacity: the plan's counted utility when a plan is given (what the
 * budget buys at the planned prices), otherwise the utility limit (target, growth-capped), which holds
 * the budget only through the per-unit caps and the spend ceiling. `onlyPlannedTypes` restricts
 * overrides to types the plan buys. Only targetCapacity depends on the budget.
 */
export function spotFleetRequest(
    config: SpotFleetConfig,
    plan?: Allocation,
    options: AllocationOptions & { readonly onlyPlannedTypes?: boolean } = {},
): SpotFleetRequest {
    const omitted: { type: string; reason: string }[] = [];
    const overrides: FleetOverride[] = [];
    for (const t of config.instanceTypes) {
        if (options.onlyPlannedTypes && plan && !(plan.counts[t.type] > 0)) {
            omitted.push({ type: t.type, reason: "not in the plan" });
            continue;
        }
        const cap = unitPriceCap(t, config.maxUtilityPrice);
        if (!(cap > EC2_MIN_MAX_PRICE)) {
            omitted.push({ type: t.type, reason: `max price per unit ${cap} is not above EC2's minimum $${EC2_MIN_MAX_PRICE}` });
            continue;
        }
        for (const subnetId of config.subnets) {
            overrides.push({ instanceType: t.type, subnetId, weightedCapacity: t.utility, maxPrice: dollars(cap) });
        }
    }
    const limit = utilityLimit(config, options);
    const targetCapacity = config.budget <= 0 ? 0 : plan ? plan.countedUtility : Number.isFinite(limit) ? limit : 0;
    return {
        targetCapacity,
        maxTotalPrice: config.spendCeiling === undefined ? null : dollars(config.spendCeiling),
        overrides,
        interruptionBehavior: config.interruptionBehavior,
        omitted,
    };
}

export interface PlannedInstances {
    readonly type: string;
    readonly count: number;
    readonly utility: number;
    /** Dollars per instance-hour. */
    readonly price: number;
    /** Dollars per hour for all of them. */
    readonly cost: number;
}

/** JSON-able answer to "what will the fleet buy at current prices, and what will it cost". */
export interface SpotPlanSummary {
    readonly budget: number;
    readonly emergencyStop: boolean;
    readonly cost: number;
    readonly utility: number;
    readonly countedUtility: number;
    readonly targetUtility: number;
    readonly utilityLimit: number | null;
    readonly minUtility: number | null;
    readonly belowMinUtility: boolean;
    readonly lpUpperBound: number;
    readonly method: Allocation["method"];
    readonly instances: readonly PlannedInstances[];
    readonly excluded: Allocation["excluded"];
    readonly shareCap: ShareCapReport;
}

/**
 * maxPercentPerType against what EC2 does. EC2 Fleet has no per-type limit: price-capacity-optimized may
 * fill the whole target from one type's pools, and the strategy that would follow a priority order is a
 * spot option, which replaces the fleet (terraform-provider-aws internal/service/ec2/ec2_fleet.go:
 * spot_options and its allocation_strategy are ForceNew). So the cap holds in the plan (what the target
 * is sized from) and is shown here; `node dist/cli/spot.js mix` shows the running mix against it.
 */
export interface ShareCapReport {
    readonly cap: number;
    readonly enforcedByEc2: false;
    /** Planned share of the fleet's utility per type. */
    readonly planned: readonly { readonly type: string; readonly units: number; readonly share: number }[];
    /** The largest share EC2 may give one type: the whole target when more than one type is offered. */
    readonly worstCaseShare: number;
}

export function shareCapReport(config: SpotFleetConfig, plan: Allocation): ShareCapReport {
    const planned = config.instanceTypes
        .filter((t) => (plan.counts[t.type] ?? 0) > 0)
        .map((t) => ({ type: t.type, units: plan.counts[t.type] * t.utility, share: plan.utility > 0 ? (plan.counts[t.type] * t.utility) / plan.utility : 0 }));
    return { cap: config.maxPercentPerType, enforcedByEc2: false, planned, worstCaseShare: plan.utility > 0 ? 1 : 0 };
}

export function summarizePlan(config: SpotFleetConfig, prices: TypePrices, plan: Allocation, lp: LpBound): SpotPlanSummary {
    const instances = config.instanceTypes
        .filter((t) => (plan.counts[t.type] ?? 0) > 0)
        .map((t) => {
            const count = plan.counts[t.type];
            const price = prices[t.type];
            return { type: t.type, count, utility: count * t.utility, price, cost: count * price };
        });
    return {
        budget: config.budget,
        emergencyStop: config.budget <= 0,
        cost: plan.cost,
        utility: plan.utility,
        countedUtility: plan.countedUtility,
        targetUtility: config.targetUtility,
        utilityLimit: plan.utilityLimit,
        minUtility: config.minUtility ?? null,
        belowMinUtility: config.minUtility !== undefined && plan.countedUtility < config.minUtility,
        lpUpperBound: lp.utility,
        method: plan.method,
        instances,
        excluded: plan.excluded,
        shareCap: shareCapReport(config, plan),
    };
}

/** One line for logs and `pulumi preview` output. */
export function describePlan(s: SpotPlanSummary): string {
    if (s.emergencyStop) return "spot fleet: budget $0/h (emergency stop): scale to 0 instances; configuration kept";
    const mix = s.instances.length ? s.instances.map((i) => `${i.count}x${i.type}`).join(" + ") : "nothing";
    const parts = [
        `spot fleet: ${mix} = ${s.utility} utility (target ${s.targetUtility}` +
            (s.utilityLimit !== null && s.utilityLimit < s.targetUtility ? `, ${s.utilityLimit} this update` : "") +
            `) for $${s.cost.toFixed(4)}/h of $${dollars(s.budget)}/h budget`,
        `LP bound ${s.lpUpperBound.toFixed(1)}`,
    ];
    if (s.belowMinUtility) parts.push(`BELOW minUtility ${s.minUtility}`);
    const overCap = s.excluded.filter((e) => e.reason === "price over cap").map((e) => e.type);
    if (overCap.length) parts.push(`over price cap: ${overCap.join(", ")}`);
    const unpriced = s.excluded.filter((e) => e.reason === "no price").map((e) => e.type);
    if (unpriced.length) parts.push(`no price: ${unpriced.join(", ")}`);
    if (s.method === "bundled") parts.push("approximate (bundled) plan");
    if (s.shareCap.cap < 1 && s.utility > 0) {
        const top = s.shareCap.planned.reduce((a, b) => (b.share > a.share ? b : a), s.shareCap.planned[0]);
        parts.push(
            `share cap ${Math.round(s.shareCap.cap * 100)}% holds in the plan only (largest ${top.type} ${Math.round(top.share * 100)}%); ` +
                "EC2 does not enforce it and may fill the target with one type (node dist/cli/spot.js mix shows the running mix)",
        );
    }
    return parts.join("; ");
}

export interface SpotPlan {
    readonly allocation: Allocation;
    readonly lp: LpBound;
    readonly fleet: SpotFleetRequest;
    readonly summary: SpotPlanSummary;
    readonly text: string;
}

/** Everything the component needs, from a validated config and a price book. */
export function planSpotFleet(config: SpotFleetConfig, prices: TypePrices, options: AllocationOptions = {}): SpotPlan {
    const terms: FleetTerms = config;
    const allocation = allocate(terms, prices, options);
    const lp = lpUpperBound(terms, prices, options);
    const summary = summarizePlan(config, prices, allocation, lp);
    return { allocation, lp, fleet: spotFleetRequest(config, allocation, options), summary, text: describePlan(summary) };
}
