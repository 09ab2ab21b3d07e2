/**
 * The headnode's periodic backup and the recovery of a replaced headnode (RFD 67, "Recovery
 * process" and "imgapi": a periodic backup of the headnode database and of the local image files,
 * used to seed the new headnode; up to one period of data may be lost).
 *
 * A backup is one unit (ops/platform/backupunit.ts) under s3://<bucket>/<prefix>/units/<stamp>/:
 * database.dump (pg_dump), roles.sql (pg_dumpall --roles-only, without passwords), images.tar.gz
 * (the image store), then MANIFEST, written last. Recovery restores one whole unit or nothing.
 *
 * Environment read by the scripts: AWS credentials (instance profile or AWS_*), AWS_ENDPOINT_URL
 * (optional S3-compatible endpoint), PGPASSWORD (optional, every PostgreSQL connection),
 * ACCEPT_BACKUP_STAMP (recovery only: restore exactly that unit; set from
 * controlPlane.recovery.acceptBackupStamp by the recovery command's environment).
 */
import {
    AWS_FUNCTIONS,
    DUMP_FUNCTIONS,
    LOCK_FUNCTION,
    RESTORE_FUNCTIONS,
    TAR_FUNCTION,
    UNIT_READ_FUNCTIONS,
    UNIT_RULE_FUNCTIONS,
    UNIT_WRITE_FUNCTIONS,
    WORKDIR,
    postgresVariables,
    prelude,
    type PostgresTarget,
} from "../platform/bash";
import { heredoc, int, raw, sh } from "../shared/shell";
import { timerUnits, type TimerUnits } from "../platform/timers";
import { ESSENTIALS, ESSENTIAL_SPECS, backupBucket, type ControlPlaneConfig, type HealthProbe } from "./config";

export const BACKUP_UNIT = "dataplat-headnode-backup";
export const BACKUP_SCRIPT_PATH = "/usr/local/sbin/dataplat-headnode-backup";
export const BACKUP_ENV_FILE = "/etc/dataplat/headnode-backup.env";
/** The flock(1) every headnode backup run holds (one run at a time). */
export const BACKUP_LOCK_FILE = "/run/lock/dataplat-headnode-backup.lock";
/**
 * Present once the headnode holds the control plane's data: written by recovery after the restore
 * was verified, or by firstHeadnodeScript on a control plane's first headnode. Until it exists the
 * backup timer skips its runs, so a replacement headnode never uploads its empty database as the
 * latest backup before recovery has read the real one.
 */
export const BACKUP_READY_MARKER = "/var/lib/dataplat/headnode-backup-enabled";

/** The unit kind written in a headnode backup's manifest, and its parts. */
export const HEADNODE_UNIT_KIND = "headnode";
export const HEADNODE_PARTS = ["database.dump", "roles.sql", "images.tar.gz"] as const;
/** The config key an operator sets to restore one unit on purpose. */
export const ACCEPT_STAMP_KEY = "controlPlane.recovery.acceptBackupStamp";

/** Where the headnode's backup units live: s3://<bucket>/<unitRoot>/<stamp>/. */
export function unitRoot(config: ControlPlaneConfig): string {
    return `${config.backup.prefix}/units`;
}

/** The headnode PostgreSQL as seen from the headnode itself. */
export function headnodeDatabase(config: ControlPlaneConfig): PostgresTarget {
    const db = config.backup.database;
    return { host: "127.0.0.1", port: db.port, user: db.user, database: db.name };
}

export interface HeadnodeBackupOptions {
    /** A run before this file exists skips (exit 0) without touching the bucket. */
    readonly readyMarker?: string;
    /** The flock file; default BACKUP_LOCK_FILE. */
    readonly lockFile?: string;
}

/**
 * One backup unit of the headnode, under flock: pg_dump and the roles, uploaded first (a busy image
 * store never costs the dump), then the image store's tarball (retried while files change under
 * it), then the manifest. Fails, leaving the unit without a manifest, when an upload fails or the
 * host's clock disagrees with S3's by more than backup.maxClockSkewSeconds.
 */
export function headnodeBackupScript(
    config: ControlPlaneConfig,
    source: PostgresTarget = headnodeDatabase(config),
    options: HeadnodeBackupOptions = {},
): string {
    const { imageStoreDir, periodMinutes, maxClockSkewSeconds } = config.backup;
    const bucket = backupBucket(config);
    const { readyMarker } = options;
    return (
        prelude(BACKUP_UNIT, [
            `Headnode backup (RFD 67): one unit under s3://${bucket}/${unitRoot(config)}/<stamp>/ holding a pg_dump of ${source.database},`,
            `its roles (without passwords) and a tar of the image store ${imageStoreDir}; the MANIFEST is written last.`,
            `Runs every ${periodMinutes} minutes (the recovery point objective).`,
        ]) +
        (readyMarker === undefined
            ? ""
            : sh`if [[ ! -e ${readyMarker} ]]; then
  log "skipped: ${raw(plainPath(readyMarker))} does not exist yet (this headnode has not been recovered or initialised); nothing was uploaded"
  exit 0
fi
`) +
        sh`readonly bucket=${bucket} unit_root=${unitRoot(config)} image_store=${imageStoreDir} host_label=${config.headnode.name}
readonly max_skew_seconds=${int(maxClockSkewSeconds)} lock_file=${options.lockFile ?? BACKUP_LOCK_FILE} lock_wait_seconds=${int(periodMinutes * 60)}
${raw(AWS_FUNCTIONS)}${raw(postgresVariables(source))}${raw(WORKDIR)}${raw(LOCK_FUNCTION)}${raw(UNIT_RULE_FUNCTIONS)}${raw(UNIT_WRITE_FUNCTIONS)}${raw(TAR_FUNCTION)}${raw(DUMP_FUNCTIONS)}take_lock
[[ -d "$image_store" ]] || die "image store $image_store does not exist"
unit_begin "$unit_root" ${HEADNODE_UNIT_KIND} "$host_label"
dump_database "$work/database.dump"
dump_roles "$work/roles.sql"
upload_part "$work/database.dump" database.dump
upload_part "$work/roles.sql" roles.sql
log "tar of the image store $image_store"
tar_archive "$work/images.tar.gz" "$image_store" .
upload_part "$work/images.tar.gz" images.tar.gz
unit_commit
`
    );
}

/** A path written bare inside a double-quoted message: plain characters only, so nothing in it expands. */
function plainPath(path: string): string {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(path)) throw new RangeError(`not a plain absolute path: ${path}`);
    return path;
}

/** systemd service + timer running the backup every `periodMinutes` (OnUnitActiveSec). */
export function backupUnits(config: ControlPlaneConfig): TimerUnits {
    const period = config.backup.periodMinutes;
    return timerUnits(
        BACKUP_UNIT,
        `dataplat headnode backup to s3://${backupBucket(config)}/${config.backup.prefix}`,
        BACKUP_SCRIPT_PATH,
        period,
        BACKUP_ENV_FILE,
        {
            timerDescription: `dataplat headnode backup every ${period} minutes (recovery point objective)`,
            firstRunAfterMinutes: 1,
        },
    );
}

/**
 * cloud-init user data (bash) that installs the backup script and units and starts the timer. The
 * script skips its runs until BACKUP_READY_MARKER exists (see there).
 */
export function backupUserData(config: ControlPlaneConfig): string {
    const units = backupUnits(config);
    const file = (path: string, mode: "0750" | "0644", text: string): string =>
        sh`install -d -m 0755 "$(dirname ${path})"
` +
        heredoc((op) => sh`cat > ${path} ${op}`, text) +
        sh`chmod ${raw(mode)} ${path}
`;
    return sh`#!/usr/bin/env bash
# dataplat headnode user data: periodic backup (RFD 67). Generated; do not edit by hand.
set -euo pipefail
${raw(file(BACKUP_SCRIPT_PATH, "0750", headnodeBackupScript(config, headnodeDatabase(config), { readyMarker: BACKUP_READY_MARKER })))}${raw(file(`/etc/systemd/system/${BACKUP_UNIT}.service`, "0644", units.service))}${raw(file(`/etc/systemd/system/${BACKUP_UNIT}.timer`, "0644", units.timer))}systemctl daemon-reload
systemctl enable --now ${raw(BACKUP_UNIT)}.timer
`;
}

/** One bounded health probe of an essential instance. */
export interface EssentialCheck {
    /** `manatee@cn-1`. */
    readonly name: string;
    readonly probe: HealthProbe;
    readonly host: string;
    readonly port: number;
    /** PostgreSQL user for the `postgres` probe. */
    readonly user?: string;
}

/**
 * The essentials that recovery must find healthy: every instance that is not on the headnode
 * being replaced. `address` maps a host name to the address recovery can reach it at.
 */
export function essentialChecks(config: ControlPlaneConfig, address: (host: string) => string): EssentialCheck[] {
    const out: EssentialCheck[] = [];
    for (const name of ESSENTIALS) {
        const spec = ESSENTIAL_SPECS[name];
        for (const host of config.essentials[name].hosts) {
            if (host === config.headnode.name) continue;
            out.push({
                name: `${name}@${host}`,
                probe: spec.probe,
                host: address(host),
                port: config.essentials[name].port,
                ...(spec.probe === "postgres" ? { user: config.backup.database.user } : {}),
            });
        }
    }
    return out;
}

const PROBES = sh`# Health probes: each bounded by timeout(1); any answer but the expected one is a failure.
probe_postgres() {
  local name=$1 host=$2 port=$3 user=$4 out
  if ! timeout 15 pg_isready --host="$host" --port="$port" --timeout=10 >/dev/null 2>&1; then
    log "$name: UNHEALTHY: pg_isready $host:$port does not report accepting connections"; return 1
  fi
  out=$(PGCONNECT_TIMEOUT=10 timeout 15 psql -X --no-psqlrc --no-password --host="$host" --port="$port" --username="$user" --dbname=postgres --tuples-only --no-align --command='select 1' 2>&1) \
    || { log "$name: UNHEALTHY: select 1 on $host:$port failed: $out"; return 1; }
  [[ "$out" == 1 ]] || { log "$name: UNHEALTHY: select 1 on $host:$port answered '$out'"; return 1; }
  log "$name: healthy (PostgreSQL $host:$port answers select 1)"
}
probe_zookeeper() {
  local name=$1 host=$2 port=$3 reply
  # shellcheck disable=SC2016 # $0 and $1 expand in the inner bash
  reply=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf ruok >&3 && head -c 4 <&3' "$host" "$port" 2>/dev/null) || reply=""
  [[ "$reply" == imok ]] || { log "$name: UNHEALTHY: ZooKeeper $host:$port did not answer imok to ruok (got '$reply')"; return 1; }
  log "$name: healthy (ZooKeeper $host:$port answers imok)"
}
probe_tcp() {
  local name=$1 host=$2 port=$3
  # shellcheck disable=SC2016 # $0 and $1 expand in the inner bash
  timeout 10 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null \
    || { log "$name: UNHEALTHY: nothing accepts connections on $host:$port"; return 1; }
  log "$name: healthy ($host:$port accepts connections)"
}
`;

function probeCall(check: EssentialCheck): string {
    const args = [check.name, check.host, String(check.port)];
    if (check.probe === "postgres") {
        if (check.user === undefined) throw new Error(`${check.name}: a postgres probe needs a user`);
        args.push(check.user);
    }
    return sh`probe_${raw(check.probe)} ${args} || unhealthy=$(( unhealthy + 1 ))`;
}

/**
 * Recovery of a replaced headnode, run once by the command that replaces it:
 * 1. every essential instance off the headnode answers its health probe;
 * 2. the newest complete backup unit (manifest complete, every part matching it, not clock-skewed)
 *    is younger than the recovery point objective by S3's LastModified, or is the unit named by
 *    ACCEPT_BACKUP_STAMP; all its parts are downloaded and their sha256 checked;
 * 3. the target database is absent and the image store absent or empty;
 * 4. the image store is extracted into a staging directory and compared with the archive;
 * 5. the roles the dump names are created if missing, the dump is restored into a scratch
 *    database, verified (rows, owners, grants), and renamed into place;
 * 6. the staging directory is renamed into place; only then exit 0.
 * Nothing is written before steps 1-3 pass, and any failure removes what this run created (scratch
 * database, roles it created, staging directory): the headnode is left as it was. With
 * `readyMarker`, that file is written last: it enables the new headnode's own backups.
 * Role passwords are not in the backup: the script says so when it creates roles.
 */
export function recoveryScript(
    config: ControlPlaneConfig,
    checks: readonly EssentialCheck[],
    target: PostgresTarget = headnodeDatabase(config),
    readyMarker?: string,
): string {
    if (checks.length === 0) throw new Error("recoveryScript: no essential checks; recovery cannot tell whether the cluster is healthy");
    const { imageStoreDir, periodMinutes, maxClockSkewSeconds } = config.backup;
    const bucket = backupBucket(config);
    return (
        prelude("dataplat-headnode-recover", [
            "Headnode recovery (RFD 67): check the essentials, restore the newest complete backup unit if it is within the",
            `recovery point objective (${periodMinutes} minutes), verify, and only then succeed; a failure changes nothing.`,
        ]) +
        sh`readonly bucket=${bucket} unit_root=${unitRoot(config)} image_store=${imageStoreDir} max_age_minutes=${int(periodMinutes)}
readonly max_skew_seconds=${int(maxClockSkewSeconds)} accept_hint=${ACCEPT_STAMP_KEY} staging=${`${imageStoreDir}.dataplat-restoring`}
${raw(AWS_FUNCTIONS)}${raw(postgresVariables(target))}${raw(WORKDIR)}${raw(PROBES)}${raw(UNIT_RULE_FUNCTIONS)}${raw(UNIT_READ_FUNCTIONS)}${raw(RESTORE_FUNCTIONS)}staged="" moved="" marked="" store_existed=""
on_exit_extra() {
  if [[ -n "$staged" ]]; then rm -rf "$staging" && log "removed $staging"; fi
  if [[ -n "$moved" ]]; then
    rm -rf "$image_store" && log "removed the restored $image_store"
    if [[ -n "$store_existed" ]]; then mkdir -p "$image_store"; fi
  fi
${raw(
    readyMarker === undefined
        ? ""
        : sh`  if [[ -n "$marked" ]]; then rm -f ${readyMarker}; fi
`,
)}}
trap 'on_exit_extra; rm -rf "$work"' EXIT

log "step 1/6: essential services"
unhealthy=0
${raw(checks.map(probeCall).join("\n"))}
(( unhealthy == 0 )) || die "$unhealthy essential instance(s) unhealthy; refusing to recover the headnode against a cluster that cannot be trusted"

log "step 2/6: the backup unit"
configured_accept ${config.recovery.acceptBackupStamp ?? ""}
choose_unit "$unit_root" ${HEADNODE_UNIT_KIND} "$max_age_minutes" ${HEADNODE_PARTS}
check_archive "$work/unit/database.dump"
tar -tzf "$work/unit/images.tar.gz" >/dev/null || die "images.tar.gz of unit $CHOSEN_STAMP is not a readable tar.gz; refusing to restore"

log "step 3/6: targets"
require_absent_target
if [[ -d "$image_store" ]] && [[ -n "$(ls -A "$image_store")" ]]; then
  die "image store $image_store is not empty; refusing to overwrite it; nothing was changed"
fi
[[ ! -e "$staging" ]] || die "$staging exists (left by an interrupted recovery?); remove it; nothing was changed"

log "step 4/6: image store into $staging"
staged=1
mkdir -p "$staging" || die "cannot create $staging"
tar -C "$staging" -xzf "$work/unit/images.tar.gz" || die "extracting the image store failed"
tar -C "$staging" --compare -zf "$work/unit/images.tar.gz" >/dev/null || die "$staging differs from the archive after extraction"
log "verified: $staging matches the archive"

log "step 5/6: database $database from unit $CHOSEN_STAMP"
restore_unit "$work/unit/database.dump" "$work/unit/roles.sql"

log "step 6/6: image store $image_store"
store_existed=""
if [[ -d "$image_store" ]]; then store_existed=1; rmdir "$image_store" || die "cannot remove the empty $image_store"; fi
moved=1
mv -T "$staging" "$image_store" || die "cannot move $staging to $image_store"
staged=""
${raw(
    readyMarker === undefined
        ? ""
        : sh`marked=1
mkdir -p ${readyMarker.slice(0, readyMarker.lastIndexOf("/")) || "/"} || die ${`restored and verified, but cannot create the directory of ${readyMarker}`}
touch ${readyMarker} || die ${`restored and verified, but cannot write ${readyMarker}; backups stay disabled until it exists`}
log ${`backups enabled (${readyMarker})`}
`,
)}moved=""
marked=""
restore_commit
log "recovery complete: unit s3://$bucket/$unit_root/$CHOSEN_STAMP/ ($CHOSEN_AGE_MINUTES minutes old by S3's LastModified)"
`
    );
}

/**
 * The first headnode of a control plane holds no data to recover: enable its backups (write the
 * ready marker) and nothing else.
 */
export function firstHeadnodeScript(readyMarker: string = BACKUP_READY_MARKER): string {
    return (
        prelude("dataplat-headnode-first", ["First headnode of this control plane: there is no backup to recover from; enable the periodic backup."]) +
        sh`mkdir -p ${readyMarker.slice(0, readyMarker.lastIndexOf("/")) || "/"} || die ${`cannot create the directory of ${readyMarker}`}
touch ${readyMarker} || die ${`cannot write ${readyMarker}`}
log ${`backups enabled (${readyMarker})`}
`
    );
}

/**
 * The update of the recovery command: recovery and the first-headnode script run only when the
 * command is created or replaced (a new headnode); an edit of anything else they mention (compute
 * node addresses, essentials) must not run them again on a headnode that holds data.
 */
export const RECOVERY_UPDATE_SCRIPT =
    prelude("dataplat-headnode-recovery-update", ["Recovery runs only on a new headnode; nothing to do for an edit of its inputs."]) +
    `log "recovery runs only when the headnode is replaced; nothing to do"
`;
