import { LayeredPlatform, placementProblems } from "../../components/platform/LayeredPlatform";
import { ConfigError, type ConfigProblem } from "../../ops/config/errors";
import { NAMESPACE, type StackConfig } from "../../ops/config/schema";
import { type PlatformConfig } from "../../ops/platform/config";
import { checkPlatformUpdate } from "../../ops/platform/guardrails";
import { resolveHosts, type ResolvedHost } from "../../ops/platform/hosts";
import { platformPlan } from "../../ops/platform/plan";
import { platformBackupScripts, platformRestoreScript } from "../../ops/platform/scripts";
import { backupTimerInstallScript } from "../../ops/platform/timers";
import { platformSnapshotSchema } from "../../ops/state/schemas";
import { readSnapshot, snapshotValue, type SnapshotRead } from "../../ops/state/snapshot";
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

/** The deployed snapshot (ops/state/schemas.ts), read fail closed: an unreadable one is a refusal. */
function deployedPlatform(previous: unknown): SnapshotRead<PlatformConfig> {
    return readSnapshot<PlatformConfig>("platform", platformSnapshotSchema, previous);
}

/**
 * The backup timers' install scripts are rendered inside apply() (they need the backup bucket's name,
 * unknown at preview): rendered here first with a stand-in bucket, so that whatever they would refuse
 * is a config problem before any resource.
 */
function timerProblems(config: PlatformConfig): ConfigProblem[] {
    const backup = config.backup;
    if (backup === undefined) return [];
    try {
        for (const script of platformBackupScripts(config, backup.bucket ?? "stand-in-backup-bucket")) backupTimerInstallScript(script, backup.periodMinutes);
        platformRestoreScript(config, backup.bucket ?? "stand-in-backup-bucket");
        return [];
    } catch (e) {
        return [{ path: "platform.backup", message: `a backup timer cannot be built: ${(e as Error).message}` }];
    }
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
        const violations = problems.length === 0 ? checkPlatformUpdate(prev.kind === "ok" ? prev.value : undefined, config, cfg.environment) : [];
        const invalid: ConfigProblem[] = [
            ...problems,
            ...violations.filter((v) => v.rule === "zookeeper-ensemble").map((v) => ({ path: "platform.services.zookeeper", message: v.message })),
            ...(cfg.environment === "prod" && next.backup === undefined
                ? [{ path: "platform.backup", message: "prod needs the run book's backups (pg_dump, Accumulo export of kv_*, config, addons); add `backup: {}` to back up to the stack's backup bucket" }]
                : []),
        ];
        if (problems.length === 0) invalid.push(...placementProblems(config, config.hosts.map((h) => h.name)), ...timerProblems(config));
        if (invalid.length > 0) throw new ConfigError(invalid, NAMESPACE);
        return [
            ...(prev.kind === "refused" ? [prev.message] : []),
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
        const previous = snapshotValue(deployedPlatform(ctx.previous?.platform));
        const plan = platformPlan(previous, next);
        return {
            deployed: next,
            outputs: { hostIps: platform.hostIps, serviceCommands: platform.serviceCommands },
            // The baseline moves once every service start and backup-timer install of this update completed.
            gates: platform.commandStdout,
            plan: {
                ...plan,
                backups: next.backup ? `every ${next.backup.periodMinutes} minutes to s3://${next.backup.bucket ?? "<stack backup bucket>"}/${next.backup.prefix}/ (systemd timers)` : "none",
                ...(next.backup?.restore !== undefined
                    ? {
                          restore: `metadata database ${next.backup.metadataDatabase} on ${next.services.postgres} from ${next.backup.restore.acceptBackupStamp === undefined ? `the newest complete unit younger than ${next.backup.maxAgeMinutes} minutes` : `exactly unit ${next.backup.restore.acceptBackupStamp}`}, when the restore command is created (only into an absent database)`,
                      }
                    : {}),
            },
        };
    },
};
