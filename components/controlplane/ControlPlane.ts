import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneHost } from "../../ops/controlplane/config";
import type { ControlPlaneLayout } from "../../ops/controlplane/plan";
import type { ResolvedHost } from "../../ops/shared/hosts";
import { Host } from "../compute/Host";
import { SSH_DIAL_ATTEMPTS } from "../platform/LayeredPlatform";

/** Root volume of the headnode and the compute nodes. */
export const CONTROL_PLANE_ROOT_VOLUME_GIB = 200;

export interface ControlPlaneArgs {
    /**
     * What to declare, decided by the plan (ops/controlplane/plan.ts controlPlaneLayout): the headnode's name
     * (its replacement identity), every host's user data, the recovery command's scripts (recovery when the
     * control plane existed before this update, else only enabling backups) and its trigger. Plain values
     * rather than Inputs: the plan decides them before any resource.
     */
    readonly layout: ControlPlaneLayout;
    readonly securityGroupId: pulumi.Input<string>;
    /** The controlplane tier's instance profile (it may write and read the backup bucket). */
    readonly instanceProfileName: pulumi.Input<string>;
    /** Key `pulumi up` uses to reach the headnode (a Pulumi secret; only ever passed in `connection`). */
    readonly sshPrivateKey: pulumi.Input<string>;
    /** Where backups go unless `controlPlane.backup.bucket` names another bucket (the layout's scripts take its name). */
    readonly backupBucket: pulumi.Input<string>;
}

/**
 * Triton's control plane after RFD 67: a headnode and compute nodes carrying the HA essentials
 * (binder, manatee, moray), a periodic headnode backup, and recovery of a replaced headnode.
 *
 * Backup: the headnode's user data installs a systemd timer (ops/controlplane backupUserData) that
 * dumps its PostgreSQL and tars its image store to the backup bucket every backup.periodMinutes, the
 * recovery point objective. The timer skips its runs until the headnode holds the control plane's
 * data (the ready marker, written by the recovery command below), so a new, empty headnode never
 * uploads the "latest" backup before recovery has read the real one.
 *
 * Recovery is driven by config: changing the headnode's replacing fields (generation, instanceType,
 * image, zone, subnet) or its name creates a new headnode. The headnode Host (so its instance) and
 * its recovery command are named from that identity (ops/controlplane/naming.ts:
 * `<component>-<headnode>-g<generation>-<hash of the other replacing fields>`), so a new headnode is
 * a NEW resource, never a replacement of the old one under the same URN (no aliases: an alias would
 * turn it back into a replacement). Names depend on nothing else, so an update that touches no
 * replacing field keeps the headnode's URN and inputs. The order of a headnode change:
 *   1. the new headnode instance is created; the old one is no longer declared but keeps running;
 *   2. the new recovery command is created: it depends on the new headnode (its connection) and on
 *      every compute node, and runs on the new headnode: check every essential off the headnode
 *      answers, find the latest backup and refuse it if it is older than the RPO, restore and verify
 *      the database and the image store, and only then enable the new headnode's backups;
 *   3. the engine deletes resources that left the program only at the end of an update in which
 *      every create and update succeeded: the old recovery command (it has no delete script), then
 *      the old headnode, which it depends on.
 * If recovery fails, the update stops at step 2 and the old headnode stays in the state as a normal
 * resource, untouched (not pending deletion, as a same-URN replacement would leave it: the engine
 * deletes those at the start of the next `pulumi up`). Re-running `pulumi up` retries recovery on the
 * new headnode; reverting the config gives back the old names, so the old headnode and its command
 * are unchanged and the new headnode is deleted. Nothing here asks for deleteBeforeReplace.
 * An edit of anything else the recovery script mentions (compute node addresses, essentials) only
 * runs the command's no-op update: recovery never runs against a headnode that holds data.
 * On the first deployment the same command only enables the headnode's backups.
 * controlPlane.recovery.acceptBackupStamp reaches recovery as ACCEPT_BACKUP_STAMP in the command's
 * environment (and in the script itself, since sshd passes only the variables AcceptEnv lists).
 */
export class ControlPlane extends pulumi.ComponentResource {
    public readonly headnodeIp: pulumi.Output<string>;
    /** Private IP per compute node name. */
    public readonly computeNodeIps: Record<string, pulumi.Output<string>>;
    /**
     * The stdout of the headnode's recovery command: resolves only once recovery (or, on the first
     * deployment, enabling backups) completed in this update, so the stack's `deployed` baseline can
     * wait for it; a failed recovery leaves the previous baseline (the old headnode) in place.
     */
    public readonly recoveryStdout: pulumi.Output<string>;

    constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        // The type token keeps the `platform` module it had when the component lived in components/platform/:
        // it is part of the URN of the component and of every child (deployed stacks carry those URNs), so
        // renaming it would replace the headnode and the compute nodes. The synth record
        // (tests/architecture) proves the move changed no URN.
        super("dataplat:platform:ControlPlane", name, {}, opts);
        const layout = args.layout;
        const bucket = pulumi.output(args.backupBucket);
        const host = (resourceName: string, spec: ResolvedHost<ControlPlaneHost>, userData: pulumi.Input<string>, onUserDataChange?: "keep") =>
            new Host(
                resourceName,
                {
                    imageId: spec.image,
                    instanceType: spec.instanceType,
                    subnetId: spec.subnet,
                    securityGroupIds: [args.securityGroupId],
                    instanceProfileName: args.instanceProfileName,
                    rootVolumeGiB: CONTROL_PLANE_ROOT_VOLUME_GIB,
                    associatePublicIp: false,
                    generation: spec.generation,
                    userData,
                    tier: "controlplane",
                    ...(onUserDataChange ? { onUserDataChange } : {}),
                },
                { parent: this },
            );

        // The headnode's identity is in its name: a new headnode is a new resource (see above).
        const headnodeName = `${name}-${layout.headnode.childName}`;
        // The headnode is replaced only as a new resource (its name): a user-data change alone (say, a
        // newer backup script) must never replace it under the same name, which would leave the old
        // headnode pending deletion if recovery failed. It takes effect with the next generation.
        const headnode = host(headnodeName, layout.headnode.host, bucket.apply(layout.headnode.userData), "keep");
        const computeNodes = new Map(layout.computeNodes.map((n) => [n.host.name, host(`${name}-${n.childName}`, n.host, n.userData)]));
        const computeIps = pulumi.all(Object.fromEntries([...computeNodes].map(([n, h]) => [n, h.privateIp])));

        const recoveryCreate = layout.recovery.create;
        const create =
            typeof recoveryCreate === "string" ? pulumi.output(recoveryCreate) : pulumi.all([bucket, computeIps]).apply(([b, ips]) => recoveryCreate(b, ips));
        const recovery = new command.remote.Command(
            `${name}-${layout.recovery.childName}`,
            {
                connection: {
                    host: headnode.privateIp,
                    user: layout.ssh.user,
                    port: layout.ssh.port,
                    privateKey: args.sshPrivateKey,
                    dialErrorLimit: SSH_DIAL_ATTEMPTS,
                },
                create,
                update: layout.recovery.update,
                // controlPlane.recovery.acceptBackupStamp: restore exactly that unit (validated at preview).
                ...(layout.recovery.environment === undefined ? {} : { environment: layout.recovery.environment }),
                triggers: [layout.recovery.trigger, headnode.instanceId],
            },
            { parent: this, dependsOn: [headnode, ...computeNodes.values()] },
        );

        this.headnodeIp = headnode.privateIp;
        this.recoveryStdout = recovery.stdout;
        this.computeNodeIps = Object.fromEntries([...computeNodes].map(([n, h]) => [n, h.privateIp]));
        this.registerOutputs({ headnodeIp: this.headnodeIp, computeNodeIps: this.computeNodeIps });
    }
}
