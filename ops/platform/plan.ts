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
import { replacementIdentity, resolveHosts, type ResolvedHost, type StackSubnet } from "../shared/hosts";
import { layerGraph, startupOrder } from "./layers";
import { RESTORE_UPDATE_SCRIPT, platformBackupScripts, platformRestoreScript, serviceCommands } from "./scripts";
import { backupNeeds, backupTimerInstallScript, backupTimerRemoveScript, backupUnitName } from "./timers";

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
 * on the resolved config before any resource (a problem stops the program there), so a command of the
 * layout never names a host that does not exist.
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

/** One platform host as the component declares it. */
export interface PlatformHostLayout {
    /** Child name under the component (`<component>-<childName>`): the host's name, a stable key. */
    readonly childName: string;
    readonly host: ResolvedHost;
    /** The host's replacing fields, written into its user data so that changing one replaces the instance. */
    readonly userData: string;
    /** Trigger of every command on the host (with its instance id): a new machine gets them run again. */
    readonly trigger: string;
}

/** One remote command on a platform host, with the ids of the commands it runs after. */
export interface PlatformCommandLayout {
    /** `datanode@worker-3`, `metadata-restore@meta-1`, `metadata-backup@meta-1`: the key the edges use. */
    readonly id: string;
    /** The host it runs on (one of the layout's hosts, checked by placementProblems). */
    readonly host: string;
    /** Child name under the component (`<component>-<childName>`), from the host and the service or unit. */
    readonly childName: string;
    /** Ids of the commands (services or the restore) it depends on: registered before it, deleted after it. */
    readonly dependsOn: readonly string[];
}

export interface PlatformServiceLayout extends PlatformCommandLayout {
    /** Start and stop scripts of the service's systemd unit. */
    readonly create: string;
    readonly delete: string;
}

/**
 * The restore and backup-timer scripts name the backup bucket, known only at deploy time when it is the
 * stack's own bucket (an Output): they are pure functions of its name, called by the component in apply().
 */
export interface PlatformRestoreLayout extends PlatformCommandLayout {
    readonly create: (bucket: string) => string;
    readonly update: string;
    readonly environment: Record<string, string>;
}

export interface PlatformTimerLayout extends PlatformCommandLayout {
    /** Installs (create and update) the backup's script and systemd timer. */
    readonly install: (bucket: string) => string;
    /** Removes them (delete). */
    readonly remove: string;
}

/** Everything the LayeredPlatform component declares, decided here from the resolved config. */
export interface PlatformLayout {
    readonly ssh: PlatformConfig["ssh"];
    readonly hosts: readonly PlatformHostLayout[];
    /**
     * Service commands in start order (waves flattened: every dependency comes before its dependents), with
     * the restore right after the PostgreSQL command it follows and before the Koverse server that needs it.
     */
    readonly commands: readonly (({ readonly kind: "service" } & PlatformServiceLayout) | ({ readonly kind: "restore" } & PlatformRestoreLayout))[];
    /** Backup timers, after every service they read. */
    readonly timers: readonly PlatformTimerLayout[];
}

/**
 * The layout of the LayeredPlatform: the layer graph's order and edges (ops/platform/layers.ts), each
 * service's scripts, the restore (platform.backup.restore: after PostgreSQL started, before the Koverse
 * server starts, which would otherwise create an empty database) and the backup timers (after the
 * services they read, ops/platform/timers.ts backupNeeds).
 */
export function platformLayout(config: PlatformConfig, resolved: readonly ResolvedHost[]): PlatformLayout {
    const hosts = resolved.map((host) => {
        const identity = replacementIdentity(host);
        return { childName: host.name, host, userData: `# dataplat platform host ${host.name}: ${identity}\n`, trigger: identity };
    });
    const graph = layerGraph(config);
    const scripts = new Map(serviceCommands(config).map((c) => [c.id, c]));
    // Which restore runs where does not depend on the bucket's name; only its text does.
    const placedRestore = platformRestoreScript(config, "bucket-name-pending");
    let restoreId: string | undefined;
    const commands: PlatformLayout["commands"][number][] = [];
    for (const id of startupOrder(graph).flat()) {
        const c = scripts.get(id)!;
        const dependsOn = [...(graph.dependsOn.get(id) ?? [])];
        if (c.service === "koverse-server" && restoreId !== undefined) dependsOn.push(restoreId);
        commands.push({ kind: "service", id, host: c.host, childName: `${c.host}-${c.service}`, dependsOn, create: c.create, delete: c.delete });
        if (placedRestore !== undefined && c.service === "postgresql" && c.host === placedRestore.host) {
            restoreId = placedRestore.id;
            commands.push({
                kind: "restore",
                id: placedRestore.id,
                host: placedRestore.host,
                childName: `${placedRestore.host}-metadata-restore`,
                dependsOn: [id],
                create: (bucket) => platformRestoreScript(config, bucket)!.script,
                update: RESTORE_UPDATE_SCRIPT,
                environment: placedRestore.environment,
            });
        }
    }
    const backup = config.backup;
    const timers: PlatformTimerLayout[] =
        backup === undefined
            ? []
            : platformBackupScripts(config, "bucket-name-pending").map((placed) => ({
                  id: placed.id,
                  host: placed.host,
                  childName: `${placed.host}-${backupUnitName(placed).replace(/^dataplat-/, "")}`,
                  dependsOn: backupNeeds(graph.instances, placed),
                  install: (bucket) =>
                      backupTimerInstallScript(
                          platformBackupScripts(config, bucket).find((s) => s.id === placed.id)!,
                          backup.periodMinutes,
                      ),
                  remove: backupTimerRemoveScript(placed),
              }));
    return { ssh: config.ssh, hosts, commands, timers };
}

/** What the LayeredPlatform component and the stack's plan output receive. */
export interface PlatformStackPlan {
    /** The config with each host's image and subnet resolved: what is deployed, compared and recorded. */
    readonly config: PlatformConfig;
    readonly hosts: readonly ResolvedHost[];
    /**
     * What the component declares (absent when the plan has problems: the section throws them before any
     * resource, and a layout of an unplaced config would name hosts that do not exist).
     */
    readonly layout?: PlatformLayout;
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
    return {
        problems,
        refusals,
        plan: { config, hosts: r.hosts, report, ...(problems.length === 0 ? { layout: platformLayout(config, r.hosts) } : {}) },
        snapshot: config,
    };
}
