/**
 * The control plane section (RFD 67, the `sdcadm status` it asks for): is the setup blessed (every HA essential on
 * three hosts in three zones, ops/controlplane/blessed.ts), and the headnode backups' age (ops/status/backups.ts).
 * The headnode backs up every periodMinutes (the recovery point objective); it has no maxAgeMinutes of its own,
 * so a backup older than two periods is a fault: one run may fail, two in a row mean the backups stopped.
 */
import { fault, type Finding, ok, warn } from "./findings";
import { blessedCheck } from "../controlplane/blessed";
import type { ControlPlaneConfig } from "../controlplane/config";
import type { Environment } from "../shared/hosts";

/** Periods after which the newest headnode backup counts as stale. */
export const HEADNODE_BACKUP_PERIODS = 2;

export function headnodeBackupMaxAgeMinutes(config: ControlPlaneConfig): number {
    return HEADNODE_BACKUP_PERIODS * config.backup.periodMinutes;
}

export function checkBlessed(config: ControlPlaneConfig, environment: Environment): Finding[] {
    const r = blessedCheck(config, environment);
    if (r.blessed) return [ok("controlplane", "blessed", "essentials", r.message)];
    const fix = "place binder, manatee and moray each on 3 hosts in 3 availability zones (essentials.*.hosts) and run `pulumi up`";
    // The problems, not r.message: that one speaks for the update ("refusing..."), and status refuses nothing.
    const seen = `not blessed: ${r.problems.join("; ")}`;
    return [
        environment === "prod"
            ? fault("controlplane", "blessed", "essentials", seen, fix)
            : warn("controlplane", "blessed", "essentials", seen, `${fix} (${environment} may run unblessed; losing the headnode or one zone may lose quorum)`),
    ];
}
