import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { SPOT_ENV } from "../../ops/spot/commands";
import { HostTemplate } from "../compute/HostTemplate";

/**
 * aws.ec2.Fleet inputs that can never change without replacing the fleet (which terminates its
 * instances) or without the change being silently dropped (a perpetual diff). One list, so the
 * component and the tests agree. Sources:
 *  - terraform-provider-aws internal/service/ec2/ec2_fleet.go, the resource @pulumi/aws bridges:
 *    ForceNew on `type`, `replace_unhealthy_instances`, `terminate_instances_with_expiration`,
 *    `valid_from`, `valid_until`, the `on_demand_options` and `spot_options` blocks and their
 *    allocation strategy, interruption behavior, instance_pools_to_use_count and capacity-rebalance
 *    replacement strategy, and target_capacity_specification's default_target_capacity_type,
 *    on_demand_target_capacity, spot_target_capacity and target_capacity_unit_type.
 *  - its resourceFleetUpdate sends EC2 ModifyFleet only context, excess_capacity_termination_policy,
 *    launch_template_config and total_target_capacity, the parameters the ModifyFleet API has (EC2 API
 *    reference; the user guide's "Modify an EC2 Fleet": only `maintain` fleets, target capacity and
 *    excess-capacity termination policy). So spotOptions.maxTotalPrice, not ForceNew itself, is still
 *    fixed at creation: a change would never reach EC2 and would show as a diff forever.
 */
export const FLEET_REPLACE_FORCING_INPUTS = [
    "type",
    "replaceUnhealthyInstances",
    "terminateInstancesWithExpiration",
    "validFrom",
    "validUntil",
    "onDemandOptions",
    "spotOptions",
    "targetCapacitySpecification.defaultTargetCapacityType",
    "targetCapacitySpecification.onDemandTargetCapacity",
    "targetCapacitySpecification.spotTargetCapacity",
    "targetCapacitySpecification.targetCapacityUnitType",
] as const;

/** Inputs ModifyFleet changes in place (or that only matter at deletion, or are tags). */
export const FLEET_IN_PLACE_INPUTS = [
    "targetCapacitySpecification.totalTargetCapacity",
    "launchTemplateConfigs",
    "excessCapacityTerminationPolicy",
    "context",
    "terminateInstances",
    "tags",
] as const;

/**
 * Ignored so they never cause a diff. With price-capacity-optimized, AWS returns no
 * InstancePoolsToUseCount, the provider reads 0 against its schema default 1, and that ForceNew field
 * would replace the fleet on every update (hashicorp/terraform-provider-aws#43176, open). The bridge
 * drops ignored paths from the provider's plan (pulumi/pulumi-terraform-bridge#3177).
 */
export const FLEET_IGNORED_INPUTS = ["spotOptions.instancePoolsToUseCount"] as const;

/** Ignored while the emergency switch holds the fleet (SpotFleetArgs.holdCapacity). */
export const FLEET_HELD_CAPACITY = "targetCapacitySpecification.totalTargetCapacity";

/** Seconds a rebalanced instance keeps running after its replacement launched (EC2 allows 120-7200). */
export const REBALANCE_TERMINATION_DELAY_SECONDS = 600;

export interface SpotFleetOverride {
    readonly instanceType: string;
    readonly subnetId: string;
    /** Units of utility one instance delivers. */
    readonly weightedCapacity: number;
    /** Dollars per unit of weighted capacity per hour (EC2 reads an override's maxPrice per unit). */
    readonly maxPrice: string;
}

export interface SpotFleetArgs {
    /** Image of every instance. */
    readonly imageId: pulumi.Input<string>;
    /** The tier's security groups; the launch template puts them on the only network interface. */
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly instanceProfileArn: pulumi.Input<string>;
    readonly rootVolumeGiB: number;
    readonly userData?: pulumi.Input<string>;
    readonly tier: string;
    /** One per instance type x subnet (ops/spot spotFleetRequest); at least one. */
    readonly overrides: readonly SpotFleetOverride[];
    /** Total target capacity in units of utility: what the budget buys; 0 stops the fleet. */
    readonly targetCapacity: pulumi.Input<number>;
    /** spotOptions.maxTotalPrice in dollars per hour, fixed for the fleet's life; none when undefined. */
    readonly spendCeiling?: string;
    readonly interruptionBehavior: "terminate" | "stop" | "hibernate";
    /**
     * The emergency switch holds the capacity (its commands set it to 0 and, last of its resumes, back to the plan):
     * a change of targetCapacity is ignored while true, so the engine never raises it before the resumes ran.
     */
    readonly holdCapacity?: boolean;
    /**
     * Rolling replacement of instances still on an older template version (ops/spot/commands.ts
     * rolloutCommand, run by bash from the repository root). Absent: none (tier search).
     */
    readonly rollout?: { readonly command: string; readonly region: pulumi.Input<string> };
}

/**
 * A budget-capped spot fleet: an EC2 Fleet of type `maintain` over a HostTemplate launch template
 * (IMDSv2, encrypted EBS, no public IP). Everything the budget decides is in the target capacity and
 * the launch template configs, the two things EC2 modifies in place; everything else is fixed (see
 * FLEET_REPLACE_FORCING_INPUTS). Lowering the target terminates the excess instances
 * (excessCapacityTerminationPolicy `termination`), so target 0 is the runbook's "set price to zero";
 * deleting the fleet terminates its instances (`terminateInstances`), so none run on unmanaged.
 */
export class SpotFleet extends pulumi.ComponentResource {
    public readonly fleetId: pulumi.Output<string>;
    public readonly launchTemplateId: pulumi.Output<string>;
    /** Resolves once the rollout command finished (its stdout: the batches and the running mix); undefined without one. */
    public readonly rolledOut?: pulumi.Output<string>;

    constructor(name: string, args: SpotFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:spot:SpotFleet", name, {}, opts);
        if (args.overrides.length === 0) throw new Error(`spot fleet ${name}: no launch template overrides (no instance type can be bought)`);

        const template = new HostTemplate(
            `${name}-template`,
            {
                imageId: args.imageId,
                instanceType: args.overrides[0].instanceType,
                securityGroupIds: args.securityGroupIds,
                instanceProfileArn: args.instanceProfileArn,
                rootVolumeGiB: args.rootVolumeGiB,
                userData: args.userData,
                tier: args.tier,
            },
            { parent: this },
        );

        const fleet = new aws.ec2.Fleet(
            name,
            {
                type: "maintain",
                launchTemplateConfigs: [
                    {
                        launchTemplateSpecification: {
                            launchTemplateId: template.launchTemplateId,
                            version: template.latestVersion.apply((v) => String(v)),
                        },
                        overrides: args.overrides.map((o) => ({
                            instanceType: o.instanceType,
                            subnetId: o.subnetId,
                            weightedCapacity: o.weightedCapacity,
                            maxPrice: o.maxPrice,
                        })),
                    },
                ],
                targetCapacitySpecification: {
                    defaultTargetCapacityType: "spot",
                    totalTargetCapacity: args.targetCapacity,
                },
                spotOptions: {
                    allocationStrategy: "price-capacity-optimized",
                    instanceInterruptionBehavior: args.interruptionBehavior,
                    maintenanceStrategies: {
                        capacityRebalance: { replacementStrategy: "launch-before-terminate", terminationDelay: REBALANCE_TERMINATION_DELAY_SECONDS },
                    },
                    ...(args.spendCeiling !== undefined ? { maxTotalPrice: args.spendCeiling } : {}),
                },
                excessCapacityTerminationPolicy: "termination",
                terminateInstancesWithExpiration: true,
                terminateInstances: true,
                tags: { Name: name, tier: args.tier },
            },
            { parent: this, ignoreChanges: [...FLEET_IGNORED_INPUTS, ...(args.holdCapacity ? [FLEET_HELD_CAPACITY] : [])] },
        );

        // After the fleet points at the new version (ModifyFleet: launchTemplateConfigs change in place,
        // terraform-provider-aws internal/service/ec2/ec2_fleet.go resourceFleetUpdate), replace the instances
        // still on an older one. The version is the trigger: a new version replaces (re-runs) the command.
        if (args.rollout) {
            const version = template.latestVersion.apply((v) => String(v));
            const rollout = new command.local.Command(
                `${name}-rollout`,
                {
                    create: args.rollout.command,
                    interpreter: ["/bin/bash", "-c"],
                    environment: {
                        [SPOT_ENV.fleetId]: fleet.id,
                        [SPOT_ENV.templateId]: template.launchTemplateId,
                        [SPOT_ENV.version]: version,
                        [SPOT_ENV.region]: args.rollout.region,
                    },
                    triggers: [version],
                },
                { parent: this, dependsOn: [fleet] },
            );
            this.rolledOut = rollout.stdout;
        }

        this.fleetId = fleet.id;
        this.launchTemplateId = template.launchTemplateId;
        this.registerOutputs({ fleetId: this.fleetId, launchTemplateId: this.launchTemplateId });
    }
}
