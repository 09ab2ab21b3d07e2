/**
 * The `spotFleets` section: one budget-capped EC2 Fleet per entry ("Spot Manager" and "Stopping ETL"
 * in caring-for-activedata.md). Each update plans what the budget buys at the configured prices
 * (ops/spot) and sets the fleet's target capacity to it; nothing else about the fleet depends on the
 * budget, so a budget change is an in-place ModifyFleet, never a replacement. `budget: 0` is the
 * runbook's emergency stop: target 0, excess instances terminated, configuration kept.
 *
 * Growth: SpotManager's max_new_utility is applied by capping, not refusing. The target grows by at
 * most `maxNewUtility` over the deployed target per update, and the plan says so; running the update
 * again continues toward `targetUtility`. Shrinking is never capped.
 *
 * Ordering: refusals() runs before any resource is registered. It validates the deployed snapshot,
 * refuses unsafe changes, reads price files (a missing or unreadable file is a ConfigError naming the
 * path) and plans every fleet; define() declares the planned fleets, taking the plan refusals() made
 * (keyed by the config object both receive in one program run) so each price file is read once,
 * before any resource. Budget 0 never reads a price file: the emergency stop must work even when the
 * price book is broken.
 */
import * as fs from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { SpotFleet } from "../../components/spot/SpotFleet";
import { ConfigError, ConfigProblem } from "../../ops/config/errors";
import { StackConfig } from "../../ops/config/schema";
import {
    allocate,
    DeployedSpotFleet,
    dollars,
    parsePriceHistory,
    planOptions,
    planSpotFleet,
    PriceHistorySettings,
    PRICE_HISTORY_DEFAULTS,
    reducePriceHistory,
    rolloutCommand,
    shrinkRefusals,
    SpotFleetConfig,
    spotFleetRequest,
    SpotPlan,
    typePrices,
    TypePrices,
} from "../../ops/spot";
import { spotFleetsSnapshotSchema } from "../../ops/state/schemas";
import { readSnapshot } from "../../ops/state/snapshot";
import { holdsCapacity } from "./emergency";
import { StackSection } from "./section";

type Fleets = NonNullable<StackConfig["spotFleets"]>;

/** What the next update needs to know about each deployed fleet (ops/spot/shrink.ts). */
export type { DeployedSpotFleet };

/** The provider's schema allows at most 50 overrides per launch template config. */
export const MAX_OVERRIDES = 50;

export interface PreparedFleet {
    readonly name: string;
    readonly config: SpotFleetConfig;
    readonly previous?: DeployedSpotFleet;
    readonly plan: SpotPlan;
    /** The prices the plan used (empty for budget 0). */
    readonly prices: TypePrices;
    /** The section's plan output for this fleet. */
    readonly report: FleetReport;
}

export interface FleetReport {
    readonly text: string;
    readonly targetCapacity: number;
    readonly previousTargetCapacity: number | null;
    /** What the budget would buy now without the per-update growth cap, when the cap binds. */
    readonly growthCappedFrom: number | null;
    readonly spend: {
        readonly budget: number;
        /** At the planned prices. */
        readonly planned: number;
        /** If every pool rose to its price cap: (target + largest utility - 1) x highest per-unit cap, within the ceiling. */
        readonly worstCase: number;
        readonly ceiling: number | null;
    };
    readonly prices: string;
    readonly summary: SpotPlan["summary"];
    readonly omitted: SpotPlan["fleet"]["omitted"];
}

const fleetPath = (name: string, ...rest: string[]) => ["spotFleets", name, ...rest].join(".");

/**
 * The deployed snapshot (ops/state/schemas.ts), or the refusal naming deployed.spotFleets when it
 * cannot be read (fail closed: a guess could terminate instances).
 */
export function readDeployedFleets(previous: unknown): { fleets: Record<string, DeployedSpotFleet> } | { problem: string } {
    // A null spendCeiling may come back absent: the schema reads it as null (no ceiling).
    const read = readSnapshot<Record<string, DeployedSpotFleet>>("spotFleets", spotFleetsSnapshotSchema, previous);
    if (read.kind === "refused") return { problem: read.message };
    return { fleets: read.kind === "ok" ? read.value : {} };
}

/** The snapshot define() records: the target, the fixed settings, and the prices and counts its plan used. */
export function deployedSnapshot(config: SpotFleetConfig, plan: SpotPlan, prices: TypePrices): DeployedSpotFleet {
    const counts = Object.fromEntries(Object.entries(plan.allocation.counts).filter(([, n]) => n > 0));
    const used = Object.fromEntries(config.instanceTypes.filter((t) => prices[t.type] !== undefined).map((t) => [t.type, prices[t.type]]));
    return {
        targetCapacity: plan.fleet.targetCapacity,
        budget: config.budget,
        spendCeiling: config.spendCeiling ?? null,
        interruptionBehavior: config.interruptionBehavior,
        prices: used,
        counts,
        tier: config.tier,
    };
}

/**
 * Guardrails against the deployed fleets (pure). Refused: deleting a running fleet or changing a
 * setting that replaces it while it runs (both terminate its instances: stop it with budget 0
 * first), subnets outside the stack's network, more overrides than a launch template config takes,
 * and a fleet none of whose instance types can be bought.
 */
export function spotFleetRefusals(previous: unknown, next: Fleets, cfg: StackConfig): string[] {
    const out: string[] = [];
    const deployed = readDeployedFleets(previous);
    if ("problem" in deployed) return [deployed.problem];
    for (const [name, prev] of Object.entries(deployed.fleets)) {
        if (next[name] !== undefined || prev.targetCapacity === 0) continue;
        out.push(
            `${fleetPath(name)}: removing the fleet deletes its EC2 Fleet and terminates its instances (target ${prev.targetCapacity} units). ` +
                `Stop it first: set ${fleetPath(name, "budget")} to 0 and deploy, then remove it`,
        );
    }
    const networkSubnets = new Set(cfg.network.subnets.map((s) => s.id));
    for (const [name, config] of Object.entries(next)) {
        const prev = deployed.fleets[name];
        if (prev !== undefined && prev.targetCapacity > 0 && config.budget > 0) {
            const fixed: [string, unknown, unknown][] = [
                ["spendCeiling", prev.spendCeiling, config.spendCeiling ?? null],
                ["interruptionBehavior", prev.interruptionBehavior, config.interruptionBehavior],
            ];
            for (const [key, was, now] of fixed) {
                if (was === now) continue;
                out.push(
                    `${fleetPath(name, key)}: changing it (${JSON.stringify(was)} -> ${JSON.stringify(now)}) replaces the EC2 Fleet, which terminates its ` +
                        `instances (target ${prev.targetCapacity} units). Set ${fleetPath(name, "budget")} to 0 and deploy, then change ${key} ` +
                        `(with budget 0 or the budget you want back)`,
                );
            }
        }
        config.subnets.forEach((s, i) => {
            if (!networkSubnets.has(s)) out.push(`${fleetPath(name)}.subnets[${i}]: ${s} is not one of network.subnets (${[...networkSubnets].join(", ")})`);
        });
        const overrides = spotFleetRequest(config).overrides.length;
        if (overrides > MAX_OVERRIDES) {
            out.push(
                `${fleetPath(name)}: ${config.instanceTypes.length} instance types x ${config.subnets.length} subnets = ${overrides} launch template overrides; ` +
                    `an EC2 Fleet launch template config takes at most ${MAX_OVERRIDES}: list fewer types or subnets`,
            );
        } else if (overrides === 0) {
            out.push(`${fleetPath(name)}: no instance type has a price cap above EC2's minimum ($0.001 per unit-hour): raise maxUtilityPrice or maxPrice`);
        }
    }
    return out;
}

/** One price per instance type from a price history file (SpotManager's or describe-spot-price-history's shape). */
export function readPriceFile(
    file: string,
    label: string,
    zones: readonly string[] | undefined,
    history: PriceHistorySettings = PRICE_HISTORY_DEFAULTS,
): { prices: TypePrices; asOf: number } {
    const where = path.resolve(file);
    let text: string;
    try {
        text = fs.readFileSync(where, "utf8");
    } catch (e) {
        throw new ConfigError([{ path: label, message: `cannot read price file ${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }], "dataplat");
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new ConfigError([{ path: label, message: `price file ${where} is not JSON: ${(e as Error).message}` }], "dataplat");
    }
    let changes;
    try {
        changes = parsePriceHistory(json, label);
    } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => ({ path: p.path, message: `${p.message} (in ${where})` })), "dataplat");
        throw e;
    }
    const inZones = (zones ? changes.filter((c) => zones.includes(c.availabilityZone)) : changes).filter(
        (c) => c.productDescription === undefined || history.products.includes(c.productDescription),
    );
    if (inZones.length === 0) {
        const labels = [...new Set(changes.map((c) => c.productDescription).filter((d) => d !== undefined))];
        throw new ConfigError(
            [
                {
                    path: label,
                    message:
                        `price file ${where} has no prices${zones ? ` in ${zones.join(", ")}` : ""} for products ${history.products.map((p) => JSON.stringify(p)).join(", ")}` +
                        (labels.length ? ` (it has ${labels.map((p) => JSON.stringify(p)).join(", ")}: list them in priceHistory.products)` : ""),
                },
            ],
            "dataplat",
        );
    }
    // The window ends at the file's newest entry, so the plan does not depend on when it runs.
    const asOf = Math.max(...inZones.map((c) => c.timestamp));
    const book = reducePriceHistory(inZones, {
        now: asOf,
        historyHours: history.hours,
        uptimeMinutes: history.uptimeMinutes,
        percentile: history.bidPercentile,
        products: history.products,
    });
    return { prices: typePrices(book), asOf };
}

function worstCaseSpend(plan: SpotPlan, ceiling: number | null): number {
    const target = plan.fleet.targetCapacity;
    if (target === 0 || plan.fleet.overrides.length === 0) return 0;
    const uMax = Math.max(...plan.fleet.overrides.map((o) => o.weightedCapacity));
    const capMax = Math.max(...plan.fleet.overrides.map((o) => Number(o.maxPrice)));
    const worst = (target + uMax - 1) * capMax;
    return ceiling === null ? worst : Math.min(worst, ceiling);
}

/**
 * Prices and plan of one fleet. Throws ConfigError when a budget above 0 has no usable price book.
 * A relative priceFile is read from the working directory (the Pulumi project directory under the CLI).
 */
export function prepareFleet(name: string, config: SpotFleetConfig, cfg: StackConfig, previous: DeployedSpotFleet | undefined): PreparedFleet {
    const label = fleetPath(name, "priceFile");
    let prices: TypePrices = {};
    let source = "none needed (budget 0)";
    if (config.budget > 0) {
        if (config.prices !== undefined) {
            prices = config.prices;
            source = `${fleetPath(name, "prices")} (stack config)`;
        } else if (config.priceFile !== undefined) {
            const zoneOf = new Map(cfg.network.subnets.map((s) => [s.id, s.availabilityZone]));
            const zones = config.subnets.map((s) => zoneOf.get(s)).filter((z): z is string => z !== undefined);
            const read = readPriceFile(config.priceFile, label, zones.length > 0 ? zones : undefined, config.priceHistory);
            prices = read.prices;
            source = `${path.resolve(config.priceFile)} as of ${new Date(read.asOf * 1000).toISOString()}`;
        } else {
            throw new ConfigError(
                [{ path: fleetPath(name), message: "give prices or priceFile: the budget is turned into a target capacity at those prices (budget 0 needs neither)" }],
                "dataplat",
            );
        }
        if (!config.instanceTypes.some((t) => prices[t.type] !== undefined)) {
            throw new ConfigError(
                [{ path: config.prices !== undefined ? fleetPath(name, "prices") : label, message: `no price for any of ${config.instanceTypes.map((t) => t.type).join(", ")}` }],
                "dataplat",
            );
        }
    }
    const plan = planSpotFleet(config, prices, planOptions(config, previous));
    const target = plan.fleet.targetCapacity;
    const uncapped = config.budget > 0 ? allocate(config, prices).countedUtility : 0;
    const growthCappedFrom = uncapped > target ? uncapped : null;
    const ceiling = config.spendCeiling ?? null;
    const worstCase = worstCaseSpend(plan, ceiling);
    const parts = [
        plan.text.replace(/^spot fleet:/, `spot fleet ${name}:`),
        `target capacity ${target} units` + (previous ? ` (deployed ${previous.targetCapacity})` : " (new fleet)"),
    ];
    if (growthCappedFrom !== null) {
        parts.push(`growth capped by maxNewUtility ${config.maxNewUtility}: the budget buys ${growthCappedFrom} units now; run the update again to continue`);
    }
    if (target > 0) parts.push(`at most $${dollars(worstCase)}/h if prices rise to the caps`);
    parts.push(ceiling === null ? "no EC2 spend ceiling (spendCeiling unset)" : `EC2 spend ceiling $${dollars(ceiling)}/h`);
    if (config.budget > 0) parts.push(`prices: ${source}`);
    const report: FleetReport = {
        text: parts.join("; "),
        targetCapacity: target,
        previousTargetCapacity: previous?.targetCapacity ?? null,
        growthCappedFrom,
        spend: { budget: config.budget, planned: plan.allocation.cost, worstCase, ceiling },
        prices: source,
        summary: plan.summary,
        omitted: plan.fleet.omitted,
    };
    return { name, config, ...(previous ? { previous } : {}), plan, prices, report };
}

/** Plans every fleet, collecting every price-book problem into one ConfigError. */
export function prepareFleets(next: Fleets, cfg: StackConfig, deployed: Record<string, DeployedSpotFleet>): Map<string, PreparedFleet> {
    const problems: ConfigProblem[] = [];
    const out = new Map<string, PreparedFleet>();
    for (const [name, config] of Object.entries(next)) {
        try {
            out.set(name, prepareFleet(name, config, cfg, deployed[name]));
        } catch (e) {
            if (e instanceof ConfigError) problems.push(...e.problems);
            else throw e;
        }
    }
    if (problems.length > 0) throw new ConfigError(problems, "dataplat");
    return out;
}

/** The readable deployed fleets (refusals() reports an unreadable snapshot; planning then starts from none). */
function deployedOrNone(previous: unknown): Record<string, DeployedSpotFleet> {
    const d = readDeployedFleets(previous);
    return "fleets" in d ? d.fleets : {};
}

/** define(): the deployed fleets; an unreadable snapshot throws (refusals() has refused it before any resource). */
function deployedOrThrow(previous: unknown): Record<string, DeployedSpotFleet> {
    const d = readDeployedFleets(previous);
    if ("problem" in d) throw new Error(`Refused by guardrails, nothing was changed:\n  - ${d.problem}`);
    return d.fleets;
}

/** refusals() -> define() hand-over within one program run, keyed by the section's config object. */
const prepared = new WeakMap<Fleets, Map<string, PreparedFleet>>();

export const spotSection: StackSection<"spotFleets"> = {
    key: "spotFleets",

    refusals(previous, next, cfg) {
        const refused = spotFleetRefusals(previous, next, cfg);
        const deployed = deployedOrNone(previous);
        const plans = prepareFleets(next, cfg, deployed);
        prepared.set(next, plans);
        for (const [name, p] of plans) {
            refused.push(
                ...shrinkRefusals({
                    path: fleetPath(name),
                    config: p.config,
                    deployed: deployed[name],
                    planned: p.plan.fleet.targetCapacity,
                    plannedCounts: p.plan.allocation.counts,
                    prices: p.prices,
                }),
            );
        }
        return refused;
    },

    define(ctx, fleets) {
        const deployedFleets = deployedOrThrow(ctx.previous?.spotFleets);
        const plans = prepared.get(fleets) ?? prepareFleets(fleets, ctx.cfg, deployedFleets);
        const deployed: Record<string, DeployedSpotFleet> = {};
        const outputs: Record<string, unknown> = {};
        const plan: Record<string, FleetReport> = {};
        const gates: pulumi.Output<unknown>[] = [];
        for (const [name, config] of Object.entries(fleets)) {
            const p = plans.get(name)!;
            const request = p.plan.fleet;
            const fleet = new SpotFleet(
                ctx.name(`${name}-fleet`),
                {
                    imageId: config.image ?? ctx.imageId,
                    securityGroupIds: [ctx.network.groupIds[config.tier]],
                    instanceProfileArn: ctx.roles[config.tier].instanceProfileArn,
                    rootVolumeGiB: config.rootVolumeGiB,
                    ...(config.userData !== undefined ? { userData: config.userData } : {}),
                    tier: config.tier,
                    overrides: request.overrides,
                    targetCapacity: request.targetCapacity,
                    ...(request.maxTotalPrice !== null ? { spendCeiling: request.maxTotalPrice } : {}),
                    interruptionBehavior: request.interruptionBehavior,
                    // dataplat:emergency holds an ETL fleet at 0 through its own commands ("Stopping ETL"): the
                    // budget stays in config and planned, the fleet's capacity is not changed by this update.
                    holdCapacity: holdsCapacity(ctx, name),
                    // Search data nodes leave only through drains: no automatic replacement on that tier.
                    ...(config.tier === "search"
                        ? {}
                        : {
                              rollout: {
                                  command: rolloutCommand({ ...config.rollout, maxPercentPerType: config.maxPercentPerType }),
                                  region: ctx.providers.aws("spot").region.apply((r) => r ?? ""),
                              },
                          }),
                },
                ctx.providers.opts("spot"),
            );
            deployed[name] = deployedSnapshot(config, p.plan, p.prices);
            outputs[name] = { fleetId: fleet.fleetId, launchTemplateId: fleet.launchTemplateId, targetCapacity: request.targetCapacity };
            plan[name] = p.report;
            // deployed.targetCapacity is "the target last given to EC2": true only once the fleet's
            // create or ModifyFleet succeeded, which is when its id resolves. No command to wait for.
            gates.push(fleet.fleetId, ...(fleet.rolledOut ? [fleet.rolledOut] : []));
        }
        return { deployed, outputs, plan, gates };
    },
};
