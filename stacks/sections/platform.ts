import { LayeredPlatform } from "../../components/platform/LayeredPlatform";
import { ConfigError } from "../../ops/config/errors";
import { NAMESPACE } from "../../ops/config/schema";
import { type PlatformConfig } from "../../ops/platform/config";
import { platformPlan, readDeployedPlatform, type PlatformStackPlan } from "../../ops/platform/plan";
import type { PathedPlatformPlan } from "../../ops/shared/findings";
import { sectionPlanOf, StackSection } from "./section";

/** Koverse's layered Hadoop/Accumulo platform (config key `platform`). */
export const platformSection: StackSection<"platform", PathedPlatformPlan<PlatformStackPlan, PlatformConfig>> = {
    key: "platform",

    /**
     * The plan of ops/platform/plan.ts, before any resource: problems of the config alone (wrong for this
     * environment or stack, whatever is deployed) are thrown as a ConfigError naming their path; problems of
     * the change against the deployed snapshot are returned as refusals.
     */
    plan(previous, next, cfg) {
        const planned = platformPlan(next, readDeployedPlatform(previous), {
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
                            "required by platform (services are started and stopped over SSH): run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`",
                    },
                ],
                NAMESPACE,
            );
        }
        const { layout, report } = planned.plan;
        // plan() threw the plan's problems, and only a plan without problems carries a layout.
        if (layout === undefined) throw new Error("platform: the plan has no layout (its problems were not thrown)");
        const platform = new LayeredPlatform(
            ctx.name("platform"),
            {
                layout,
                securityGroupId: ctx.network.groupIds.platform,
                instanceProfileName: ctx.roles.platform.instanceProfileName,
                sshPrivateKey: ctx.secrets.sshPrivateKey,
                backupBucket: config.backup?.bucket ?? ctx.backupBucket.name,
            },
            ctx.providers.opts("platform"),
        );
        return {
            deployed: planned.snapshot,
            outputs: { hostIps: platform.hostIps, serviceCommands: platform.serviceCommands },
            // The baseline moves once every service start and backup-timer install of this update completed.
            gates: platform.commandStdout,
            plan: report,
        };
    },
};
