import { LayeredPlatform } from "../../components/platform/LayeredPlatform";
import { ConfigError, type ConfigProblem } from "../../ops/config/errors";
import { NAMESPACE, type StackConfig } from "../../ops/config/schema";
import { platformConfigSchema, type PlatformConfig } from "../../ops/platform/config";
import { checkPlatformUpdate } from "../../ops/platform/guardrails";
import { resolveHosts, type ResolvedHost } from "../../ops/platform/hosts";
import { platformPlan } from "../../ops/platform/plan";
import { StackSection } from "./section";

/**
 * The platform config with each host's image and subnet resolved against the stack defaults: what is
 * recorded as deployed and what the guardrails compare, so that a change of hosts.imageId counts as
 * the replacement of every host using it.
 */
function resolved(config: PlatformConfig, cfg: StackConfig): { config: PlatformConfig; hosts: ResolvedHost[]; problems: ConfigProblem[] } {
    const r = resolveHosts(config.hosts, { imageId: cfg.hosts.imageId, subnets: cfg.network.subnets }, (i) => `platform.hosts[${i}]`);
    return { config: { ...config, hosts: r.hosts }, hosts: r.hosts, problems: r.problems };
}

/** The deployed snapshot, or a refusal when there is one that cannot be read (guardrails fail closed). */
function deployedPlatform(previous: unknown): { config?: PlatformConfig; problem?: string } {
    if (previous === undefined || previous === null) return {};
    const parsed = platformConfigSchema.safeParse(previous);
    if (parsed.success) return { config: parsed.data };
    return { problem: `platform: the deployed platform snapshot (stack output deployed.platform) cannot be read (${parsed.error.issues[0]?.message ?? "invalid"}); refusing to change the platform without its guardrails` };
}

/** Koverse's layered Hadoop/Accumulo platform (config key `platform`). */
export const platformSection: StackSection<"platform"> = {
    key: "platform",

    /**
     * Problems of the config alone (wrong for this environment or stack, whatever is deployed) are
     * thrown as a ConfigError naming their path, before any resource; problems of the change against
     * the deployed snapshot are returned as refusals.
     */
    refusals(previous, next, cfg) {
        const { config, problems } = resolved(next, cfg);
        const prev = deployedPlatform(previous);
        const violations = problems.length === 0 ? checkPlatformUpdate(prev.config, config, cfg.environment) : [];
        const invalid: ConfigProblem[] = [
            ...problems,
            ...violations.filter((v) => v.rule === "zookeeper-ensemble").map((v) => ({ path: "platform.services.zookeeper", message: v.message })),
            ...(cfg.environment === "prod" && next.backup === undefined
                ? [{ path: "platform.backup", message: "prod needs the run book's backups (pg_dump, Accumulo export of kv_*, config, addons); add `backup: {}` to back up to the stack's backup bucket" }]
                : []),
        ];
        if (invalid.length > 0) throw new ConfigError(invalid, NAMESPACE);
        return [
            ...(prev.problem ? [prev.problem] : []),
            ...violations.filter((v) => v.rule !== "zookeeper-ensemble").map((v) => `platform (${v.rule}): ${v.message}`),
        ];
    },

    define(ctx, config) {
        if (!ctx.secrets.sshPrivateKey) {
            throw new ConfigError(
                [{ path: "sshPrivateKey", message: "required by platform (services are started and stopped over SSH): run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`" }],
                NAMESPACE,
            );
        }
        const { config: next, hosts } = resolved(config, ctx.cfg);
        const platform = new LayeredPlatform(
            ctx.name("platform"),
            {
                platform: next,
                hosts,
                securityGroupId: ctx.network.groupIds.platform,
                instanceProfileName: ctx.roles.platform.instanceProfileName,
                sshPrivateKey: ctx.secrets.sshPrivateKey,
                backupBucket: config.backup?.bucket ?? ctx.backupBucket.name,
            },
            ctx.providers.opts("platform"),
        );
        const previous = deployedPlatform(ctx.previous?.platform).config;
        const plan = platformPlan(previous, next);
        return {
            deployed: next,
            outputs: { hostIps: platform.hostIps, serviceCommands: platform.serviceCommands },
            plan: {
                ...plan,
                backups: next.backup ? `every ${next.backup.periodMinutes} minutes to s3://${next.backup.bucket ?? "<stack backup bucket>"}/${next.backup.prefix}/ (systemd timers)` : "none",
            },
        };
    },
};
