import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformLayout } from "../../ops/platform/plan";
import { Host } from "../compute/Host";

/** Root volume of every platform host (HDFS and Accumulo data volumes are not managed yet). */
export const PLATFORM_ROOT_VOLUME_GIB = 100;

/** SSH dial attempts of 15 s each: a new host gets about 10 minutes to boot before its command fails. */
export const SSH_DIAL_ATTEMPTS = 40;

export interface LayeredPlatformArgs {
    /**
     * What to declare, decided by the plan (ops/platform/plan.ts platformLayout): the hosts with their user
     * data, the commands in start order with their scripts and dependency edges by id, the backup timers,
     * and every child's name. Plain values rather than Inputs: the plan decides them before any resource,
     * as pulumi-eks does with its cluster config.
     */
    readonly layout: PlatformLayout;
    /** The platform tier's security group. */
    readonly securityGroupId: pulumi.Input<string>;
    /** The platform tier's instance profile (it may write and read the backup bucket). */
    readonly instanceProfileName: pulumi.Input<string>;
    /** Key `pulumi up` uses to reach the hosts (a Pulumi secret; only ever passed in `connection`). */
    readonly sshPrivateKey: pulumi.Input<string>;
    /** Where backups go unless `platform.backup.bucket` names another bucket (the layout's scripts take its name). */
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
        super("dataplat:platform:LayeredPlatform", name, {}, opts);
        const layout = args.layout;

        const hosts = new Map<string, { host: Host; trigger: string }>();
        for (const h of layout.hosts) {
            const spec = h.host;
            const host = new Host(
                `${name}-${h.childName}`,
                {
                    imageId: spec.image,
                    instanceType: spec.instanceType,
                    subnetId: spec.subnet,
                    securityGroupIds: [args.securityGroupId],
                    instanceProfileName: args.instanceProfileName,
                    rootVolumeGiB: PLATFORM_ROOT_VOLUME_GIB,
                    associatePublicIp: false,
                    generation: spec.generation,
                    userData: h.userData,
                    tier: "platform",
                },
                { parent: this },
            );
            hosts.set(spec.name, { host, trigger: h.trigger });
        }
        const on = (hostName: string) => {
            // Every command of the layout names one of these hosts (the plan's placementProblems).
            const h = hosts.get(hostName)!;
            return {
                connection: {
                    host: h.host.privateIp,
                    user: layout.ssh.user,
                    port: layout.ssh.port,
                    privateKey: args.sshPrivateKey,
                    dialErrorLimit: SSH_DIAL_ATTEMPTS,
                },
                // A new machine under the same name gets its commands run again.
                triggers: [h.trigger, h.host.instanceId],
            };
        };
        const bucket = pulumi.output(args.backupBucket);

        // In start order: every dependency is registered before its dependents.
        const commands = new Map<string, command.remote.Command>();
        const needs = (ids: readonly string[]) => ids.map((d) => commands.get(d)!);
        this.serviceCommands = {};
        for (const c of layout.commands) {
            const resourceName = `${name}-${c.childName}`;
            if (c.kind === "service") {
                commands.set(
                    c.id,
                    new command.remote.Command(
                        resourceName,
                        { ...on(c.host), create: c.create, delete: c.delete },
                        { parent: this, dependsOn: needs(c.dependsOn) },
                    ),
                );
                this.serviceCommands[c.id] = resourceName;
            } else {
                commands.set(
                    c.id,
                    new command.remote.Command(
                        resourceName,
                        { ...on(c.host), create: bucket.apply(c.create), update: c.update, environment: c.environment },
                        { parent: this, dependsOn: needs(c.dependsOn) },
                    ),
                );
            }
        }

        const timers = layout.timers.map((t) => {
            const installed = bucket.apply(t.install);
            return new command.remote.Command(
                `${name}-${t.childName}`,
                { ...on(t.host), create: installed, update: installed, delete: t.remove },
                { parent: this, dependsOn: needs(t.dependsOn) },
            );
        });

        this.hostIps = Object.fromEntries([...hosts].map(([h, { host }]) => [h, host.privateIp]));
        const services = layout.commands.filter((c) => c.kind === "service").map((c) => commands.get(c.id)!);
        const restores = layout.commands.filter((c) => c.kind === "restore").map((c) => commands.get(c.id)!);
        this.commandStdout = [...services, ...timers, ...restores].map((c) => c.stdout);
        this.registerOutputs({ hostIps: this.hostIps, serviceCommands: this.serviceCommands });
    }
}
