/**
 * What one platform update does, as the operator reads it before `pulumi up`: the start order in
 * waves (bottom-up, independent services of a wave start together), the hosts it replaces, adds
 * or removes, and which services it starts, restarts on a new machine, or stops.
 */
import type { Environment } from "../shared/hosts";
import { pathProblem, type ConfigFinding, type PathedPlatformPlan } from "../shared/findings";
import { changeRefusal, type Finding } from "../shared/platform-plan";
import { platformSnapshotSchema } from "../state/schemas";
import { readSnapshot, type SnapshotRead } from "../state/snapshot";
import type { PlatformConfig } from "./config";
import { checkPlatformUpdate, hostChanges } from "./guardrails";
import { resolveHosts, type ResolvedHost, type StackSubnet } from "../shared/hosts";
import { layerGraph, startupOrder } from "./layers";
import { platformBackupScripts, platformRestoreScript, serviceCommands } from "./scripts";
import { backupTimerInstallScript } from "./timers";

export interface PlatformUpdatePlan {
    /** Waves of service ids, bottom layer first: what `pulumi up` starts together on a first deployment. */
    readonly startOrder: string[][];
    readonly hosts: { readonly added: string[]; readonly replaced: string[]; readonly removed: string[] };
    readonly services: {
        /** New service instances: started after their dependencies. */
        readonly start: string[];
        /** On a replaced host: started on the new machine; the old machine's copy is stopped at the end of the update, then the old machine is deleted. */
        readonly restartOnNewHost: string[];
        /** The start script changed (e.g. a unit override): it runs again; the unit it started before is not stopped. */
        readonly startAgain: string[];
        /** Removed from the config: stopped at the end of the update, top layer first. */
        readonly stop: string[];
    };
}

export function platformUpdatePlan(previous: PlatformConfig | undefined, next: PlatformConfig): PlatformUpdatePlan {
    const startOrder = startupOrder(layerGraph(next));
    const nextCommands = serviceCommands(next);
    if (previous === undefined) {
        return {
            startOrder,
            hosts: { added: next.hosts.map((h) => h.name), replaced: [], removed: [] },
            services: { start: nextCommands.map((c) => c.id), restartOnNewHost: [], startAgain: [], stop: [] },
        };
    }
    const changes = hostChanges(previous, next);
    const before = new Map(serviceCommands(previous).map((c) => [c.id, c]));
    const after = new Set(nextCommands.map((c) => c.id));
    const replacedHosts = [...changes].filter(([, c]) => c.kind === "replaced").map(([h, c]) => `${h}: ${c.kind === "replaced" ? c.changes.join(", ") : ""}`);
    const start: string[] = [];
    const restartOnNewHost: string[] = [];
    const startAgain: string[] = [];
    for (const c of nextCommands) {
        const old = before.get(c.id);
        if (old === undefined) start.push(c.id);
        else if (changes.get(c.host)?.kind === "replaced") restartOnNewHost.push(c.id);
        else if (old.create !== c.create) startAgain.push(c.id);
    }
    const stop = [...before.keys()].filter((id) => !after.has(id));
    return {
        startOrder,
        hosts: {
            added: next.hosts.filter((h) => !previous.hosts.some((p) => p.name === h.name)).map((h) => h.name),
            replaced: replacedHosts,
            removed: [...changes].filter(([, c]) => c.kind === "removed").map(([h]) => h),
        },
        services: { start, restartOnNewHost, startAgain, stop },
    };
}

/**
 * Service instances and backups placed on a host that is not among `hostNames` (the hosts the
 * component creates), as config problems. The schema refuses unknown hosts already; the plan runs this
 * on the resolved config before any resource, and the component asserts it again before it registers
 * anything, so a command never looks up a host that does not exist.
 */
export function placementProblems(platform: PlatformConfig, hostNames: Iterable<string>): ConfigFinding[] {
    const declared = new Set(hostNames);
    const placed = [
        ...serviceCommands(platform).map((c) => ({ host: c.host, what: c.id })),
        ...(platform.backup !== undefined ? platformBackupScripts(platform, "bucket-name-pending").map((b) => ({ host: b.host, what: b.id })) : []),
    ];
    return placed
        .filter((p) => !declared.has(p.host))
        .map((p) =>
            pathProblem(
                "platform/placement",
                "platform.services",
                `${p.what} is placed on "${p.host}", which is not one of platform.hosts (${[...declared].join(", ")})`,
            ),
        );
}

/**
 * The backup timers' install scripts are rendered inside apply() (they need the backup bucket's name,
 * unknown at preview): rendered here first with a stand-in bucket, so that whatever they would refuse
 * is a config problem before any resource.
 */
function timerProblems(config: PlatformConfig): ConfigFinding[] {
    const backup = config.backup;
    if (backup === undefined) return [];
    try {
        for (const script of platformBackupScripts(config, backup.bucket ?? "stand-in-backup-bucket")) backupTimerInstallScript(script, backup.periodMinutes);
        platformRestoreScript(config, backup.bucket ?? "stand-in-backup-bucket");
        return [];
    } catch (e) {
        return [pathProblem("platform/backup-timer", "platform.backup", `a backup timer cannot be built: ${(e as Error).message}`)];
    }
}

/** The one reader of deployed.platform (ops/state/schemas.ts), fail closed: an unreadable one is a refusal. */
export function readDeployedPlatform(previous: unknown): SnapshotRead<PlatformConfig> {
    return readSnapshot<PlatformConfig>("platform", platformSnapshotSchema, previous);
}

export interface PlatformContext {
    readonly environment: Environment;
    /** hosts.imageId and network.subnets: each host's image and subnet default. */
    readonly imageId: string;
    readonly subnets: readonly StackSubnet[];
}

/** What the LayeredPlatform component and the stack's plan output receive. */
export interface PlatformStackPlan {
    /** The config with each host's image and subnet resolved: what is deployed, compared and recorded. */
    readonly config: PlatformConfig;
    readonly hosts: readonly ResolvedHost[];
    /** The section's plan output: start order, host and service changes, backups, restore. */
    readonly report: PlatformUpdatePlan & { readonly backups: string; readonly restore?: string };
}

/**
 * The platform section's plan. Config problems (kind config-problem, with their path): a host's subnet or zone
 * (platform/host-subnet), platform/zookeeper-ensemble, platform/prod-backup, platform/placement,
 * platform/backup-timer. Change refusals: platform/deployed-snapshot, platform/zookeeper-disruption,
 * platform/last-instance, platform/worker-disruption (ops/platform/guardrails.ts).
 */
export function platformPlan(
    next: PlatformConfig,
    deployed: SnapshotRead<PlatformConfig>,
    context: PlatformContext,
): PathedPlatformPlan<PlatformStackPlan, PlatformConfig> {
    const r = resolveHosts(next.hosts, { imageId: context.imageId, subnets: context.subnets }, (i) => `platform.hosts[${i}]`);
    const config: PlatformConfig = { ...next, hosts: r.hosts };
    const previous = deployed.kind === "ok" ? deployed.value : undefined;
    const violations = r.problems.length === 0 ? checkPlatformUpdate(previous, config, context.environment) : [];
    const problems: ConfigFinding[] = [
        ...r.problems.map((p) => pathProblem("platform/host-subnet", p.path, p.message)),
        ...violations.filter((v) => v.rule === "zookeeper-ensemble").map((v) => pathProblem(`platform/${v.rule}`, "platform.services.zookeeper", v.message)),
        ...(context.environment === "prod" && next.backup === undefined
            ? [
                  pathProblem(
                      "platform/prod-backup",
                      "platform.backup",
                      "prod needs the run book's backups (pg_dump, Accumulo export of kv_*, config, addons); add `backup: {}` to back up to the stack's backup bucket",
                  ),
              ]
            : []),
    ];
    if (r.problems.length === 0)
        problems.push(
            ...placementProblems(
                config,
                config.hosts.map((h) => h.name),
            ),
            ...timerProblems(config),
        );
    const refusals: Finding[] = [
        ...(deployed.kind === "refused" ? [changeRefusal("platform/deployed-snapshot", deployed.message)] : []),
        ...violations.filter((v) => v.rule !== "zookeeper-ensemble").map((v) => changeRefusal(`platform/${v.rule}`, `platform (${v.rule}): ${v.message}`)),
    ];
    const backup = config.backup;
    const report = {
        ...platformUpdatePlan(previous, config),
        backups: backup
            ? `every ${backup.periodMinutes} minutes to s3://${backup.bucket ?? "<stack backup bucket>"}/${backup.prefix}/ (systemd timers)`
            : "none",
        ...(backup?.restore !== undefined
            ? {
                  restore: `metadata database ${backup.metadataDatabase} on ${config.services.postgres} from ${backup.restore.acceptBackupStamp === undefined ? `the newest complete unit younger than ${backup.maxAgeMinutes} minutes` : `exactly unit ${backup.restore.acceptBackupStamp}`}, when the restore command is created (only into an absent database)`,
              }
            : {}),
    };
    return { problems, refusals, plan: { config, hosts: r.hosts, report }, snapshot: config };
}
