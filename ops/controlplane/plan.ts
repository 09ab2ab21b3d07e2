/**
 * The control plane's plan for one `pulumi up` (config key `controlPlane`, RFD 67): hosts resolved against
 * the stack defaults, config problems and change refusals with their ids, whether a new headnode must recover,
 * the report the operator reads and the snapshot to record. Pure: the stack section only wires it.
 *
 * Config problems (kind config-problem, with their path): controlplane/host-subnet (a host's subnet or zone),
 * controlplane/blessed, controlplane/recovery-checks, controlplane/essential-host (an essential on a host that
 * is neither the headnode nor a compute node), controlplane/backup-script (the headnode's backup or recovery
 * script cannot be built). Change refusals: controlplane/deployed-snapshot, controlplane/essential-disruption,
 * controlplane/backup-change (ops/controlplane/guardrails.ts).
 */
import { pathProblem, type ConfigFinding, type PathedPlatformPlan } from "../shared/findings";
import { replacementIdentity, resolveHosts, type Environment, type ResolvedHost, type StackSubnet } from "../shared/hosts";
import { changeRefusal, type Finding } from "../shared/platform-plan";
import { controlPlaneSnapshotSchema } from "../state/schemas";
import { readSnapshot, type SnapshotRead } from "../state/snapshot";
import { blessedCheck } from "./blessed";
import { essentialHostProblems, withBackupBucket, type ControlPlaneConfig, type ControlPlaneHost } from "./config";
import { checkControlPlaneUpdate, headnodeReplaced, hostDisruption } from "./guardrails";
import { headnodeResourceName } from "./naming";
import { BACKUP_READY_MARKER, RECOVERY_UPDATE_SCRIPT, backupUserData, essentialChecks, firstHeadnodeScript, headnodeDatabase, recoveryScript } from "./scripts";

/** The one reader of deployed.controlPlane (ops/state/schemas.ts), fail closed: an unreadable one is a refusal. */
export function readDeployedControlPlane(previous: unknown): SnapshotRead<ControlPlaneConfig> {
    return readSnapshot<ControlPlaneConfig>("controlPlane", controlPlaneSnapshotSchema, previous);
}

export interface ControlPlaneContext {
    readonly environment: Environment;
    /** hosts.imageId and network.subnets: each host's image and subnet default. */
    readonly imageId: string;
    readonly subnets: readonly StackSubnet[];
}

export interface ControlPlaneReport {
    readonly blessed: string;
    readonly backup: string;
    readonly headnode: string;
    readonly computeNodes: { readonly added: string[]; readonly replaced: string[]; readonly removed: string[] };
}

/**
 * Everything the ControlPlane component declares, decided here. The backup bucket (the stack's own bucket
 * unless backup.bucket names one) and the compute nodes' addresses are Outputs, known only at deploy time:
 * the scripts that name them are pure functions of their values, called by the component in apply().
 */
export interface ControlPlaneLayout {
    readonly ssh: ControlPlaneConfig["ssh"];
    readonly headnode: {
        /**
         * Child name under the component (`<component>-<childName>`): the headnode's name, generation and a hash
         * of its other replacing fields (ops/controlplane/naming.ts), so a new headnode is a new resource.
         */
        readonly childName: string;
        readonly host: ResolvedHost<ControlPlaneHost>;
        /** Its replacing fields, then the backup timer's install (backupUserData) to the bucket. */
        readonly userData: (bucket: string) => string;
    };
    readonly computeNodes: readonly {
        /** Child name under the component: the node's name, a stable key. */
        readonly childName: string;
        readonly host: ResolvedHost<ControlPlaneHost>;
        /** Its replacing fields, so that changing one replaces the instance. */
        readonly userData: string;
    }[];
    /** The remote command on the headnode that recovers the control plane's data (or, first, enables backups). */
    readonly recovery: {
        /** `<headnode childName>-recovery`. */
        readonly childName: string;
        /**
         * Recovery from the bucket, checking each essential at its compute node's address (by node name); or,
         * on the first deployment, a fixed script that only enables the headnode's backups (known at preview).
         */
        readonly create: string | ((bucket: string, computeIps: Readonly<Record<string, string>>) => string);
        readonly update: string;
        /** controlPlane.recovery.acceptBackupStamp as ACCEPT_BACKUP_STAMP, when set. */
        readonly environment?: Record<string, string>;
        /** With the headnode's instance id: a new machine under the same name runs recovery again. */
        readonly trigger: string;
    };
}

/**
 * The control plane's layout: names from the hosts' identities, user data with their replacing fields, the
 * headnode's backup user data and its recovery script (RFD 67; see components/controlplane/ControlPlane.ts).
 */
export function controlPlaneLayout(
    config: ControlPlaneConfig,
    headnode: ResolvedHost<ControlPlaneHost>,
    computeNodes: readonly ResolvedHost<ControlPlaneHost>[],
    recover: boolean,
): ControlPlaneLayout {
    const identity = (spec: ResolvedHost<ControlPlaneHost>) => `# dataplat control plane host ${spec.name}: ${replacementIdentity(spec)}\n`;
    const headnodeName = headnodeResourceName(headnode);
    const stamp = config.recovery.acceptBackupStamp;
    return {
        ssh: config.ssh,
        headnode: { childName: headnodeName, host: headnode, userData: (bucket) => identity(headnode) + backupUserData(withBackupBucket(config, bucket)) },
        computeNodes: computeNodes.map((spec) => ({ childName: spec.name, host: spec, userData: identity(spec) })),
        recovery: {
            childName: `${headnodeName}-recovery`,
            create: recover
                ? (bucket, computeIps) => {
                      const c = withBackupBucket(config, bucket);
                      return recoveryScript(
                          c,
                          // Every essential host off the headnode is a compute node (controlplane/essential-host).
                          essentialChecks(c, (h) => computeIps[h]!),
                          // Recovery runs on the new headnode itself: its PostgreSQL is local.
                          headnodeDatabase(c),
                          BACKUP_READY_MARKER,
                      );
                  }
                : firstHeadnodeScript(BACKUP_READY_MARKER),
            update: RECOVERY_UPDATE_SCRIPT,
            ...(stamp === undefined ? {} : { environment: { ACCEPT_BACKUP_STAMP: stamp } }),
            trigger: `${headnode.name} ${replacementIdentity(headnode)}`,
        },
    };
}

/** What the ControlPlane component and the stack's plan output receive. */
export interface ControlPlaneStackPlan {
    /** The config with every host's image and subnet resolved: what is deployed, compared and recorded. */
    readonly config: ControlPlaneConfig;
    readonly headnode: ResolvedHost<ControlPlaneHost>;
    readonly computeNodes: readonly ResolvedHost<ControlPlaneHost>[];
    /** The control plane existed before this update: a new headnode recovers its data (false on the first deployment). */
    readonly recover: boolean;
    readonly report: ControlPlaneReport;
    /**
     * What the component declares (absent when the plan has problems: the section throws them before any
     * resource, and the scripts of such a config may not build).
     */
    readonly layout?: ControlPlaneLayout;
}

/**
 * The headnode's user data and recovery script are rendered inside apply() (they need the backup
 * bucket's name and the compute nodes' addresses, unknown at preview): rendered here first with
 * stand-ins, so that whatever they would refuse is a config problem before any resource.
 */
function scriptProblems(config: ControlPlaneConfig): ConfigFinding[] {
    try {
        const c = withBackupBucket(config, config.backup.bucket ?? "stand-in-backup-bucket");
        backupUserData(c);
        recoveryScript(
            c,
            essentialChecks(c, () => "192.0.2.1"),
            headnodeDatabase(c),
            BACKUP_READY_MARKER,
        );
        return [];
    } catch (e) {
        return [pathProblem("controlplane/backup-script", "controlPlane", `the headnode's backup or recovery script cannot be built: ${(e as Error).message}`)];
    }
}

/** Rules of the guardrails that are about the config alone (reported as config problems). */
const CONFIG_ONLY = new Set(["blessed", "recovery-checks"]);

function report(previous: ControlPlaneConfig | undefined, next: ControlPlaneConfig, environment: Environment): ControlPlaneReport {
    const replaced = previous ? headnodeReplaced(previous, next) : undefined;
    const names = (c: ControlPlaneConfig) => c.computeNodes.map((h) => h.name);
    const b = next.backup;
    return {
        blessed: blessedCheck(next, environment).message,
        backup: `every ${b.periodMinutes} minutes (the recovery point objective): database ${b.database.name} and image store ${b.imageStoreDir} to s3://${b.bucket ?? "<stack backup bucket>"}/${b.prefix}/`,
        headnode:
            previous === undefined
                ? `first headnode ${next.headnode.name}: created, then its backups are enabled (nothing to recover)`
                : replaced === undefined
                  ? `${next.headnode.name} unchanged`
                  : `${previous.headnode.name} ${replaced}: the new headnode is created, recovery runs on it (essentials healthy, ${next.recovery.acceptBackupStamp === undefined ? `the newest complete backup unit younger than ${b.periodMinutes} minutes by S3's LastModified` : `exactly backup unit ${next.recovery.acceptBackupStamp} (controlPlane.recovery.acceptBackupStamp)`}, restore into a scratch database, verify, swap), and only then is the old headnode deleted, at the end of the update; if recovery fails the old headnode stays untouched (re-run to retry recovery, or revert the config to keep the old headnode and delete the new one)`,
        computeNodes:
            previous === undefined
                ? { added: names(next), replaced: [], removed: [] }
                : {
                      added: names(next).filter((n) => !names(previous).includes(n)),
                      replaced: names(previous).flatMap((n) => {
                          const why = hostDisruption(previous, next, n);
                          return why !== undefined && why !== "removed" ? [`${n}: ${why}`] : [];
                      }),
                      removed: names(previous).filter((n) => hostDisruption(previous, next, n) === "removed"),
                  },
    };
}

export function controlPlanePlan(
    next: ControlPlaneConfig,
    deployed: SnapshotRead<ControlPlaneConfig>,
    context: ControlPlaneContext,
): PathedPlatformPlan<ControlPlaneStackPlan, ControlPlaneConfig> {
    const defaults = { imageId: context.imageId, subnets: context.subnets };
    const head = resolveHosts([next.headnode], defaults, () => "controlPlane.headnode");
    const nodes = resolveHosts(next.computeNodes, defaults, (i) => `controlPlane.computeNodes[${i}]`);
    const headnode = head.hosts[0]!;
    const config: ControlPlaneConfig = { ...next, headnode, computeNodes: nodes.hosts };
    const resolution = [...head.problems, ...nodes.problems];
    const previous = deployed.kind === "ok" ? deployed.value : undefined;
    const violations = resolution.length === 0 ? checkControlPlaneUpdate(previous, config, context.environment) : [];
    const problems: ConfigFinding[] = [
        ...resolution.map((p) => pathProblem("controlplane/host-subnet", p.path, p.message)),
        ...violations.filter((v) => CONFIG_ONLY.has(v.rule)).map((v) => pathProblem(`controlplane/${v.rule}`, "controlPlane.essentials", v.message)),
    ];
    if (problems.length === 0) {
        problems.push(
            ...essentialHostProblems(
                config,
                nodes.hosts.map((n) => n.name),
            ).map((p) => pathProblem("controlplane/essential-host", p.path, p.message)),
            ...scriptProblems(config),
        );
    }
    const refusals: Finding[] = [
        ...(deployed.kind === "refused" ? [changeRefusal("controlplane/deployed-snapshot", deployed.message)] : []),
        ...violations.filter((v) => !CONFIG_ONLY.has(v.rule)).map((v) => changeRefusal(`controlplane/${v.rule}`, `controlPlane (${v.rule}): ${v.message}`)),
    ];
    return {
        problems,
        refusals,
        plan: {
            config,
            headnode,
            computeNodes: nodes.hosts,
            recover: previous !== undefined,
            report: report(previous, config, context.environment),
            ...(problems.length === 0 ? { layout: controlPlaneLayout(config, headnode, nodes.hosts, previous !== undefined) } : {}),
        },
        snapshot: config,
    };
}
