/**
 * The headnode's periodic backup and the recovery of a replaced headnode (RFD 67, "Recovery
 * process" and "imgapi": a periodic backup of the headnode database and of the local image files,
 * used to seed the new headnode; up to one period of data may be lost).
 *
 * Backups: s3://<bucket>/<prefix>/postgres/<database>/<UTC stamp>.dump and
 *          s3://<bucket>/<prefix>/images/<UTC stamp>.tar.gz.
 *
 * Environment read by the scripts: AWS credentials (instance profile or AWS_*), AWS_ENDPOINT_URL
 * (optional S3-compatible endpoint), PGPASSWORD (optional, every PostgreSQL connection),
 * ACCEPT_BACKUP_STAMP (recovery only: knowingly accept that one backup older than the objective).
 */
import {
  AWS_FUNCTIONS, DOWNLOAD_FUNCTION, DUMP_FUNCTION, LATEST_BACKUP_FUNCTION, RESTORE_FUNCTIONS, STAMP_FORMAT,
  UPLOAD_FUNCTION, WORKDIR, bash, postgresVariables, prelude, q, stampedNamePattern, type PostgresTarget,
} from "../platform/bash";
import { timerUnits, type TimerUnits } from "../platform/timers";
import { ESSENTIALS, ESSENTIAL_SPECS, backupBucket, type ControlPlaneConfig, type HealthProbe } from "./config";

export const BACKUP_UNIT = "dataplat-headnode-backup";
export const BACKUP_SCRIPT_PATH = "/usr/local/sbin/dataplat-headnode-backup";
export const BACKUP_ENV_FILE = "/etc/dataplat/headnode-backup.env";
/**
 * Present once the headnode holds the control plane's data: written by recovery after the restore
 * was verified, or by firstHeadnodeScript on a control plane's first headnode. Until it exists the
 * backup timer skips its runs, so a replacement headnode never uploads its empty database as the
 * latest backup before recovery has read the real one.
 */
export const BACKUP_READY_MARKER = "/var/lib/dataplat/headnode-backup-enabled";

export function databaseBackupDir(config: ControlPlaneConfig): string {
  return `${config.backup.prefix}/postgres/${config.backup.database.name}`;
}

export function imageBackupDir(config: ControlPlaneConfig): string {
  return `${config.backup.prefix}/images`;
}

/** The headnode PostgreSQL as seen from the headnode itself. */
export function headnodeDatabase(config: ControlPlaneConfig): PostgresTarget {
  const db = config.backup.database;
  return { host: "127.0.0.1", port: db.port, user: db.user, database: db.name };
}

/**
 * pg_dump of the headnode database and tar of the image store, each checked, then uploaded. With
 * `readyMarker`, a run before that file exists skips (exit 0) without touching the bucket.
 */
export function headnodeBackupScript(config: ControlPlaneConfig, source: PostgresTarget = headnodeDatabase(config), readyMarker?: string): string {
  const { imageStoreDir } = config.backup;
  const bucket = backupBucket(config);
  return prelude(BACKUP_UNIT, [
    `Headnode backup (RFD 67): pg_dump of ${source.database} to s3://${bucket}/${databaseBackupDir(config)}/<UTC stamp>.dump`,
    `and tar of the image store ${imageStoreDir} to s3://${bucket}/${imageBackupDir(config)}/<UTC stamp>.tar.gz.`,
    `Runs every ${config.backup.periodMinutes} minutes (the recovery point objective).`,
  ]) + (readyMarker === undefined ? "" : bash`if [[ ! -e ${q(readyMarker)} ]]; then
  log "skipped: ${readyMarker} does not exist yet (this headnode has not been recovered or initialised); nothing was uploaded"
  exit 0
fi
`) + bash`readonly bucket=${q(bucket)} db_dir=${q(databaseBackupDir(config))} image_dir=${q(imageBackupDir(config))} image_store=${q(imageStoreDir)}
${AWS_FUNCTIONS}${postgresVariables(source)}${WORKDIR}${UPLOAD_FUNCTION}${DUMP_FUNCTION}stamp=$(date -u +${STAMP_FORMAT})
[[ -d "$image_store" ]] || die "image store $image_store does not exist"
dump_database "$work/dump"
log "tar of the image store $image_store"
tar -C "$image_store" -czf "$work/images.tar.gz" . || die "tar of $image_store failed"
tar -tzf "$work/images.tar.gz" >/dev/null || die "the image store archive cannot be read back"
upload "$work/dump" "$db_dir/$stamp.dump"
upload "$work/images.tar.gz" "$image_dir/$stamp.tar.gz"
log "backup complete: stamp $stamp"
`;
}

/** systemd service + timer running the backup every `periodMinutes` (OnUnitActiveSec). */
export function backupUnits(config: ControlPlaneConfig): TimerUnits {
  const period = config.backup.periodMinutes;
  return timerUnits(BACKUP_UNIT, `dataplat headnode backup to s3://${backupBucket(config)}/${config.backup.prefix}`, BACKUP_SCRIPT_PATH, period, BACKUP_ENV_FILE, {
    timerDescription: `dataplat headnode backup every ${period} minutes (recovery point objective)`,
    firstRunAfterMinutes: 1,
  });
}

/**
 * cloud-init user data (bash) that installs the backup script and units and starts the timer. The
 * script skips its runs until BACKUP_READY_MARKER exists (see there).
 */
export function backupUserData(config: ControlPlaneConfig): string {
  const units = backupUnits(config);
  const file = (path: string, mode: string, text: string) => {
    if (/^DATAPLAT_EOF$/m.test(text) || !text.endsWith("\n")) throw new Error(`backupUserData: ${path} cannot be embedded in a heredoc`);
    return `install -d -m 0755 "$(dirname ${q(path)})"\ncat > ${q(path)} <<'DATAPLAT_EOF'\n${text}DATAPLAT_EOF\nchmod ${mode} ${q(path)}\n`;
  };
  return `#!/usr/bin/env bash
# dataplat headnode user data: periodic backup (RFD 67). Generated; do not edit by hand.
set -euo pipefail
${file(BACKUP_SCRIPT_PATH, "0750", headnodeBackupScript(config, headnodeDatabase(config), BACKUP_READY_MARKER))}${file(`/etc/systemd/system/${BACKUP_UNIT}.service`, "0644", units.service)}${file(`/etc/systemd/system/${BACKUP_UNIT}.timer`, "0644", units.timer)}systemctl daemon-reload
systemctl enable --now ${BACKUP_UNIT}.timer
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

const PROBES = bash`# Health probes: each bounded by timeout(1); any answer but the expected one is a failure.
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
  reply=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf ruok >&3 && head -c 4 <&3' "$host" "$port" 2>/dev/null) || reply=""
  [[ "$reply" == imok ]] || { log "$name: UNHEALTHY: ZooKeeper $host:$port did not answer imok to ruok (got '$reply')"; return 1; }
  log "$name: healthy (ZooKeeper $host:$port answers imok)"
}
probe_tcp() {
  local name=$1 host=$2 port=$3
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
  return `probe_${check.probe} ${args.map(q).join(" ")} || unhealthy=$(( unhealthy + 1 ))`;
}

/**
 * Recovery of a replaced headnode, run once by the command that replaces it:
 * 1. every essential instance off the headnode answers its health probe;
 * 2. the latest database and image-store backups exist and are within the recovery point objective;
 * 3. both archives are readable, the target database is missing or empty and the image store is empty;
 * 4. restore the database (one transaction) and verify it against the archive;
 * 5. restore the image store and verify it against the archive; only then exit 0.
 * Nothing is written before steps 1-3 pass. With `readyMarker`, that file is written last, after
 * both verifications: it enables the new headnode's own backups (see BACKUP_READY_MARKER).
 */
export function recoveryScript(config: ControlPlaneConfig, checks: readonly EssentialCheck[], target: PostgresTarget = headnodeDatabase(config), readyMarker?: string): string {
  if (checks.length === 0) throw new Error("recoveryScript: no essential checks; recovery cannot tell whether the cluster is healthy");
  const { imageStoreDir, periodMinutes } = config.backup;
  const bucket = backupBucket(config);
  return prelude("dataplat-headnode-recover", [
    "Headnode recovery (RFD 67): check the essentials, restore the latest backup if it is within the",
    `recovery point objective (${periodMinutes} minutes), verify, and only then succeed.`,
  ]) + bash`readonly bucket=${q(bucket)} db_dir=${q(databaseBackupDir(config))} image_dir=${q(imageBackupDir(config))} image_store=${q(imageStoreDir)} max_age_minutes=${periodMinutes}
${AWS_FUNCTIONS}${postgresVariables(target)}${WORKDIR}${PROBES}${LATEST_BACKUP_FUNCTION}${DOWNLOAD_FUNCTION}${RESTORE_FUNCTIONS}
log "step 1/5: essential services"
unhealthy=0
${checks.map(probeCall).join("\n")}
(( unhealthy == 0 )) || die "$unhealthy essential instance(s) unhealthy; refusing to recover the headnode against a cluster that cannot be trusted"

log "step 2/5: latest backups"
latest_backup "$db_dir" ${q(stampedNamePattern(".dump"))} "$max_age_minutes"
db_key=$LATEST_KEY
latest_backup "$image_dir" ${q(stampedNamePattern(".tar.gz"))} "$max_age_minutes"
image_key=$LATEST_KEY

log "step 3/5: targets and archives"
require_empty_target
if [[ -d "$image_store" ]] && [[ -n "$(ls -A "$image_store")" ]]; then
  die "image store $image_store is not empty; refusing to overwrite it"
fi
download "$db_key" "$work/dump"
download "$image_key" "$work/images.tar.gz"
check_archive "$work/dump"
tar -tzf "$work/images.tar.gz" >/dev/null || die "s3://$bucket/$image_key is not a readable tar.gz; refusing to restore"

log "step 4/5: restore database $database from s3://$bucket/$db_key"
restore_database "$work/dump"
verify_database "$work/dump"

log "step 5/5: restore image store $image_store from s3://$bucket/$image_key"
mkdir -p "$image_store"
tar -C "$image_store" -xzf "$work/images.tar.gz" || die "extracting the image store failed"
tar -C "$image_store" --compare -zf "$work/images.tar.gz" >/dev/null || die "image store $image_store differs from the archive after extraction"
log "verified: image store matches the archive"
${readyMarker === undefined ? "" : bash`mkdir -p ${q(readyMarker.slice(0, readyMarker.lastIndexOf("/")) || "/")} && touch ${q(readyMarker)} || die ${q(`restored and verified, but cannot write ${readyMarker}; backups stay disabled until it exists`)}
log ${q(`backups enabled (${readyMarker})`)}
`}log "recovery complete: database from s3://$bucket/$db_key, images from s3://$bucket/$image_key"
`;
}

/**
 * The first headnode of a control plane holds no data to recover: enable its backups (write the
 * ready marker) and nothing else.
 */
export function firstHeadnodeScript(readyMarker: string = BACKUP_READY_MARKER): string {
  return prelude("dataplat-headnode-first", [
    "First headnode of this control plane: there is no backup to recover from; enable the periodic backup.",
  ]) + bash`mkdir -p ${q(readyMarker.slice(0, readyMarker.lastIndexOf("/")) || "/")} && touch ${q(readyMarker)} || die ${q(`cannot write ${readyMarker}`)}
log ${q(`backups enabled (${readyMarker})`)}
`;
}

/**
 * The update of the recovery command: recovery and the first-headnode script run only when the
 * command is created or replaced (a new headnode); an edit of anything else they mention (compute
 * node addresses, essentials) must not run them again on a headnode that holds data.
 */
export const RECOVERY_UPDATE_SCRIPT = prelude("dataplat-headnode-recovery-update", [
  "Recovery runs only on a new headnode; nothing to do for an edit of its inputs.",
]) + `log "recovery runs only when the headnode is replaced; nothing to do"
`;
