import * as pulumi from "@pulumi/pulumi";
import { OriginCluster } from "../../components/origin/OriginCluster";
import { originPlan, readDeployedOrigin, type DeployedOrigin, type OriginStackPlan } from "../../ops/origin/plan";
import { messages, type PlatformPlan } from "../../ops/shared/platform-plan";
import { StackSection } from "./section";

/**
 * The Kraken origin cluster (config key `origin`). Its plan (ops/origin/plan.ts: refusals, the update plan,
 * machines, rollout scripts, snapshot) is built once, before any resource; define() wires it.
 */
export const originSection: StackSection<"origin", PlatformPlan<OriginStackPlan, DeployedOrigin>> = {
    key: "origin",

    plan(previous, next, cfg) {
        // The deployed snapshot is read fail closed: an unreadable one is a refusal, never "nothing deployed"
        // (which would skip the one-change-per-update guardrail).
        const planned = originPlan(next, readDeployedOrigin(previous), { imageId: cfg.hosts.imageId, subnets: cfg.network.subnets });
        return { refusals: messages(planned.refusals), plan: planned };
    },

    define(ctx, config, planned) {
        if (!ctx.secrets.sshPrivateKey) {
            throw new pulumi.RunError(
                "sshPrivateKey: required by the origin cluster (the hashstate is rolled out over SSH): run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`",
            );
        }
        const cluster = new OriginCluster(
            ctx.name("origin"),
            {
                cluster: config,
                plan: planned.plan,
                securityGroupId: ctx.network.groupIds.origin,
                instanceProfileName: ctx.roles.origin.instanceProfileName,
                sshPrivateKey: ctx.secrets.sshPrivateKey,
            },
            ctx.providers.opts("origin"),
        );
        return {
            deployed: planned.snapshot,
            outputs: { hostIps: cluster.hostIps },
            // The baseline moves once every rollout and repair of this update completed.
            gates: cluster.commandStdout,
            plan: planned.plan.report,
        };
    },
};
