/**
 * Shrinking only on purpose ("Changing the price, either up or down, has no destructive effect", Stopping
 * ETL; "It is not safe to change the spending on the ES cluster; spending less will cause nodes to be
 * shutdown", Spot Manager). Pure: the section calls these before any resource is registered.
 *
 * A planned target below the deployed one is the operator's own doing when the new config at the prices
 * the deployed plan used already plans that little (a budget, target or cap edit). When the plan at
 * today's prices is lower still, prices moved (or a type went over its cap): refused, unless the
 * one-update acknowledgement `allowShrinkFrom: <deployed target>` is set. SpotManager never terminated an
 * instance because prices rose; a maintain fleet whose target drops terminates at once.
 *
 * On `tier: search` every cut is refused, budget 0 included: EC2 picks which instances go, and a search
 * data node may leave only through the search cluster's drain path.
 *
 * `minUtility` is a floor: a plan (budget > 0) below min(minUtility, this update's growth limit) is refused.
 */
import type { AllocationOptions, TypePrices } from "./allocator";
import { instancePriceCap, utilityLimit } from "./allocator";
import type { SpotFleetConfig } from "./config";
import { dollars, planSpotFleet } from "./fleet";
import { changeRefusal, type Finding } from "../shared/platform-plan";

/** What the last update recorded about a fleet (ops/state/schemas.ts spotFleetSnapshotSchema). */
export interface DeployedSpotFleet {
    /** Total target capacity last given to EC2, units of utility. */
    readonly targetCapacity: number;
    readonly budget: number;
    /** Settings fixed at the fleet's creation (changing them replaces it). */
    readonly spendCeiling: number | null;
    readonly interruptionBehavior: string;
    /** Prices (dollars per instance-hour) the deployed plan used; absent in snapshots before they were recorded. */
    readonly prices?: Readonly<Record<string, number>>;
    /** Instances per type of the deployed plan; absent in snapshots before they were recorded. */
    readonly counts?: Readonly<Record<string, number>>;
    readonly tier?: string;
}

/**
 * Most instances per type this update may plan: deployed count + maxRequestsPerType (SpotManager's
 * max_requests_per_type). Undefined (no bound) without the setting, or when the snapshot has no counts.
 */
export function requestBounds(config: SpotFleetConfig, deployed: DeployedSpotFleet | undefined): Record<string, number> | undefined {
    if (config.maxRequestsPerType === undefined) return undefined;
    if (deployed !== undefined && deployed.counts === undefined && deployed.targetCapacity > 0) return undefined;
    return Object.fromEntries(config.instanceTypes.map((t) => [t.type, (deployed?.counts?.[t.type] ?? 0) + config.maxRequestsPerType!]));
}

/** The options a fleet's plan is made with (one rule for the plan and its counterfactual). */
export function planOptions(config: SpotFleetConfig, deployed: DeployedSpotFleet | undefined): AllocationOptions {
    const maxCounts = requestBounds(config, deployed);
    return { currentUtility: deployed?.targetCapacity ?? 0, ...(maxCounts ? { maxCounts } : {}) };
}

const pct = (now: number, then: number) => `${now >= then ? "+" : ""}${Math.round(((now - then) / then) * 100)}%`;

/** "c5.xlarge $0.068 -> $0.0816 (+20%, over its cap $0.08)" for every type whose price moved. */
export function priceMoves(config: SpotFleetConfig, then: TypePrices, now: TypePrices): string[] {
    const out: string[] = [];
    for (const t of config.instanceTypes) {
        const a = then[t.type];
        const b = now[t.type];
        if (a === b) continue;
        const cap = instancePriceCap(t, config.maxUtilityPrice);
        if (b === undefined) out.push(`${t.type} $${dollars(a)} -> no price`);
        else if (a === undefined) out.push(`${t.type} no price -> $${dollars(b)}`);
        else out.push(`${t.type} $${dollars(a)} -> $${dollars(b)} (${pct(b, a)}${b > cap * (1 + 1e-9) ? `, over its cap $${dollars(cap)}` : ""})`);
    }
    return out;
}

export interface ShrinkCheck {
    /** `spotFleets.<name>`. */
    readonly path: string;
    readonly config: SpotFleetConfig;
    readonly deployed: DeployedSpotFleet | undefined;
    /** Target capacity this update plans (at today's prices). */
    readonly planned: number;
    /** Instances per type this update plans. */
    readonly plannedCounts: Readonly<Record<string, number>>;
    /** Prices this update plans with. */
    readonly prices: TypePrices;
}

function loss(c: ShrinkCheck, deployed: DeployedSpotFleet): string {
    const lost = Object.entries(deployed.counts ?? {})
        .map(([type, n]) => [type, n - (c.plannedCounts[type] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([type, n]) => `${n}x${type}`);
    return (
        `the fleet would go from ${deployed.targetCapacity} to ${c.planned} units of utility (EC2 terminates ${deployed.targetCapacity - c.planned} units at once` +
        (lost.length ? `; the plan drops ${lost.join(", ")}` : "") +
        ")"
    );
}

/** The refusals for one fleet (empty when the change is safe), each with its rule's id. */
export function shrinkRefusals(c: ShrinkCheck): Finding[] {
    const out: Finding[] = [];
    const { config, deployed, path } = c;
    const running = deployed !== undefined && deployed.targetCapacity > 0;
    const ack = config.allowShrinkFrom;

    if (config.tier === "search") {
        if (ack !== undefined)
            out.push(
                changeRefusal(
                    "spot/search-tier-shrink-ack",
                    `${path}.allowShrinkFrom: a tier search fleet is never shrunk by the fleet; remove it (take nodes out through the search cluster's drain path)`,
                ),
            );
        if (running && c.planned < deployed.targetCapacity) {
            out.push(
                changeRefusal(
                    "spot/search-tier-never-shrinks",
                    `${path}: tier search: ${loss(c, deployed)}, with no drain; EC2 picks which data nodes go ("spending less will cause nodes to be shutdown"). ` +
                        `Keep budget, targetUtility and the caps so the plan stays at ${deployed.targetCapacity} units` +
                        (config.budget > 0 ? ` (raise ${path}.budget or ${path}.maxUtilityPrice if prices rose)` : "") +
                        `; a search data node leaves only through the search cluster's drain path (docs/spot.md, search tier)`,
                ),
            );
        }
        return out;
    }

    if (ack !== undefined && (!running || deployed.targetCapacity !== ack)) {
        out.push(
            changeRefusal(
                "spot/stale-shrink-ack",
                `${path}.allowShrinkFrom: ${ack} acknowledges a shrink from a deployed target of ${ack} units, but the deployed target is ${deployed?.targetCapacity ?? "none (no fleet deployed)"}: ` +
                    `it was for an earlier update; remove it`,
            ),
        );
    }

    if (config.budget > 0 && config.minUtility !== undefined) {
        const floor = Math.min(config.minUtility, utilityLimit(config, { currentUtility: deployed?.targetCapacity ?? 0 }));
        if (c.planned < floor) {
            out.push(
                changeRefusal(
                    "spot/min-utility-floor",
                    `${path}.minUtility: the plan buys ${c.planned} units of utility, under the floor of ${floor} (minUtility ${config.minUtility}). ` +
                        `Raise ${path}.budget or ${path}.maxUtilityPrice, lower ${path}.minUtility, or stop the fleet with ${path}.budget: 0`,
                ),
            );
        }
    }

    if (!running || config.budget <= 0 || c.planned >= deployed.targetCapacity) return out;
    if (deployed.prices === undefined) {
        if (ack === deployed.targetCapacity) return out;
        out.push(
            changeRefusal(
                "spot/shrink-without-recorded-prices",
                `${path}: ${loss(c, deployed)}, and the deployed snapshot does not record the prices its plan used, so the cause cannot be told from a price move. ` +
                    `If you meant it, set ${path}.allowShrinkFrom: ${deployed.targetCapacity} for this one update; or raise ${path}.budget or ${path}.maxUtilityPrice`,
            ),
        );
        return out;
    }
    const byEdit = planSpotFleet(config, deployed.prices, planOptions(config, deployed)).fleet.targetCapacity;
    if (c.planned >= byEdit) return out; // the operator's own edit of budget, target or caps
    if (ack === deployed.targetCapacity) return out;
    const moves = priceMoves(config, deployed.prices, c.prices);
    out.push(
        changeRefusal(
            "spot/price-move-shrinks",
            `${path}: prices moved (${moves.length ? moves.join("; ") : "no listed type changed; the price book differs"}): ${loss(c, deployed)}` +
                (byEdit < deployed.targetCapacity
                    ? `; your config edits alone plan ${byEdit} units`
                    : "; with the prices the deployed plan used, this config keeps " + `${Math.min(byEdit, deployed.targetCapacity)} units`) +
                `. A price move never shrinks the fleet by itself. Ways out: raise ${path}.budget or ${path}.maxUtilityPrice (or a type's maxPrice), ` +
                `or set ${path}.allowShrinkFrom: ${deployed.targetCapacity} to accept this shrink for this one update (remove it afterwards)`,
        ),
    );
    return out;
}
