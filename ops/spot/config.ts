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
import { ConfigError, ConfigPath, problemsFromZod } from "../config/errors";

const dollarsPerHour = (what: string) =>
    z.number({ error: `${what} must be a number of dollars per hour` });

export const InstanceTypeUtilitySchema = z.strictObject({
    /** EC2 instance type, e.g. "r5.xlarge". */
    type: z
        .string({ error: "must be an EC2 instance type name such as \"r5.xlarge\"" })
        .regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, { error: "must be an EC2 instance type name such as \"r5.xlarge\"" }),
    /** Units of work one instance of this type delivers (SpotManager's `utility`). */
    utility: z
        .number({ error: "utility must be a whole number of units > 0" })
        .int({ error: "utility must be a whole number of units > 0 (EC2 Fleet target capacity is an integer)" })
        .positive({ error: "utility must be a whole number of units > 0" }),
    /** Most paid per instance-hour for this type, whatever its utility. */
    maxPrice: dollarsPerHour("maxPrice").positive({ error: "maxPrice must be > 0 dollars per hour" }).optional(),
});
export type InstanceTypeUtility = z.infer<typeof InstanceTypeUtilitySchema>;

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
        /** Below this the plan is reported as underfunded. */
        minUtility: z
            .number({ error: "minUtility must be a whole number of units >= 0" })
            .int({ error: "minUtility must be a whole number of units >= 0" })
            .min(0, { error: "minUtility must be a whole number of units >= 0" })
            .optional(),
        subnets: z
            .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "must be a subnet id such as \"subnet-5750c90d\"" }), {
                error: "subnets must be a list of subnet ids",
            })
            .min(1, { error: "subnets must list at least one subnet id" }),
        image: z.string().regex(/^ami-[0-9a-f]{8,17}$/, { error: "image must be an AMI id such as \"ami-003634241a8fcdec0\"" }).optional(),
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

/**
 * SpotManager's settings file (examples/config/etl_settings.json, comments already stripped) to our
 * config input. `targetUtility` is not in that file (SpotManager asked its instance manager at run
 * time), so the caller supplies it. Unknown SpotManager keys are ignored: the result is validated by
 * parseSpotFleetConfig, which is where mistakes are reported.
 */
export function fromSpotManagerSettings(settings: Record<string, any>, targetUtility: number): SpotFleetConfigInput {
    const listwrap = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
    const request = settings?.ec2?.request ?? {};
    const subnets = [
        ...listwrap(request.subnet_id),
        ...listwrap(request.network_interfaces).map((n: any) => n?.subnet_id),
    ].filter((s): s is string => typeof s === "string");
    return {
        budget: settings.budget,
        maxUtilityPrice: settings.max_utility_price,
        maxNewUtility: settings.max_new_utility,
        maxPercentPerType: settings.max_percent_per_type ?? 1, // SpotManager's default: no share cap
        targetUtility,
        instanceTypes: listwrap(settings.utility).map((u: any) => ({ type: u?.instance_type, utility: u?.utility })),
        subnets: [...new Set(subnets)],
        ...(typeof request.image_id === "string" ? { image: request.image_id } : {}),
        ...(typeof settings.price_file === "string" ? { priceFile: settings.price_file } : {}),
    } as SpotFleetConfigInput;
}
