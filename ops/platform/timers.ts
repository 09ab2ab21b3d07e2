/**
 * Periodic backups of the layered platform as systemd timers, installed and removed by the
 * create/update and delete of one remote command per backup (see LayeredPlatform for why commands
 * and not user data: a user-data change replaces the machine, and the machine holding PostgreSQL
 * or the NameNode must not be replaced by an edit of the backup settings).
 *
 * For a backup `metadata-backup@meta-1` the install writes, on that host:
 *   /usr/local/sbin/dataplat-metadata-backup          the backup script (ops/platform/scripts.ts)
 *   /etc/systemd/system/dataplat-metadata-backup.service   oneshot, EnvironmentFile=-/etc/dataplat/<unit>.env
 *   /etc/systemd/system/dataplat-metadata-backup.timer     every periodMinutes (OnUnitActiveSec)
 * then enables and starts the timer and checks that systemd reports it enabled and active.
 * Secrets the scripts read (ACCUMULO_PASSWORD, PGPASSWORD) belong in the environment file, which
 * operators provision; nothing secret is written by these scripts.
 */
import { AS_ROOT, prelude } from "./bash";
import { heredoc, int, raw, sh } from "../shared/shell";
import type { HostScript } from "./scripts";
import { timerUnits } from "../shared/timers";

/** The systemd units (ops/shared/timers.ts), shared with the control plane's headnode backup. */
export { timerUnits, type TimerOptions, type TimerUnits } from "../shared/timers";

/** Where the install writes; the defaults are the real paths (tests point them at a scratch root). */
export interface TimerPaths {
    readonly sbinDir: string;
    readonly unitDir: string;
    readonly envDir: string;
}

export const DEFAULT_TIMER_PATHS: TimerPaths = { sbinDir: "/usr/local/sbin", unitDir: "/etc/systemd/system", envDir: "/etc/dataplat" };

/** `metadata-backup@meta-1` -> `dataplat-metadata-backup`. */
export function backupUnitName(script: Pick<HostScript, "id">): string {
    const kind = script.id.split("@")[0]!;
    if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new Error(`backupUnitName: unexpected backup id ${script.id}`);
    return `dataplat-${kind}`;
}

/** Writes `text` to `path` as root with `mode` (a quoted heredoc: nothing in the text expands). */
function writeFile(path: string, mode: string, text: string): string {
    if (!/^0[0-7]{3}$/.test(mode)) throw new Error(`backup timer: not a file mode: ${mode}`);
    return (
        sh`as_root install -d -m 0755 ${path.slice(0, path.lastIndexOf("/")) || "/"}
` +
        heredoc((op) => sh`as_root tee ${path} >/dev/null ${op} || die ${`cannot write ${path}`}`, text) +
        sh`as_root chmod ${raw(mode)} ${path}
`
    );
}

/** The files one backup installs, by path. */
export function backupTimerFiles(script: HostScript, periodMinutes: number, paths: TimerPaths = DEFAULT_TIMER_PATHS): Map<string, string> {
    const unit = backupUnitName(script);
    const units = timerUnits(
        unit,
        `dataplat ${script.id.split("@")[0]} (Koverse run book backup)`,
        `${paths.sbinDir}/${unit}`,
        periodMinutes,
        `${paths.envDir}/${unit}.env`,
    );
    return new Map([
        [`${paths.sbinDir}/${unit}`, script.script],
        [`${paths.unitDir}/${unit}.service`, units.service],
        [`${paths.unitDir}/${unit}.timer`, units.timer],
    ]);
}

/**
 * Install (or re-install: it is also the update) the backup script and its timer, enable and start
 * the timer, and exit 0 only when systemd reports the timer enabled and active.
 */
export function backupTimerInstallScript(script: HostScript, periodMinutes: number, paths: TimerPaths = DEFAULT_TIMER_PATHS): string {
    const unit = backupUnitName(script);
    const files = backupTimerFiles(script, periodMinutes, paths);
    const modes = [...files.keys()].map((path) => (path.startsWith(`${paths.sbinDir}/`) ? "0750" : "0644"));
    return (
        prelude(`install-${unit}`, [`Install ${script.id} as systemd timer ${unit}.timer, every ${periodMinutes} minutes.`]) +
        sh`readonly timer=${`${unit}.timer`}
${raw(AS_ROOT)}${raw([...files].map(([path, text], i) => writeFile(path, modes[i]!, text)).join(""))}as_root systemctl daemon-reload || die "systemctl daemon-reload failed"
as_root systemctl enable --now "$timer" || die "cannot enable $timer"
[[ "$(systemctl is-enabled "$timer" || true)" == enabled ]] || die "$timer is not enabled"
[[ "$(systemctl is-active "$timer" || true)" == active ]] || die "$timer is not active"
log "$timer installed: every ${int(periodMinutes)} minutes"
`
    );
}

/** Stop and remove the timer, its service and its script; nothing to do when not installed. */
export function backupTimerRemoveScript(script: Pick<HostScript, "id">, paths: TimerPaths = DEFAULT_TIMER_PATHS): string {
    const unit = backupUnitName(script);
    return (
        prelude(`remove-${unit}`, [`Stop and remove systemd timer ${unit}.timer and its backup script.`]) +
        sh`readonly unit=${unit}
${raw(AS_ROOT)}if [[ -e ${`${paths.unitDir}/${unit}.timer`} ]]; then
  as_root systemctl disable --now "$unit.timer" || die "cannot disable $unit.timer"
fi
as_root rm -f ${`${paths.unitDir}/${unit}.timer`} ${`${paths.unitDir}/${unit}.service`} ${`${paths.sbinDir}/${unit}`}
as_root systemctl daemon-reload || die "systemctl daemon-reload failed"
log "$unit.timer removed"
`
    );
}

/**
 * The service instances a backup needs running (its remote command depends on theirs): pg_dump on
 * PostgreSQL; the Accumulo export on the Accumulo master and tablet servers; the addons distcp on
 * the NameNodes and DataNodes; a configuration tarball on the Koverse components of its host.
 */
export function backupNeeds(instances: readonly { readonly id: string; readonly service: string; readonly host: string }[], script: HostScript): string[] {
    const kind = script.id.split("@")[0];
    const services: Record<string, readonly string[]> = {
        "metadata-backup": ["postgresql"],
        "accumulo-export": ["accumulo-master", "accumulo-tserver"],
        "addons-backup": ["namenode", "datanode"],
        "config-backup": ["koverse-server", "koverse-webapp"],
    };
    const wanted = services[kind ?? ""];
    if (wanted === undefined) throw new Error(`backupNeeds: unknown backup ${script.id}`);
    return instances
        .filter((i) => wanted.includes(i.service) && (kind !== "config-backup" && kind !== "metadata-backup" ? true : i.host === script.host))
        .map((i) => i.id)
        .sort();
}
