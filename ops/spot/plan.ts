/**
 * The spot fleets' update plan (config key `spotFleets`): the one place that decides, for one `pulumi up`,
 * which changes are refused, what each fleet's budget buys at its prices, the worst-case spend, the report the
 * operator reads and the snapshot the next update compares with. Pure: the stack section reads the price files
 * (priceFilesToRead says which) and passes their text in; nothing here reads a file or the clock.
 *
 * Budget 0 never needs a price file: the emergency stop must work even when the price book is broken.
 *
 * Guardrails (id, kind):
 * - spot/deployed-snapshot (change-refusal): deployed.spotFleets cannot be read (fail closed: a guess could
 *   terminate instances);
 * - spot/remove-running-fleet, spot/fixed-setting-change (change-refusal): both terminate a running fleet's
 *   instances; stop it with budget 0 first;
 * - spot/subnet-outside-network, spot/too-many-overrides, spot/no-buyable-type (change-refusal): wrong whatever
 *   is deployed, but reported with the refusals, as they always were;
 * - spot/price-source, spot/price-file-unreadable, spot/price-file-not-json, spot/price-file-invalid,
 *   spot/price-file-no-prices, spot/no-price-for-any-type (config-problem): a budget above 0 without a usable
 *   price book;
 * - the shrink rules of ops/spot/shrink.ts (change-refusal).
 */
import { ConfigError } from "../config/errors";
import { pathProblem, type ConfigFinding, type PathedPlatformPlan } from "../shared/findings";
import { changeRefusal, type Finding } from "../shared/platform-plan";
import { spotFleetsSnapshotSchema } from "../state/schemas";
import { readSnapshot, type SnapshotRead } from "../state/snapshot";
import { allocate, type TypePrices } from "./allocator";
import type { SpotFleetConfig } from "./config";
import { rolloutCommand } from "./commands";
import { dollars, planSpotFleet, spotFleetRequest, type SpotPlan } from "./fleet";
import { parsePriceHistory, reducePriceHistory, typePrices } from "./pricebook";
import { planOptions, shrinkRefusals, type DeployedSpotFleet } from "./shrink";

/** The provider's schema allows at most 50 overrides per launch template config. */
export const MAX_OVERRIDES = 50;

export type SpotFleets = Readonly<Record<string, SpotFleetConfig>>;

/** What the section read of one fleet's priceFile: its text, or why it could not be read. */
export type PriceFileContent =
    /** `where`: the file's absolute path, as the messages name it. */
    { readonly where: string; readonly text: string } | { readonly where: string; readonly unreadable: string };

export interface SpotPlanContext {
    /** The stack's network.subnets: a fleet's subnets must be among them; their zones filter price files. */
    readonly subnets: readonly { readonly id: string; readonly availabilityZone: string }[];
    /** The price files of priceFilesToRead, by fleet name. */
    readonly priceFiles: Readonly<Record<string, PriceFileContent>>;
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

/** One fleet's decisions for this update. */
export interface FleetPlan {
    readonly plan: SpotPlan;
    /** The prices the plan used (empty for budget 0). */
    readonly prices: TypePrices;
    /** The section's plan output for this fleet. */
    readonly report: FleetReport;
    /**
     * The rolling replacement command after a launch template change; none on tier search, whose data nodes
     * leave only through drains.
     */
    readonly rolloutCommand?: string;
}

export type SpotFleetsPlan = Readonly<Record<string, FleetPlan>>;
export type SpotFleetsSnapshot = Record<string, DeployedSpotFleet>;

export const fleetPath = (name: string, ...rest: string[]): string => ["spotFleets", name, ...rest].join(".");

/** The one reader of deployed.spotFleets (ops/state/schemas.ts); a null spendCeiling may come back absent. */
export function readDeployedSpotFleets(previous: unknown): SnapshotRead<SpotFleetsSnapshot> {
    return readSnapshot<SpotFleetsSnapshot>("spotFleets", spotFleetsSnapshotSchema, previous);
}

/** The fleets whose priceFile this update needs (budget above 0 and no prices in config), with the file. */
export function priceFilesToRead(fleets: SpotFleets): { readonly fleet: string; readonly file: string }[] {
    return Object.entries(fleets)
        .filter(([, c]) => c.budget > 0 && c.prices === undefined && c.priceFile !== undefined)
        .map(([fleet, c]) => ({ fleet, file: c.priceFile! }));
}

/** The snapshot the update records: the target, the fixed settings, and the prices and counts its plan used. */
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
 * Refusals of the change against the deployed fleets: deleting a running fleet or changing a setting that
 * replaces it while it runs (both terminate its instances: stop it with budget 0 first), subnets outside the
 * stack's network, more overrides than a launch template config takes, and a fleet none of whose instance types
 * can be bought. An unreadable snapshot is the one refusal (nothing else can be compared).
 */
export function fleetChangeRefusals(deployed: SnapshotRead<SpotFleetsSnapshot>, next: SpotFleets, subnets: SpotPlanContext["subnets"]): Finding[] {
    if (deployed.kind === "refused") return [changeRefusal("spot/deployed-snapshot", deployed.message)];
    const fleets = deployed.kind === "ok" ? deployed.value : {};
    const out: Finding[] = [];
    for (const [name, prev] of Object.entries(fleets)) {
        if (next[name] !== undefined || prev.targetCapacity === 0) continue;
        out.push(
            changeRefusal(
                "spot/remove-running-fleet",
                `${fleetPath(name)}: removing the fleet deletes its EC2 Fleet and terminates its instances (target ${prev.targetCapacity} units). ` +
                    `Stop it first: set ${fleetPath(name, "budget")} to 0 and deploy, then remove it`,
            ),
        );
    }
    const networkSubnets = new Set(subnets.map((s) => s.id));
    for (const [name, config] of Object.entries(next)) {
        const prev = fleets[name];
        if (prev !== undefined && prev.targetCapacity > 0 && config.budget > 0) {
            const fixed: [string, unknown, unknown][] = [
                ["spendCeiling", prev.spendCeiling, config.spendCeiling ?? null],
                ["interruptionBehavior", prev.interruptionBehavior, config.interruptionBehavior],
            ];
            for (const [key, was, now] of fixed) {
                if (was === now) continue;
                out.push(
                    changeRefusal(
                        "spot/fixed-setting-change",
                        `${fleetPath(name, key)}: changing it (${JSON.stringify(was)} -> ${JSON.stringify(now)}) replaces the EC2 Fleet, which terminates its ` +
                            `instances (target ${prev.targetCapacity} units). Set ${fleetPath(name, "budget")} to 0 and deploy, then change ${key} ` +
                            `(with budget 0 or the budget you want back)`,
                    ),
                );
            }
        }
        config.subnets.forEach((s, i) => {
            if (!networkSubnets.has(s)) {
                out.push(
                    changeRefusal(
                        "spot/subnet-outside-network",
                        `${fleetPath(name)}.subnets[${i}]: ${s} is not one of network.subnets (${[...networkSubnets].join(", ")})`,
                    ),
                );
            }
        });
        const overrides = spotFleetRequest(config).overrides.length;
        if (overrides > MAX_OVERRIDES) {
            out.push(
                changeRefusal(
                    "spot/too-many-overrides",
                    `${fleetPath(name)}: ${config.instanceTypes.length} instance types x ${config.subnets.length} subnets = ${overrides} launch template overrides; ` +
                        `an EC2 Fleet launch template config takes at most ${MAX_OVERRIDES}: list fewer types or subnets`,
                ),
            );
        } else if (overrides === 0) {
            out.push(
                changeRefusal(
                    "spot/no-buyable-type",
                    `${fleetPath(name)}: no instance type has a price cap above EC2's minimum ($0.001 per unit-hour): raise maxUtilityPrice or maxPrice`,
                ),
            );
        }
    }
    return out;
}

/** One price per instance type from a price file's text (SpotManager's or describe-spot-price-history's shape). */
export function priceFilePrices(
    file: PriceFileContent,
    label: string,
    zones: readonly string[] | undefined,
    history: SpotFleetConfig["priceHistory"],
): { readonly prices: TypePrices; readonly asOf: number } | { readonly problems: ConfigFinding[] } {
    const { where } = file;
    if ("unreadable" in file) return { problems: [pathProblem("spot/price-file-unreadable", label, `cannot read price file ${where}: ${file.unreadable}`)] };
    let json: unknown;
    try {
        json = JSON.parse(file.text);
    } catch (e) {
        return { problems: [pathProblem("spot/price-file-not-json", label, `price file ${where} is not JSON: ${(e as Error).message}`)] };
    }
    let changes;
    try {
        changes = parsePriceHistory(json, label);
    } catch (e) {
        if (e instanceof ConfigError) return { problems: e.problems.map((p) => pathProblem("spot/price-file-invalid", p.path, `${p.message} (in ${where})`)) };
        throw e;
    }
    const inZones = (zones ? changes.filter((c) => zones.includes(c.availabilityZone)) : changes).filter(
        (c) => c.productDescription === undefined || history.products.includes(c.productDescription),
    );
    if (inZones.length === 0) {
        const labels = [...new Set(changes.map((c) => c.productDescription).filter((d) => d !== undefined))];
        return {
            problems: [
                pathProblem(
                    "spot/price-file-no-prices",
                    label,
                    `price file ${where} has no prices${zones ? ` in ${zones.join(", ")}` : ""} for products ${history.products.map((p) => JSON.stringify(p)).join(", ")}` +
                        (labels.length ? ` (it has ${labels.map((p) => JSON.stringify(p)).join(", ")}: list them in priceHistory.products)` : ""),
                ),
            ],
        };
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
 * Prices, plan and report of one fleet, or the config problems of a budget above 0 without a usable price book.
 * `priceFile` is what the section read of the fleet's priceFile (needed only when priceFilesToRead lists it).
 */
export function planFleet(
    name: string,
    config: SpotFleetConfig,
    subnets: SpotPlanContext["subnets"],
    previous: DeployedSpotFleet | undefined,
    priceFile?: PriceFileContent,
): FleetPlan | { readonly problems: ConfigFinding[] } {
    const label = fleetPath(name, "priceFile");
    let prices: TypePrices = {};
    let source = "none needed (budget 0)";
    if (config.budget > 0) {
        if (config.prices !== undefined) {
            prices = config.prices;
            source = `${fleetPath(name, "prices")} (stack config)`;
        } else if (config.priceFile !== undefined) {
            if (priceFile === undefined) throw new Error(`${label}: the price file was not read (priceFilesToRead lists it)`);
            const zoneOf = new Map(subnets.map((s) => [s.id, s.availabilityZone]));
            const zones = config.subnets.map((s) => zoneOf.get(s)).filter((z): z is string => z !== undefined);
            const read = priceFilePrices(priceFile, label, zones.length > 0 ? zones : undefined, config.priceHistory);
            if ("problems" in read) return read;
            prices = read.prices;
            source = `${priceFile.where} as of ${new Date(read.asOf * 1000).toISOString()}`;
        } else {
            return {
                problems: [
                    pathProblem(
                        "spot/price-source",
                        fleetPath(name),
                        "give prices or priceFile: the budget is turned into a target capacity at those prices (budget 0 needs neither)",
                    ),
                ],
            };
        }
        if (!config.instanceTypes.some((t) => prices[t.type] !== undefined)) {
            return {
                problems: [
                    pathProblem(
                        "spot/no-price-for-any-type",
                        config.prices !== undefined ? fleetPath(name, "prices") : label,
                        `no price for any of ${config.instanceTypes.map((t) => t.type).join(", ")}`,
                    ),
                ],
            };
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
    return {
        plan,
        prices,
        report,
        // Search data nodes leave only through drains: no automatic replacement on that tier.
        ...(config.tier === "search" ? {} : { rolloutCommand: rolloutCommand({ ...config.rollout, maxPercentPerType: config.maxPercentPerType }) }),
    };
}

/**
 * The plan of every fleet: refusals of the change (fleetChangeRefusals, then each fleet's shrink rules, in
 * config order), the config problems of every price book, each fleet's plan and the snapshot to record. With
 * an unreadable snapshot the fleets are planned as new (the refusal stops the update anyway).
 */
export function spotPlan(
    fleets: SpotFleets,
    deployed: SnapshotRead<SpotFleetsSnapshot>,
    context: SpotPlanContext,
): PathedPlatformPlan<SpotFleetsPlan, SpotFleetsSnapshot> {
    const refusals = fleetChangeRefusals(deployed, fleets, context.subnets);
    const previous = deployed.kind === "ok" ? deployed.value : {};
    const problems: ConfigFinding[] = [];
    const plan: Record<string, FleetPlan> = {};
    const snapshot: SpotFleetsSnapshot = {};
    for (const [name, config] of Object.entries(fleets)) {
        const p = planFleet(name, config, context.subnets, previous[name], context.priceFiles[name]);
        if ("problems" in p) {
            problems.push(...p.problems);
            continue;
        }
        plan[name] = p;
        snapshot[name] = deployedSnapshot(config, p.plan, p.prices);
        refusals.push(
            ...shrinkRefusals({
                path: fleetPath(name),
                config,
                deployed: previous[name],
                planned: p.plan.fleet.targetCapacity,
                plannedCounts: p.plan.allocation.counts,
                prices: p.prices,
            }),
        );
    }
    return { problems, refusals, plan, snapshot };
}
