import { ControlPlane } from "../../components/controlplane/ControlPlane";
import { ConfigError } from "../../ops/config/errors";
import { NAMESPACE } from "../../ops/config/schema";
import type { ControlPlaneConfig } from "../../ops/controlplane/config";
import { controlPlanePlan, readDeployedControlPlane, type ControlPlaneStackPlan } from "../../ops/controlplane/plan";
import type { PathedPlatformPlan } from "../../ops/shared/findings";
import { sectionPlanOf, StackSection } from "./section";

/** Triton's headnode, compute nodes, headnode backup and recovery (config key `controlPlane`, RFD 67). */
export const controlPlaneSection: StackSection<"controlPlane", PathedPlatformPlan<ControlPlaneStackPlan, ControlPlaneConfig>> = {
    key: "controlPlane",

    /**
     * The plan of ops/controlplane/plan.ts, before any resource: problems of the config alone (not blessed in
     * prod, nothing recovery could check, a host without a subnet) are thrown as a ConfigError naming their
     * path; problems of the change against the deployed snapshot are returned as refusals.
     */
    plan(previous, next, cfg) {
        const planned = controlPlanePlan(next, readDeployedControlPlane(previous), {
            environment: cfg.environment,
            imageId: cfg.hosts.imageId,
            subnets: cfg.network.subnets,
        });
        return sectionPlanOf(planned);
    },

    define(ctx, config, planned) {
        if (!ctx.secrets.sshPrivateKey) {
            throw new ConfigError(
                [
                    {
                        path: "sshPrivateKey",
                        message:
                            "required by controlPlane (headnode recovery runs over SSH): run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`",
                    },
                ],
                NAMESPACE,
            );
        }
        const { layout, report } = planned.plan;
        // plan() threw the plan's problems, and only a plan without problems carries a layout.
        if (layout === undefined) throw new Error("controlPlane: the plan has no layout (its problems were not thrown)");
        const controlPlane = new ControlPlane(
            ctx.name("controlplane"),
            {
                layout,
                securityGroupId: ctx.network.groupIds.controlplane,
                instanceProfileName: ctx.roles.controlplane.instanceProfileName,
                sshPrivateKey: ctx.secrets.sshPrivateKey,
                backupBucket: config.backup.bucket ?? ctx.backupBucket.name,
            },
            ctx.providers.opts("controlplane"),
        );
        return {
            deployed: planned.snapshot,
            outputs: { headnodeIp: controlPlane.headnodeIp, computeNodeIps: controlPlane.computeNodeIps },
            // The baseline moves once the headnode's recovery (or first backup setup) completed.
            gates: [controlPlane.recoveryStdout],
            plan: report,
        };
    },
};
