/**
 * The `spotFleets` section: one budget-capped EC2 Fleet per entry ("Spot Manager" and "Stopping ETL"
 * in caring-for-activedata.md). Each update plans what the budget buys at the configured prices
 * (ops/spot/plan.ts) and sets the fleet's target capacity to it; nothing else about the fleet depends on the
 * budget, so a budget change is an in-place ModifyFleet, never a replacement. `budget: 0` is the
 * runbook's emergency stop: target 0, excess instances terminated, configuration kept.
 *
 * Growth: SpotManager's max_new_utility is applied by capping, not refusing. The target grows by at
 * most `maxNewUtility` over the deployed target per update, and the plan says so; running the update
 * again continues toward `targetUtility`. Shrinking is never capped.
 *
 * Ordering: plan() runs before any resource is registered. It reads the price files the plan needs (the
 * imperative shell: a missing or unreadable file is a ConfigError naming the path, from the pure plan) and
 * hands their text to ops/spot/plan.ts, which validates the deployed snapshot, refuses unsafe changes and
 * plans every fleet; the program hands that plan to define(), which only declares the planned fleets. Budget 0
 * never reads a price file: the emergency stop must work even when the price book is broken.
 */
import * as fs from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { SpotFleet } from "../../components/spot/SpotFleet";
import type { PathedPlatformPlan } from "../../ops/shared/findings";
import {
    type FleetReport,
    type PriceFileContent,
    priceFilesToRead,
    readDeployedSpotFleets,
    spotPlan,
    type SpotFleets,
    type SpotFleetsPlan,
    type SpotFleetsSnapshot,
} from "../../ops/spot/plan";
import { sectionPlanOf, StackSection } from "./section";

/** Reads one price file (a relative path from the working directory: the Pulumi project directory under the CLI). */
export function readPriceFile(file: string): PriceFileContent {
    const where = path.resolve(file);
    try {
        return { where, text: fs.readFileSync(where, "utf8") };
    } catch (e) {
        return { where, unreadable: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
    }
}

/** The plan of every fleet, with the price files it needs read here. */
export function planSpotFleets(
    previous: unknown,
    next: SpotFleets,
    subnets: readonly { readonly id: string; readonly availabilityZone: string }[],
): PathedPlatformPlan<SpotFleetsPlan, SpotFleetsSnapshot> {
    const priceFiles = Object.fromEntries(priceFilesToRead(next).map(({ fleet, file }) => [fleet, readPriceFile(file)]));
    return spotPlan(next, readDeployedSpotFleets(previous), { subnets, priceFiles });
}

export const spotSection: StackSection<"spotFleets", PathedPlatformPlan<SpotFleetsPlan, SpotFleetsSnapshot>> = {
    key: "spotFleets",

    plan(previous, next, cfg) {
        const planned = planSpotFleets(previous, next, cfg.network.subnets);
        return sectionPlanOf(planned);
    },

    define(ctx, fleets, planned) {
        const outputs: Record<string, unknown> = {};
        const plan: Record<string, FleetReport> = {};
        const gates: pulumi.Output<unknown>[] = [];
        for (const [name, config] of Object.entries(fleets)) {
            const p = planned.plan[name];
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
                    holdCapacity: ctx.heldFleets.includes(name),
                    ...(p.rolloutCommand !== undefined
                        ? { rollout: { command: p.rolloutCommand, region: ctx.providers.aws("spot").region.apply((r) => r ?? "") } }
                        : {}),
                },
                ctx.providers.opts("spot"),
            );
            outputs[name] = { fleetId: fleet.fleetId, launchTemplateId: fleet.launchTemplateId, targetCapacity: request.targetCapacity };
            plan[name] = p.report;
            // deployed.targetCapacity is "the target last given to EC2": true only once the fleet's
            // create or ModifyFleet succeeded, which is when its id resolves. No command to wait for.
            gates.push(fleet.fleetId, ...(fleet.rolledOut ? [fleet.rolledOut] : []));
        }
        return { deployed: planned.snapshot, outputs, plan, gates };
    },
};
