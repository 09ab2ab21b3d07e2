import { ControlPlane } from "../../components/platform/ControlPlane";
import { ConfigError, type ConfigProblem } from "../../ops/config/errors";
import { NAMESPACE, type StackConfig } from "../../ops/config/schema";
import { blessedCheck } from "../../ops/controlplane/blessed";
import { essentialHostProblems, withBackupBucket, type ControlPlaneConfig, type ControlPlaneHost } from "../../ops/controlplane/config";
import { BACKUP_READY_MARKER, backupUserData, essentialChecks, headnodeDatabase, recoveryScript } from "../../ops/controlplane/scripts";
import { checkControlPlaneUpdate, headnodeReplaced, hostDisruption } from "../../ops/controlplane/guardrails";
import { resolveHosts, type ResolvedHost } from "../../ops/platform/hosts";
import { controlPlaneSnapshotSchema } from "../../ops/state/schemas";
import { readSnapshot, snapshotValue, type SnapshotRead } from "../../ops/state/snapshot";
import { StackSection } from "./section";

interface Resolved {
    readonly config: ControlPlaneConfig;
    readonly headnode: ResolvedHost<ControlPlaneHost>;
    readonly computeNodes: ResolvedHost<ControlPlaneHost>[];
    readonly problems: ConfigProblem[];
}

/** Image and subnet of every host resolved against the stack defaults (recorded, and compared). */
function resolved(config: ControlPlaneConfig, cfg: StackConfig): Resolved {
    const defaults = { imageId: cfg.hosts.imageId, subnets: cfg.network.subnets };
    const head = resolveHosts([config.headnode], defaults, () => "controlPlane.headnode");
    const nodes = resolveHosts(config.computeNodes, defaults, (i) => `controlPlane.computeNodes[${i}]`);
    const headnode = head.hosts[0]!;
    return {
        config: { ...config, headnode, computeNodes: nodes.hosts },
        headnode,
        computeNodes: nodes.hosts,
        problems: [...head.problems, ...nodes.problems],
    };
}

/** The deployed snapshot (ops/state/schemas.ts), read fail closed: an unreadable one is a refusal. */
function deployedControlPlane(previous: unknown): SnapshotRead<ControlPlaneConfig> {
    return readSnapshot<ControlPlaneConfig>("controlPlane", controlPlaneSnapshotSchema, previous);
}

/**
 * The headnode's user data and recovery script are rendered inside apply() (they need the backup
 * bucket's name and the compute nodes' addresses, unknown at preview): rendered here first with
 * stand-ins, so that whatever they would refuse is a config problem before any resource.
 */
function scriptProblems(config: ControlPlaneConfig): ConfigProblem[] {
    try {
        const c = withBackupBucket(config, config.backup.bucket ?? "stand-in-backup-bucket");
        backupUserData(c);
        recoveryScript(c, essentialChecks(c, () => "192.0.2.1"), headnodeDatabase(c), BACKUP_READY_MARKER);
        return [];
    } catch (e) {
        return [{ path: "controlPlane", message: `the headnode's backup or recovery script cannot be built: ${(e as Error).message}` }];
    }
}

/** Triton's headnode, compute nodes, headnode backup and recovery (config key `controlPlane`, RFD 67). */
export const controlPlaneSection: StackSection<"controlPlane"> = {
    key: "controlPlane",

    /**
     * Problems of the config alone (not blessed in prod, nothing recovery could check, a host without
     * a subnet) are thrown as a ConfigError naming their path, before any resource; problems of the
     * change against the deployed snapshot are returned as refusals.
     */
    refusals(previous, next, cfg) {
        const r = resolved(next, cfg);
        const prev = deployedControlPlane(previous);
        const violations = r.problems.length === 0 ? checkControlPlaneUpdate(prev.kind === "ok" ? prev.value : undefined, r.config, cfg.environment) : [];
        const configOnly = new Set(["blessed", "recovery-checks"]);
        const invalid: ConfigProblem[] = [
            ...r.problems,
            ...violations.filter((v) => configOnly.has(v.rule)).map((v) => ({ path: "controlPlane.essentials", message: v.message })),
        ];
        if (invalid.length === 0) invalid.push(...essentialHostProblems(r.config, r.computeNodes.map((n) => n.name)), ...scriptProblems(r.config));
        if (invalid.length > 0) throw new ConfigError(invalid, NAMESPACE);
        return [
            ...(prev.kind === "refused" ? [prev.message] : []),
            ...violations.filter((v) => !configOnly.has(v.rule)).map((v) => `controlPlane (${v.rule}): ${v.message}`),
        ];
    },

    define(ctx, config) {
        if (!ctx.secrets.sshPrivateKey) {
            throw new ConfigError(
                [{ path: "sshPrivateKey", message: "required by controlPlane (headnode recovery runs over SSH): run `pulumi config set --secret dataplat:sshPrivateKey < key.pem`" }],
                NAMESPACE,
            );
        }
        const next = resolved(config, ctx.cfg);
        const previous = snapshotValue(deployedControlPlane(ctx.previous?.controlPlane));
        const controlPlane = new ControlPlane(
            ctx.name("controlplane"),
            {
                controlPlane: next.config,
                headnode: next.headnode,
                computeNodes: next.computeNodes,
                recover: previous !== undefined,
                securityGroupId: ctx.network.groupIds.controlplane,
                instanceProfileName: ctx.roles.controlplane.instanceProfileName,
                sshPrivateKey: ctx.secrets.sshPrivateKey,
                backupBucket: config.backup.bucket ?? ctx.backupBucket.name,
            },
            ctx.providers.opts("controlplane"),
        );
        const replaced = previous ? headnodeReplaced(previous, next.config) : undefined;
        const names = (c: ControlPlaneConfig) => c.computeNodes.map((h) => h.name);
        const b = config.backup;
        return {
            deployed: next.config,
            outputs: { headnodeIp: controlPlane.headnodeIp, computeNodeIps: controlPlane.computeNodeIps },
            // The baseline moves once the headnode's recovery (or first backup setup) completed.
            gates: [controlPlane.recoveryStdout],
            plan: {
                blessed: blessedCheck(next.config, ctx.cfg.environment).message,
                backup: `every ${b.periodMinutes} minutes (the recovery point objective): database ${b.database.name} and image store ${b.imageStoreDir} to s3://${b.bucket ?? "<stack backup bucket>"}/${b.prefix}/`,
                headnode: previous === undefined
                    ? `first headnode ${next.headnode.name}: created, then its backups are enabled (nothing to recover)`
                    : replaced === undefined
                      ? `${next.headnode.name} unchanged`
                      : `${previous.headnode.name} ${replaced}: the new headnode is created, recovery runs on it (essentials healthy, ${config.recovery.acceptBackupStamp === undefined ? `the newest complete backup unit younger than ${b.periodMinutes} minutes by S3's LastModified` : `exactly backup unit ${config.recovery.acceptBackupStamp} (controlPlane.recovery.acceptBackupStamp)`}, restore into a scratch database, verify, swap), and only then is the old headnode deleted, at the end of the update; if recovery fails the old headnode stays untouched (re-run to retry recovery, or revert the config to keep the old headnode and delete the new one)`,
                computeNodes: previous === undefined
                    ? { added: names(next.config), replaced: [], removed: [] }
                    : {
                          added: names(next.config).filter((n) => !names(previous).includes(n)),
                          replaced: names(previous).flatMap((n) => {
                              const why = hostDisruption(previous, next.config, n);
                              return why !== undefined && why !== "removed" ? [`${n}: ${why}`] : [];
                          }),
                          removed: names(previous).filter((n) => hostDisruption(previous, next.config, n) === "removed"),
                      },
            },
        };
    },
};
