/**
 * One budget-capped spot fleet, in the runbook's terms ("Spot Manager", "Stopping ETL"): a `budget` in
 * dollars per hour for all instances of the fleet, a `utility` per instance type, the most paid for one
 * unit of utility, a per-type share cap and a growth cap. Setting `budget` to 0 is the runbook's
 * emergency stop ("set price to zero"): the fleet scales to zero, the configuration stays.
 *
 * The names mirror SpotManager's etl_settings.json (`max_utility_price` -> `maxUtilityPrice`, ...);
 * `fromSpotManagerSettings` converts such a file.
 *
 * Utilities and utility targets are whole numbers: EC2 Fleet's TotalTargetCapacity is an integer count
 * of units, and SpotManager's utilities were integers (vCPUs).
 */
import { z } from "zod";
import { ConfigError, ConfigPath, ConfigProblem, problemsFromZod } from "../config/errors";

const dollarsPerHour = (what: string) => z.number({ error: `${what} must be a number of dollars per hour` });

export const InstanceTypeUtilitySchema = z.strictObject({
    /** EC2 instance type, e.g. "r5.xlarge". */
    type: z
        .string({ error: 'must be an EC2 instance type name such as "r5.xlarge"' })
        .regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, { error: 'must be an EC2 instance type name such as "r5.xlarge"' }),
    /** Units of work one instance of this type delivers (SpotManager's `utility`). */
    utility: z
        .number({ error: "utility must be a whole number of units > 0" })
        .int({ error: "utility must be a whole number of units > 0 (EC2 Fleet target capacity is an integer)" })
        .positive({ error: "utility must be a whole number of units > 0" }),
    /** Most paid per instance-hour for this type, whatever its utility. */
    maxPrice: dollarsPerHour("maxPrice").positive({ error: "maxPrice must be > 0 dollars per hour" }).optional(),
});
export type InstanceTypeUtility = z.infer<typeof InstanceTypeUtilitySchema>;

/**
 * Product labels a spot price history may carry for Linux instances in a VPC. SpotManager asked for
 * `settings.product`, default "Linux/UNIX (Amazon VPC)" (the label of EC2-Classic days); AWS's
 * describe-spot-price-history answers "Linux/UNIX" for the same VPC instances today.
 */
export const LINUX_PRODUCTS = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"] as const;

export const PRICE_HISTORY_DEFAULTS = { hours: 24, uptimeMinutes: 5, bidPercentile: 0.8, products: [...LINUX_PRODUCTS] };

export const PriceHistorySchema = z.strictObject({
    /** Hours of history used (SpotManager uptime.history, default a day). */
    hours: z
        .number({ error: "hours must be a whole number of hours in 1..168" })
        .int({ error: "hours must be a whole number of hours in 1..168" })
        .min(1, { error: "hours must be a whole number of hours in 1..168" })
        .max(168, { error: "hours must be a whole number of hours in 1..168 (AWS keeps 90 days; SpotManager fetched a week)" })
        .default(PRICE_HISTORY_DEFAULTS.hours),
    /** Minutes a price counts before its timestamp (SpotManager uptime.duration, default 5 minutes). */
    uptimeMinutes: z
        .number({ error: "uptimeMinutes must be a number of minutes in 0..1440" })
        .min(0, { error: "uptimeMinutes must be a number of minutes in 0..1440" })
        .max(1440, { error: "uptimeMinutes must be a number of minutes in 0..1440" })
        .default(PRICE_HISTORY_DEFAULTS.uptimeMinutes),
    /** Percentile of hourly maxima, in (0, 1] (SpotManager uptime.bid_percentile; its ETL config: 0.70). */
    bidPercentile: z
        .number({ error: "bidPercentile must be a fraction in (0, 1], e.g. 0.7" })
        .gt(0, { error: "bidPercentile must be a fraction in (0, 1], e.g. 0.7" })
        .max(1, { error: "bidPercentile must be a fraction in (0, 1], e.g. 0.7 (not a percentage)" })
        .default(PRICE_HISTORY_DEFAULTS.bidPercentile),
    /** Product descriptions read from the file; entries with another label are left out. */
    products: z
        .array(z.string().min(1, { error: "a product description must not be empty" }), { error: "products must be a list of product descriptions" })
        .min(1, { error: 'products must list at least one product description, e.g. "Linux/UNIX"' })
        .default([...LINUX_PRODUCTS]),
});
export type PriceHistorySettings = z.infer<typeof PriceHistorySchema>;

export const INTERRUPTION_BEHAVIORS = ["terminate", "stop", "hibernate"] as const;
/** Tiers a fleet can serve: the ETL workers, and later the search cluster's spot data nodes. */
export const FLEET_TIERS = ["etl", "search"] as const;

export const SpotFleetConfigSchema = z
    .strictObject({
        /** Most spent per hour for all instances of the fleet; 0 = emergency stop (scale to zero). */
        budget: dollarsPerHour("budget").min(0, {
            error: "budget must be >= 0 dollars per hour for the whole fleet (0 = emergency stop, the fleet scales to zero)",
        }),
        instanceTypes: z
            .array(InstanceTypeUtilitySchema, { error: "instanceTypes must be a list of {type, utility, maxPrice?}" })
            .min(1, { error: "instanceTypes must list at least one instance type" }),
        /** Most paid per unit of utility per hour (SpotManager's max_utility_price). */
        maxUtilityPrice: dollarsPerHour("maxUtilityPrice").positive({
            error: "maxUtilityPrice must be > 0 dollars per unit of utility per hour",
        }),
        /** No instance type above this share of the fleet's utility (SpotManager's max_percent_per_type). */
        maxPercentPerType: z
            .number({ error: "maxPercentPerType must be a fraction in (0, 1]" })
            .gt(0, { error: "maxPercentPerType must be a fraction in (0, 1], e.g. 0.7 for 70%" })
            .max(1, { error: "maxPercentPerType must be a fraction in (0, 1] (1 = no share cap), not a percentage" }),
        /** Most utility added in one update (SpotManager's max_new_utility). */
        maxNewUtility: z
            .number({ error: "maxNewUtility must be a whole number of units > 0" })
            .int({ error: "maxNewUtility must be a whole number of units > 0" })
            .positive({ error: "maxNewUtility must be a whole number of units > 0" }),
        /** Utility the fleet should have. */
        targetUtility: z
            .number({ error: "targetUtility must be a whole number of units >= 0" })
            .int({ error: "targetUtility must be a whole number of units >= 0" })
            .min(0, { error: "targetUtility must be a whole number of units >= 0" }),
        /**
         * A floor: an update whose plan (budget > 0) comes out below min(minUtility, this update's growth
         * limit) is refused at preview; only `budget: 0` goes under it.
         */
        minUtility: z
            .number({ error: "minUtility must be a whole number of units >= 0" })
            .int({ error: "minUtility must be a whole number of units >= 0" })
            .min(0, { error: "minUtility must be a whole number of units >= 0" })
            .optional(),
        /**
         * Most instances of one type added in one update (SpotManager's max_requests_per_type): the plan
         * holds at most (deployed plan's count + this) of each type.
         */
        maxRequestsPerType: z
            .number({ error: "maxRequestsPerType must be a whole number of instances > 0" })
            .int({ error: "maxRequestsPerType must be a whole number of instances > 0" })
            .positive({ error: "maxRequestsPerType must be a whole number of instances > 0" })
            .optional(),
        /**
         * One-update acknowledgement of a shrink the operator did not cause by editing budget, target or
         * caps (a price move): the deployed target capacity it accepts shrinking from. Refused when it does
         * not match the deployed target (it was for an earlier update: remove it). Never on tier search.
         */
        allowShrinkFrom: z
            .number({ error: "allowShrinkFrom must be the deployed target capacity (whole units) this update may shrink from" })
            .int({ error: "allowShrinkFrom must be the deployed target capacity (whole units) this update may shrink from" })
            .min(1, { error: "allowShrinkFrom must be the deployed target capacity (whole units, > 0) this update may shrink from" })
            .optional(),
        /**
         * Rolling replacement after a launch template change (runbook "Upgrading existing pipelines":
         * 40 machines at a time). Not on tier search: its instances leave only through drains.
         */
        rollout: z
            .strictObject({
                batchSize: z
                    .number({ error: "batchSize must be a whole number of instances > 0" })
                    .int({ error: "batchSize must be a whole number of instances > 0" })
                    .positive({ error: "batchSize must be a whole number of instances > 0" })
                    .default(40),
                pauseSeconds: z
                    .number({ error: "pauseSeconds must be a whole number of seconds in 0..3600" })
                    .int({ error: "pauseSeconds must be a whole number of seconds in 0..3600" })
                    .min(0, { error: "pauseSeconds must be a whole number of seconds in 0..3600" })
                    .max(3600, { error: "pauseSeconds must be a whole number of seconds in 0..3600" })
                    .default(0),
                /** Longest wait for one batch's capacity to come back before the update fails. */
                timeoutSeconds: z
                    .number({ error: "timeoutSeconds must be a whole number of seconds in 60..86400" })
                    .int({ error: "timeoutSeconds must be a whole number of seconds in 60..86400" })
                    .min(60, { error: "timeoutSeconds must be a whole number of seconds in 60..86400" })
                    .max(86400, { error: "timeoutSeconds must be a whole number of seconds in 60..86400" })
                    .default(1800),
            })
            .default({ batchSize: 40, pauseSeconds: 0, timeoutSeconds: 1800 }),
        /** How a priceFile's history becomes one price per type (SpotManager's `uptime` settings). */
        priceHistory: PriceHistorySchema.default(PRICE_HISTORY_DEFAULTS),
        subnets: z
            .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must be a subnet id such as "subnet-5750c90d"' }), {
                error: "subnets must be a list of subnet ids",
            })
            .min(1, { error: "subnets must list at least one subnet id" }),
        image: z
            .string()
            .regex(/^ami-[0-9a-f]{8,17}$/, { error: 'image must be an AMI id such as "ami-003634241a8fcdec0"' })
            .optional(),
        userData: z.string({ error: "userData must be a string (the cloud-init / shell script)" }).optional(),
        interruptionBehavior: z
            .enum(INTERRUPTION_BEHAVIORS, { error: `interruptionBehavior must be one of: ${INTERRUPTION_BEHAVIORS.join(", ")}` })
            .default("terminate"),
        /** Fixed price book: instance type -> dollars per instance-hour. */
        prices: z
            .record(z.string(), dollarsPerHour("a price").positive({ error: "a price must be > 0 dollars per instance-hour" }), {
                error: "prices must map instance type to dollars per instance-hour",
            })
            .optional(),
        /** Spot price history file (SpotManager's price_file); see pricebook.ts for the shapes read. */
        priceFile: z.string().min(1, { error: "priceFile must be a path" }).optional(),
        /**
         * Most the fleet may ever spend per hour, enforced by EC2 (spotOptions.maxTotalPrice). Unlike
         * `budget` it is fixed at creation: EC2's ModifyFleet cannot change spot options, so changing it
         * replaces the fleet. The budget is applied through the target capacity instead. Absent: EC2
         * enforces no total, only the per-unit price caps.
         */
        spendCeiling: dollarsPerHour("spendCeiling").positive({ error: "spendCeiling must be > 0 dollars per hour" }).optional(),
        /** Tier whose security group and instance role the fleet's instances get. */
        tier: z.enum(FLEET_TIERS, { error: `tier must be one of: ${FLEET_TIERS.join(", ")}` }).default("etl"),
        /** Root volume of each instance (encrypted gp3). */
        rootVolumeGiB: z
            .number({ error: "rootVolumeGiB must be a whole number of GiB >= 8" })
            .int({ error: "rootVolumeGiB must be a whole number of GiB >= 8" })
            .min(8, { error: "rootVolumeGiB must be a whole number of GiB >= 8" })
            .max(16384, { error: "rootVolumeGiB must be <= 16384 GiB" })
            .default(30),
    })
    .superRefine((c, ctx) => {
        const types = Array.isArray(c.instanceTypes) ? c.instanceTypes : [];
        const seen = new Map<string, number>();
        types.forEach((t, i) => {
            if (typeof t?.type !== "string") return;
            const first = seen.get(t.type);
            if (first !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["instanceTypes", i, "type"],
                    message: `duplicate instance type "${t.type}" (already at instanceTypes[${first}]); each type is listed once`,
                });
            } else seen.set(t.type, i);
        });
        if (typeof c.minUtility === "number" && typeof c.targetUtility === "number" && c.minUtility > c.targetUtility) {
            ctx.addIssue({
                code: "custom",
                path: ["minUtility"],
                message: `minUtility (${c.minUtility}) must be <= targetUtility (${c.targetUtility})`,
            });
        }
        if (typeof c.spendCeiling === "number" && typeof c.budget === "number" && c.budget > c.spendCeiling) {
            ctx.addIssue({
                code: "custom",
                path: ["budget"],
                message:
                    `budget (${c.budget} $/h) must be <= spendCeiling (${c.spendCeiling} $/h): EC2 stops launching at the ceiling. ` +
                    "Lower the budget, or raise spendCeiling (that replaces the fleet: set budget 0 and deploy first)",
            });
        }
        if (c.prices !== undefined && c.priceFile !== undefined) {
            ctx.addIssue({ code: "custom", path: ["priceFile"], message: "give either prices or priceFile, not both" });
        }
        for (const type of Object.keys(c.prices ?? {})) {
            if (!seen.has(type)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["prices", type],
                    message: `"${type}" is not one of instanceTypes (${[...seen.keys()].join(", ")})`,
                });
            }
        }
    });

export type SpotFleetConfig = z.infer<typeof SpotFleetConfigSchema>;
export type SpotFleetConfigInput = z.input<typeof SpotFleetConfigSchema>;

/**
 * Validate one fleet's configuration. Throws ConfigError listing every problem, each starting with its
 * path (`instanceTypes[1].utility: ...`), prefixed with `prefix` when the fleet sits inside a larger
 * stack config (e.g. ["spot", "etl"]).
 */
export function parseSpotFleetConfig(input: unknown, prefix: ConfigPath = []): SpotFleetConfig {
    const result = SpotFleetConfigSchema.safeParse(input);
    if (result.success) return result.data;
    throw new ConfigError(problemsFromZod(result.error, SpotFleetConfigSchema, prefix), "spot fleet");
}

/** How the converter treats one SpotManager setting (a dotted path; `utility[]` is each utility entry). */
export interface SpotManagerSetting {
    /** "converted": becomes the named config key; "inert": carries no decision about what is bought or run. */
    readonly kind: "converted" | "inert";
    readonly to?: string;
    readonly why?: string;
}

/**
 * Every SpotManager setting the converter knows (spot/spot_manager.py and examples/config/etl_settings.json of
 * klahnakoski/SpotManager, branches manager and manager-etl). "inert" settings only run SpotManager's own
 * process (logging, credentials, its cron interval) or restate what the fleet already fixes; anything else
 * with a value is refused by name: nothing is dropped without the operator saying so (`ignore`).
 */
export const SPOTMANAGER_SETTINGS: Readonly<Record<string, SpotManagerSetting>> = {
    budget: { kind: "converted", to: "budget" },
    max_utility_price: { kind: "converted", to: "maxUtilityPrice" },
    max_new_utility: { kind: "converted", to: "maxNewUtility" },
    max_requests_per_type: { kind: "converted", to: "maxRequestsPerType" },
    max_percent_per_type: { kind: "converted", to: "maxPercentPerType" },
    price_file: { kind: "converted", to: "priceFile" },
    product: { kind: "converted", to: "priceHistory.products" },
    bid_percentile: { kind: "converted", to: "priceHistory.bidPercentile" },
    "uptime.bid_percentile": { kind: "converted", to: "priceHistory.bidPercentile" },
    "uptime.history": { kind: "converted", to: "priceHistory.hours" },
    "uptime.duration": { kind: "converted", to: "priceHistory.uptimeMinutes" },
    "utility[].instance_type": { kind: "converted", to: "instanceTypes[].type" },
    "utility[].utility": { kind: "converted", to: "instanceTypes[].utility" },
    "utility[].cpu": { kind: "inert", why: "descriptive (SpotManager never reads it)" },
    "utility[].ecu": { kind: "inert", why: "descriptive (SpotManager never reads it)" },
    "utility[].memory": { kind: "inert", why: "descriptive (SpotManager never reads it)" },
    "utility[].num_drives": { kind: "inert", why: "descriptive (SpotManager never reads it)" },
    "ec2.request.image_id": { kind: "converted", to: "image" },
    "ec2.request.subnet_id": { kind: "converted", to: "subnets" },
    "ec2.request.network_interfaces.subnet_id": { kind: "converted", to: "subnets" },
    "ec2.request.count": { kind: "inert", why: "SpotManager requires 1 (one request per instance); the fleet launches by target capacity" },
    "ec2.request.type": { kind: "inert", why: "spot request type; the EC2 Fleet is of type maintain" },
    "ec2.request.price": { kind: "inert", why: "overwritten by every bid; the fleet's per-unit caps come from maxUtilityPrice" },
    "ec2.instance.name": { kind: "inert", why: "Name tag; the fleet names its resources from the stack" },
    run_interval: { kind: "inert", why: "SpotManager's cron period; the fleet changes only when you deploy" },
    aws: { kind: "inert", why: "credentials of SpotManager's process; Pulumi's AWS provider has its own" },
    debug: { kind: "inert", why: "SpotManager's logging" },
    constants: { kind: "inert", why: "SpotManager's module constants (HTTP headers)" },
};

/** `a.b[3].c` -> `a.b[].c`: the table key of a concrete settings path. */
const settingKey = (path: string): string => path.replace(/\[\d+\]/g, "[]");

/** Leaves of a JSON value with their dotted paths; null leaves (SpotManager's "unset") are left out. */
function leaves(value: unknown, path: string, out: [string, unknown][]): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
    else if (typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 0) out.push([path, value]);
        for (const [k, v] of entries) leaves(v, path === "" ? k : `${path}.${k}`, out);
    } else out.push([path, value]);
}

/** SpotManager durations ("day", "5minute", "2hour", "week") in minutes; undefined when not of that form. */
export function spotManagerMinutes(text: unknown): number | undefined {
    if (typeof text !== "string") return undefined;
    const m = /^\s*(\d+(?:\.\d+)?)?\s*(second|minute|hour|day|week)s?\s*$/.exec(text);
    if (!m) return undefined;
    const per = { second: 1 / 60, minute: 1, hour: 60, day: 1440, week: 10080 }[m[2] as "minute"];
    return (m[1] === undefined ? 1 : Number(m[1])) * per;
}

/**
 * SpotManager's settings file (examples/config/etl_settings.json, comments already stripped) to our config
 * input. `targetUtility` is not in that file (SpotManager asked its instance manager at run time), so the
 * caller supplies it. A setting that is neither converted nor inert (SPOTMANAGER_SETTINGS) is refused by
 * name with a ConfigError unless its path (or a parent's, e.g. "instance") is in `ignore`: the operator then
 * says, by name, that the fleet goes without it. The result is validated by parseSpotFleetConfig.
 */
export function fromSpotManagerSettings(
    // SpotManager's settings file is untyped JSON; each field read below is checked before use.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    settings: Record<string, any>,
    targetUtility: number,
    options: { readonly ignore?: readonly string[] } = {},
): SpotFleetConfigInput {
    const found: [string, unknown][] = [];
    leaves(settings, "", found);
    const ignored = (path: string) => (options.ignore ?? []).some((i) => path === i || path.startsWith(`${i}.`) || path.startsWith(`${i}[`));
    const problems: ConfigProblem[] = [];
    const refused = new Set<string>();
    for (const [path] of found) {
        const key = settingKey(path);
        if (SPOTMANAGER_SETTINGS[key] !== undefined || ignored(path) || ignored(key)) continue;
        // Report each setting once, at its table key (`utility[].discount`, not once per entry).
        if (refused.has(key)) continue;
        refused.add(key);
        problems.push({
            path: key,
            message:
                `SpotManager setting "${key}" is not supported by the converter (an EC2 Fleet cannot honour it as SpotManager did); ` +
                `remove it from the settings, or pass it in ignore to convert without it`,
        });
    }
    const history = settings?.uptime ?? {};
    const hours = history.history === undefined || history.history === null ? undefined : spotManagerMinutes(history.history);
    const uptime = history.duration === undefined || history.duration === null ? undefined : spotManagerMinutes(history.duration);
    if (history.history !== undefined && history.history !== null && hours === undefined) {
        problems.push({ path: "uptime.history", message: `"${String(history.history)}" is not a SpotManager duration such as "day" or "6hour"` });
    }
    if (history.duration !== undefined && history.duration !== null && uptime === undefined) {
        problems.push({ path: "uptime.duration", message: `"${String(history.duration)}" is not a SpotManager duration such as "5minute"` });
    }
    if (problems.length > 0) throw new ConfigError(problems, "SpotManager settings");

    const listwrap = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
    const request = settings?.ec2?.request ?? {};
    const subnets = [
        ...listwrap(request.subnet_id),
        ...listwrap(request.network_interfaces).map((n) => (n as { subnet_id?: unknown } | null)?.subnet_id),
    ].filter((s): s is string => typeof s === "string");
    const percentile = history.bid_percentile ?? settings.bid_percentile;
    const priceHistory = {
        ...(hours !== undefined ? { hours: hours / 60 } : {}),
        ...(uptime !== undefined ? { uptimeMinutes: uptime } : {}),
        ...(percentile !== undefined && percentile !== null ? { bidPercentile: percentile } : {}),
        ...(typeof settings.product === "string" ? { products: [settings.product] } : {}),
    };
    return {
        budget: settings.budget,
        maxUtilityPrice: settings.max_utility_price,
        maxNewUtility: settings.max_new_utility,
        maxPercentPerType: settings.max_percent_per_type ?? 1, // SpotManager's default: no share cap
        ...(settings.max_requests_per_type !== undefined && settings.max_requests_per_type !== null
            ? { maxRequestsPerType: settings.max_requests_per_type }
            : {}),
        targetUtility,
        instanceTypes: listwrap(settings.utility).map((u) => ({
            type: (u as { instance_type?: unknown } | null)?.instance_type,
            utility: (u as { utility?: unknown } | null)?.utility,
        })),
        subnets: [...new Set(subnets)],
        ...(typeof request.image_id === "string" ? { image: request.image_id } : {}),
        ...(typeof settings.price_file === "string" ? { priceFile: settings.price_file } : {}),
        ...(Object.keys(priceHistory).length > 0 ? { priceHistory } : {}),
    } as SpotFleetConfigInput;
}
