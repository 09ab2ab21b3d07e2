import * as pulumi from "@pulumi/pulumi";
import { TierRole } from "../../components/compute/TierRole";
import { ConfigError } from "../../ops/config/errors";
import { NAMESPACE, StackConfig, Tier } from "../../ops/config/schema";
import { messages, type PlatformPlan } from "../../ops/shared/platform-plan";
import { Providers } from "../providers";

/** What the foundation hands to each platform section of the stack. */
export interface SectionContext {
    /** The whole validated stack config. */
    readonly cfg: StackConfig;
    readonly stack: string;
    /** `<prefix>-<suffix>`: every resource name starts with the stack's prefix. */
    readonly name: (suffix: string) => string;
    readonly providers: Providers;
    readonly network: {
        readonly groupIds: Record<Tier, pulumi.Output<string>>;
        readonly subnets: readonly { readonly id: string; readonly availabilityZone: string }[];
    };
    /** Instance role and profile per tier (grants come from the queues' and buckets' config). */
    readonly roles: Record<Tier, TierRole>;
    /** Default image of every host (hosts.imageId). */
    readonly imageId: string;
    /** The first bucket with purpose "backup". */
    readonly backupBucket: { readonly name: pulumi.Output<string>; readonly arn: pulumi.Output<string> };
    readonly alarmTopicArn: pulumi.Output<string>;
    /**
     * Spot fleets whose capacity the emergency switch holds in this update (ops/emergency/plan.ts): the
     * fleet leaves its capacity to the emergency's commands.
     */
    readonly heldFleets: readonly string[];
    /** The stack's `deployed` output from the last update (undefined on the first deployment). */
    readonly previous?: Readonly<Record<string, unknown>>;
    readonly secrets: {
        /** Set only when config supplies dataplat:sshPrivateKey (a Pulumi secret). */
        readonly sshPrivateKey?: pulumi.Output<string>;
        readonly postgresPassword: pulumi.Output<string>;
        readonly searchAdminPassword: pulumi.Output<string>;
    };
}

export interface SectionResult {
    /**
     * Recorded in the `deployed` stack output; the next update's refusals() compare against it. Read
     * back with the section's schema (ops/state/schemas.ts): change both together.
     */
    readonly deployed: unknown;
    /**
     * Outputs that resolve only once the update's work for this section has completed (the rollouts,
     * service starts, recoveries, joins and bounces that define() registered). The program records the
     * whole `deployed` output only after every gate resolved, so a failed command leaves the previous
     * baseline in place. Deletes of old resources run after the program registered its outputs and can
     * never be gated: `npm run pending` (cli/pending.ts) checks for unfinished ones before a preview.
     */
    readonly gates: readonly pulumi.Output<unknown>[];
    /** Stack outputs of the section. */
    readonly outputs: Record<string, unknown>;
    /** The operational plan of this update (drains, repairs, spend), shown by `npm run synth`. */
    readonly plan?: unknown;
    /**
     * What another part of the stack needs from this section and is not a stack output (the emergency switch's
     * gates trust the search cluster's CA).
     */
    readonly wiring?: { readonly searchAdminTls?: { readonly caPem: pulumi.Output<string>; readonly serverName: string } };
}

/**
 * What a section's plan hook hands to the program: the refusal messages of the change (reported with every
 * other section's, in section order, before any resource) and the plan define() then receives unchanged.
 */
export interface SectionPlan<P> {
    readonly refusals: readonly string[];
    readonly plan: P;
}

/**
 * One platform of the runbooks (search cluster, origin cluster, spot fleets, layered platform,
 * control plane), configured by one optional top-level key of the stack config.
 *
 * Its `plan` (its decisions, computed once from ops/<platform>/plan.ts before any resource) is handed to
 * define() unchanged.
 */
export interface StackSection<K extends keyof StackConfig, P = undefined> {
    readonly key: K;
    /**
     * The section's plan for this update, before any resource: config problems are thrown as a ConfigError
     * naming their path, change refusals are returned with the plan. Pure apart from reading the inputs the
     * plan needs (price files); `previous` is the section's entry of the last `deployed` output.
     */
    plan(previous: unknown, next: NonNullable<StackConfig[K]>, cfg: StackConfig): SectionPlan<P>;
    /** Declares the section's resources; `plan` is what plan() returned in this program run. */
    define(ctx: SectionContext, config: NonNullable<StackConfig[K]>, plan: P): SectionResult;
}

/**
 * A platform's plan as every section hands it to the program: the problems of the config alone thrown as one
 * ConfigError naming their paths, the change refusals returned as their messages, with the plan.
 */
export function sectionPlanOf<P extends PlatformPlan<unknown, unknown> & { readonly problems: readonly { readonly path: string; readonly message: string }[] }>(
    planned: P,
): SectionPlan<P> {
    const problems: readonly { readonly path: string; readonly message: string }[] = planned.problems;
    if (problems.length > 0)
        throw new ConfigError(
            problems.map(({ path, message }) => ({ path, message })),
            NAMESPACE,
        );
    return { refusals: messages(planned.refusals), plan: planned };
}
