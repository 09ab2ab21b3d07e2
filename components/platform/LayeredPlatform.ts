import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../ops/config/errors";
import { placementProblems } from "../../ops/platform/plan";
import { configProblems } from "../../ops/shared/findings";
import type { PlatformConfig } from "../../ops/platform/config";
import { replacementIdentity } from "../../ops/shared/hosts";
import type { ResolvedHost } from "../../ops/shared/hosts";
import { layerGraph, startupOrder } from "../../ops/platform/layers";
import { RESTORE_UPDATE_SCRIPT, platformBackupScripts, platformRestoreScript, serviceCommands } from "../../ops/platform/scripts";
import { backupNeeds, backupTimerInstallScript, backupTimerRemoveScript, backupUnitName } from "../../ops/platform/timers";
import { Host } from "../compute/Host";

/** Root volume of every platform host (HDFS and Accumulo data volumes are not managed yet). */
export const PLATFORM_ROOT_VOLUME_GIB = 100;

/** SSH dial attempts of 15 s each: a new host gets about 10 minutes to boot before its command fails. */
export const SSH_DIAL_ATTEMPTS = 40;

export interface LayeredPlatformArgs {
    /**
     * The validated `platform` config. Plain values rather than Inputs: the layer graph and the
     * scripts are decided from them while the program runs (ops/platform), as pulumi-eks does with
     * its cluster config.
     */
    readonly platform: PlatformConfig;
    /** `platform.hosts` with image and subnet resolved (ops/shared/hosts.ts), in config order. */
    readonly hosts: readonly ResolvedHost[];
    /** The platform tier's security group. */
    readonly securityGroupId: pulumi.Input<string>;
    /** The platform tier's instance profile (it may write and read the backup bucket). */
    readonly instanceProfileName: pulumi.Input<string>;
    /** Key `pulumi up` uses to reach the hosts (a Pulumi secret; only ever passed in `connection`). */
    readonly sshPrivateKey: pulumi.Input<string>;
    /** Where backups go unless `platform.backup.bucket` names another bucket. */
    readonly backupBucket: pulumi.Input<string>;
}

/**
 * Koverse's layered platform (run book "Total System Startup/Shutdown"): one Host per platform host
 * and one remote command per service instance, whose create starts the service's systemd unit and
 * whose delete stops it.
 *
 * Ordering is the layer graph (ops/platform/layers.ts), registered as dependsOn between the commands:
 * every service depends on every service of the layer below plus Ambari's finer edges (tablet
 * servers after the Accumulo master, NodeManagers after the ResourceManager, the web app after the
 * Koverse server). `pulumi up` therefore starts bottom-up, wave by wave, with the independent services
 * of a wave in parallel; `pulumi destroy` deletes dependents first, so it stops top-down, every
 * service of a layer before any of the layer below (the run book's shutdown order).
 *
 * Replacement: a host's replacing fields (instanceType, image, generation, availabilityZone, subnet,
 * the same list the guardrails use) are written into its user data, so changing one replaces the
 * instance; they are also the triggers of the commands on that host (with the instance id), so its
 * services are started on the new machine, and at the end of the update the engine stops them on
 * the old one (the old commands depend on the old instance, so their deletes, the stop scripts, run
 * before it is deleted). Nothing else mentions the host, so no other resource changes.
 *
 * Backups (run book "Backup and Recovery"): each backup script runs from a systemd timer on its
 * host, installed by one remote command (create and update install, delete removes). Not user data:
 * a change of user data replaces the machine, and an edit of the backup settings must never replace
 * the PostgreSQL or NameNode host. A backup command depends on the services it reads, so it is
 * installed after they started and removed before they stop.
 *
 * Restore (platform.backup.restore): one remote command on the PostgreSQL host runs the metadata
 * restore (ops/platform/scripts.ts metadataRestoreScript) when it is created: the key added or the
 * host replaced; its update does nothing. It runs after PostgreSQL started and before the Koverse
 * server starts, and gets platform.backup.restore.acceptBackupStamp as ACCEPT_BACKUP_STAMP in its
 * environment (the script also carries the configured stamp, since sshd passes only what AcceptEnv lists).
 */
export class LayeredPlatform extends pulumi.ComponentResource {
    /** Private IP per platform host name. */
    public readonly hostIps: Record<string, pulumi.Output<string>>;
    /** Name of the remote command of each service instance (`datanode@worker-1` -> resource name). */
    public readonly serviceCommands: Record<string, string>;
    /**
     * The stdout of every service and backup-timer command: each resolves only once its command
     * completed in this update (or at once when it did not need to run), so the stack's `deployed`
     * baseline can wait for them.
     */
    public readonly commandStdout: pulumi.Output<string>[];

    constructor(name: string, args: LayeredPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const unplaced = placementProblems(
            args.platform,
            args.hosts.map((h) => h.name),
        );
        if (unplaced.length > 0) throw new ConfigError(configProblems(unplaced), "dataplat");
        super("dataplat:platform:LayeredPlatform", name, {}, opts);
        const config = args.platform;

        const hosts = new Map<string, { host: Host; identity: string }>();
        for (const spec of args.hosts) {
            const identity = replacementIdentity(spec);
            const host = new Host(
                `${name}-${spec.name}`,
                {
                    imageId: spec.image,
                    instanceType: spec.instanceType,
                    subnetId: spec.subnet,
                    securityGroupIds: [args.securityGroupId],
                    instanceProfileName: args.instanceProfileName,
                    rootVolumeGiB: PLATFORM_ROOT_VOLUME_GIB,
                    associatePublicIp: false,
                    generation: spec.generation,
                    userData: `# dataplat platform host ${spec.name}: ${identity}\n`,
                    tier: "platform",
                },
                { parent: this },
            );
            hosts.set(spec.name, { host, identity });
        }
        const on = (hostName: string) => {
            // Every placement names one of these hosts: checked before super() above.
            const h = hosts.get(hostName)!;
            return {
                connection: {
                    host: h.host.privateIp,
                    user: config.ssh.user,
                    port: config.ssh.port,
                    privateKey: args.sshPrivateKey,
                    dialErrorLimit: SSH_DIAL_ATTEMPTS,
                },
                // A new machine under the same name gets its commands run again.
                triggers: [h.identity, h.host.instanceId],
            };
        };

        const graph = layerGraph(config);
        const scripts = new Map(serviceCommands(config).map((c) => [c.id, c]));
        const commands = new Map<string, command.remote.Command>();
        // platform.backup.restore: the metadata restore runs on the PostgreSQL host after PostgreSQL
        // started and before the Koverse server starts (which would otherwise create an empty database).
        const placedRestore = platformRestoreScript(config, "bucket-name-pending");
        let restore: command.remote.Command | undefined;
        this.serviceCommands = {};
        // Waves are a topological order: every dependency is registered before its dependents.
        for (const id of startupOrder(graph).flat()) {
            const c = scripts.get(id)!;
            const resourceName = `${name}-${c.host}-${c.service}`;
            const needs = (graph.dependsOn.get(id) ?? []).map((d) => commands.get(d)!);
            if (c.service === "koverse-server" && restore !== undefined) needs.push(restore);
            commands.set(
                id,
                new command.remote.Command(resourceName, { ...on(c.host), create: c.create, delete: c.delete }, { parent: this, dependsOn: needs }),
            );
            this.serviceCommands[id] = resourceName;
            if (placedRestore !== undefined && c.service === "postgresql" && c.host === placedRestore.host) {
                const script = pulumi.output(args.backupBucket).apply((b) => platformRestoreScript(config, b)!.script);
                restore = new command.remote.Command(
                    `${name}-${placedRestore.host}-metadata-restore`,
                    { ...on(placedRestore.host), create: script, update: RESTORE_UPDATE_SCRIPT, environment: placedRestore.environment },
                    { parent: this, dependsOn: [commands.get(id)!] },
                );
            }
        }

        const backup = config.backup;
        const timers: command.remote.Command[] = [];
        if (backup !== undefined) {
            const bucket = pulumi.output(args.backupBucket);
            // Which backups run where does not depend on the bucket's name; only their text does.
            for (const placed of platformBackupScripts(config, "bucket-name-pending")) {
                const installed = bucket.apply((b) => {
                    const script = platformBackupScripts(config, b).find((s) => s.id === placed.id)!;
                    return backupTimerInstallScript(script, backup.periodMinutes);
                });
                const timer = new command.remote.Command(
                    `${name}-${placed.host}-${backupUnitName(placed).replace(/^dataplat-/, "")}`,
                    { ...on(placed.host), create: installed, update: installed, delete: backupTimerRemoveScript(placed) },
                    { parent: this, dependsOn: backupNeeds(graph.instances, placed).map((d) => commands.get(d)!) },
                );
                timers.push(timer);
            }
        }

        this.hostIps = Object.fromEntries([...hosts].map(([h, { host }]) => [h, host.privateIp]));
        this.commandStdout = [...commands.values(), ...timers, ...(restore === undefined ? [] : [restore])].map((c) => c.stdout);
        this.registerOutputs({ hostIps: this.hostIps, serviceCommands: this.serviceCommands });
    }
}
