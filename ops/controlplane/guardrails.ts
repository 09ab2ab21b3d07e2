/**
 * Checks that refuse a control-plane update before it touches a machine (RFD 67). Hosts are compared
 * after their image and subnet defaults are resolved (ops/shared/hosts.ts), so a change of a
 * default counts as the replacement it causes.
 *
 * - prod must be "blessed" (binder, manatee and moray on 3 hosts in 3 zones); staging may not be;
 * - recovery checks the essentials that survive the headnode, so at least one must run elsewhere;
 * - at most one host carrying essentials (the headnode included) is replaced or removed per update:
 *   losing two of three instances loses the quorum recovery relies on;
 * - the backup timer lives in the headnode's user data, so editing controlPlane.backup replaces the
 *   headnode (and runs recovery); that must be asked for explicitly, by bumping its generation.
 */
import { REPLACING_FIELDS, type Environment } from "../shared/hosts";
import { blessedCheck } from "./blessed";
import { ESSENTIALS, ESSENTIAL_SPECS, type ControlPlaneConfig, type ControlPlaneHost } from "./config";

export type ControlPlaneRule = "blessed" | "recovery-checks" | "essential-disruption" | "backup-change";

export interface ControlPlaneViolation {
    readonly rule: ControlPlaneRule;
    readonly message: string;
}

/** Why host `name` of `previous` does not carry over into `next` (removed or replaced), or undefined. */
export function hostDisruption(previous: ControlPlaneConfig, next: ControlPlaneConfig, name: string): string | undefined {
    const all = (c: ControlPlaneConfig) => new Map<string, ControlPlaneHost>([c.headnode, ...c.computeNodes].map((h) => [h.name, h]));
    const before = all(previous).get(name);
    if (before === undefined) return undefined;
    const now = all(next).get(name);
    if (now === undefined) return "removed";
    if (before.name === previous.headnode.name && now.name !== next.headnode.name) return "no longer the headnode";
    const changes = REPLACING_FIELDS.filter((f) => before[f] !== now[f]).map((f) => `${f} ${String(before[f] ?? "(none)")} -> ${String(now[f] ?? "(none)")}`);
    return changes.length > 0 ? `replaced (${changes.join(", ")})` : undefined;
}

/** The headnode of `next` is a new machine: renamed, or one of its replacing fields changed. */
export function headnodeReplaced(previous: ControlPlaneConfig, next: ControlPlaneConfig): string | undefined {
    if (previous.headnode.name !== next.headnode.name) return `renamed ${previous.headnode.name} -> ${next.headnode.name}`;
    return hostDisruption(previous, next, previous.headnode.name);
}

function backupSettings(c: ControlPlaneConfig): string {
    const b = c.backup;
    return JSON.stringify([
        b.bucket ?? "(stack backup bucket)",
        b.prefix,
        b.periodMinutes,
        b.imageStoreDir,
        b.database.name,
        b.database.port,
        b.database.user,
        b.maxClockSkewSeconds,
    ]);
}

export function checkControlPlaneUpdate(previous: ControlPlaneConfig | undefined, next: ControlPlaneConfig, environment: Environment): ControlPlaneViolation[] {
    const out: ControlPlaneViolation[] = [];
    const blessed = blessedCheck(next, environment);
    if (!blessed.accepted) out.push({ rule: "blessed", message: blessed.message });
    const surviving = ESSENTIALS.flatMap((e) => next.essentials[e].hosts.filter((h) => h !== next.headnode.name));
    if (surviving.length === 0) {
        out.push({
            rule: "recovery-checks",
            message: `every essential (${ESSENTIALS.map((e) => ESSENTIAL_SPECS[e].title).join(", ")}) runs only on the headnode ${next.headnode.name}; recovery could not check any surviving instance. Place at least one on a compute node`,
        });
    }
    if (previous === undefined) return out;

    const essentialHosts = [...new Set(ESSENTIALS.flatMap((e) => previous.essentials[e].hosts))];
    const disrupted = essentialHosts.map((host) => ({ host, why: hostDisruption(previous, next, host) })).filter((d) => d.why !== undefined);
    if (disrupted.length > 1) {
        out.push({
            rule: "essential-disruption",
            message: `this update would replace or remove ${disrupted.length} hosts that carry essentials at once (${disrupted.map((d) => `${d.host}: ${d.why}`).join("; ")}); with two of three instances gone binder and manatee lose their quorum and headnode recovery cannot trust the cluster. Change one of them per update`,
        });
    }
    const replaced = headnodeReplaced(previous, next);
    if (backupSettings(previous) !== backupSettings(next) && replaced === undefined) {
        out.push({
            rule: "backup-change",
            message: `controlPlane.backup changed: the backup timer is part of the headnode's user data, so this replaces the headnode ${next.headnode.name} and runs recovery on the new one (from the backups under the new settings). Bump controlPlane.headnode.generation in the same update to confirm, or revert the backup settings`,
        });
    }
    return out;
}
