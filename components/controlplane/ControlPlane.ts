import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../ops/config/errors";
import { essentialHostProblems, withBackupBucket, type ControlPlaneConfig, type ControlPlaneHost } from "../../ops/controlplane/config";
import {
    BACKUP_READY_MARKER,
    RECOVERY_UPDATE_SCRIPT,
    backupUserData,
    essentialChecks,
    firstHeadnodeScript,
    headnodeDatabase,
    recoveryScript,
} from "../../ops/controlplane/scripts";
import { headnodeResourceName } from "../../ops/controlplane/naming";
import { replacementIdentity, type ResolvedHost } from "../../ops/shared/hosts";
import { Host } from "../compute/Host";
import { SSH_DIAL_ATTEMPTS } from "../platform/LayeredPlatform";

/** Root volume of the headnode and the compute nodes. */
export const CONTROL_PLANE_ROOT_VOLUME_GIB = 200;

export interface ControlPlaneArgs {
    /** The validated `controlPlane` config (backup.bucket may be unset: `backupBucket` is used then). */
    readonly controlPlane: ControlPlaneConfig;
    /** The headnode and the compute nodes with image and subnet resolved (ops/shared/hosts.ts). */
    readonly headnode: ResolvedHost<ControlPlaneHost>;
    readonly computeNodes: readonly ResolvedHost<ControlPlaneHost>[];
    /**
     * The control plane existed before this update (its `deployed` snapshot was read back): a new
     * headnode must then recover the control plane's data. False only on the first deployment, whose
     * headnode just enables its backups.
     */
    readonly recover: boolean;
    readonly securityGroupId: pulumi.Input<string>;
    /** The controlplane tier's instance profile (it may write and read the backup bucket). */
    readonly instanceProfileName: pulumi.Input<string>;
    /** Key `pulumi up` uses to reach the headnode (a Pulumi secret; only ever passed in `connection`). */
    readonly sshPrivateKey: pulumi.Input<string>;
    /** Where backups go unless `controlPlane.backup.bucket` names another bucket. */
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
        // Every essential off the headnode is probed at a compute node's address. The section refuses
        // any other placement before the first resource (ops/controlplane essentialHostProblems); this
        // assert runs before the component registers anything, never inside an apply.
        const strays = essentialHostProblems(
            args.controlPlane,
            args.computeNodes.map((n) => n.name),
        );
        if (strays.length > 0) throw new ConfigError(strays, "dataplat");
        // The type token keeps the `platform` module it had when the component lived in components/platform/:
        // it is part of the URN of the component and of every child (deployed stacks carry those URNs), so
        // renaming it would replace the headnode and the compute nodes. The synth record
        // (tests/architecture) proves the move changed no URN.
        super("dataplat:platform:ControlPlane", name, {}, opts);
        const bucket = pulumi.output(args.backupBucket);
        const config = bucket.apply((b) => withBackupBucket(args.controlPlane, b));
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
        const identity = (spec: ResolvedHost<ControlPlaneHost>) => `# dataplat control plane host ${spec.name}: ${replacementIdentity(spec)}\n`;

        // The headnode's identity is in its name: a new headnode is a new resource (see above).
        const headnodeName = `${name}-${headnodeResourceName(args.headnode)}`;
        // The headnode is replaced only as a new resource (its name): a user-data change alone (say, a
        // newer backup script) must never replace it under the same name, which would leave the old
        // headnode pending deletion if recovery failed. It takes effect with the next generation.
        const headnode = host(
            headnodeName,
            args.headnode,
            config.apply((c) => identity(args.headnode) + backupUserData(c)),
            "keep",
        );
        const computeNodes = new Map(args.computeNodes.map((spec) => [spec.name, host(`${name}-${spec.name}`, spec, identity(spec))]));
        const computeIps = pulumi.all(Object.fromEntries([...computeNodes].map(([n, h]) => [n, h.privateIp])));

        const create = args.recover
            ? pulumi.all([config, computeIps]).apply(([c, ips]) =>
                  recoveryScript(
                      c,
                      // Checked above, before registering: every essential host off the headnode is a compute node.
                      essentialChecks(c, (h) => ips[h]!),
                      // Recovery runs on the new headnode itself: its PostgreSQL is local.
                      headnodeDatabase(c),
                      BACKUP_READY_MARKER,
                  ),
              )
            : pulumi.output(firstHeadnodeScript(BACKUP_READY_MARKER));
        const recovery = new command.remote.Command(
            `${headnodeName}-recovery`,
            {
                connection: {
                    host: headnode.privateIp,
                    user: args.controlPlane.ssh.user,
                    port: args.controlPlane.ssh.port,
                    privateKey: args.sshPrivateKey,
                    dialErrorLimit: SSH_DIAL_ATTEMPTS,
                },
                create,
                update: RECOVERY_UPDATE_SCRIPT,
                // controlPlane.recovery.acceptBackupStamp: restore exactly that unit (validated at preview).
                ...(args.controlPlane.recovery.acceptBackupStamp === undefined
                    ? {}
                    : { environment: { ACCEPT_BACKUP_STAMP: args.controlPlane.recovery.acceptBackupStamp } }),
                triggers: [`${args.headnode.name} ${replacementIdentity(args.headnode)}`, headnode.instanceId],
            },
            { parent: this, dependsOn: [headnode, ...computeNodes.values()] },
        );

        this.headnodeIp = headnode.privateIp;
        this.recoveryStdout = recovery.stdout;
        this.computeNodeIps = Object.fromEntries([...computeNodes].map(([n, h]) => [n, h.privateIp]));
        this.registerOutputs({ headnodeIp: this.headnodeIp, computeNodeIps: this.computeNodeIps });
    }
}
