/**
 * The exact bash scripts the layered platform runs on its hosts: start/stop of one service (the
 * create/delete of its remote command), and the run book's "Backup and Recovery":
 *
 * - PostgreSQL: "Use the pg_dump command. To restore, simply re-create the postgres database from
 *   the backup." -> metadataBackupScript / metadataRestoreScript;
 * - Accumulo: "Use the Accumulo Export Tables feature to backup the kv_* tables" (clonetable,
 *   offline, exporttable, then distcp) -> accumuloExportScript;
 * - "Copy the entire koverse-server and koverse-webapp directories - specifically the /conf
 *   directory must be included." -> configBackupScript;
 * - "Koverse Addons are located in HDFS in the /koverse/kv/addons directory. Use Hadoop's
 *   Distributed Copy" -> addonsBackupScript.
 *
 * Objects go to s3://<bucket>/<prefix>/<kind>/.../<UTC stamp><suffix>; the stamp is taken before
 * the backup starts, so the largest stamp is the latest recovery point.
 *
 * Environment read by the scripts (never embedded): AWS credentials (instance profile or AWS_*),
 * AWS_ENDPOINT_URL (optional S3-compatible endpoint), PGPASSWORD (optional), ACCUMULO_PASSWORD
 * (accumulo export), ACCEPT_BACKUP_STAMP (restore: accept one backup older than the objective).
 */
import { placedHosts, unitFor, type PlatformConfig } from "./config";
import {
  AWS_FUNCTIONS, DOWNLOAD_FUNCTION, DUMP_FUNCTION, LATEST_BACKUP_FUNCTION, RESTORE_FUNCTIONS, STAMP_FORMAT,
  UPLOAD_FUNCTION, WORKDIR, bash, postgresVariables, prelude, q, stampedNamePattern, type PostgresTarget,
} from "./bash";
import { serviceInstances } from "./layers";
import type { ServiceName } from "./services";

export interface UnitWait {
  /** Give up (exit 1) after this many seconds. */
  readonly timeoutSeconds: number;
  /** Seconds between state polls. */
  readonly pollSeconds: number;
  /** Start only: the unit must stay active this long (a crash right after spawn is a failure). */
  readonly settleSeconds: number;
}

export const DEFAULT_UNIT_WAIT: UnitWait = { timeoutSeconds: 300, pollSeconds: 5, settleSeconds: 10 };

const AS_ROOT = bash`as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
command -v systemctl >/dev/null || die "systemctl not found; this host does not run systemd"
`;

function unitStatus(): string {
  return `systemctl status --no-pager --lines=20 "$unit" >&2 || true`;
}

/**
 * `systemctl start` the unit, then wait until it has been active for settleSeconds. bash's $SECONDS
 * counts whole seconds, so the unit must be seen active across more than settleSeconds ticks: a
 * difference of exactly settleSeconds can be as little as settleSeconds - 1 real seconds.
 */
export function startScript(unit: string, wait: UnitWait = DEFAULT_UNIT_WAIT): string {
  return prelude(`start-${unit}`, [`Start systemd unit ${unit} and wait until it is active (at most ${wait.timeoutSeconds}s).`]) + bash`readonly unit=${q(unit)} timeout_seconds=${wait.timeoutSeconds} poll_seconds=${wait.pollSeconds} settle_seconds=${wait.settleSeconds}
${AS_ROOT}log "systemctl start $unit"
as_root systemctl start --no-block "$unit" || die "systemctl start $unit was refused"
deadline=$(( SECONDS + timeout_seconds ))
active_since=-1
while :; do
  state=$(systemctl is-active "$unit" || true)
  if [[ "$state" == active ]]; then
    (( active_since >= 0 )) || active_since=$SECONDS
    if (( settle_seconds == 0 || SECONDS - active_since > settle_seconds )); then
      log "$unit is active"
      exit 0
    fi
  else
    active_since=-1
    if [[ "$state" == failed ]]; then
      ${unitStatus()}
      die "$unit entered the failed state"
    fi
  fi
  if (( SECONDS >= deadline )); then
    ${unitStatus()}
    die "$unit is still '$state' after \${timeout_seconds}s"
  fi
  log "$unit is '$state'; waiting ($(( deadline - SECONDS ))s left)"
  sleep "$poll_seconds"
done
`;
}

/** `systemctl stop` the unit, then wait until it is inactive (or failed: not running either way). */
export function stopScript(unit: string, wait: UnitWait = DEFAULT_UNIT_WAIT): string {
  return prelude(`stop-${unit}`, [`Stop systemd unit ${unit} and wait until it is inactive (at most ${wait.timeoutSeconds}s).`]) + bash`readonly unit=${q(unit)} timeout_seconds=${wait.timeoutSeconds} poll_seconds=${wait.pollSeconds}
${AS_ROOT}load=$(systemctl show --property=LoadState --value "$unit") || die "cannot read the state of $unit"
if [[ "$load" == not-found ]]; then
  log "$unit is not installed; nothing to stop"
  exit 0
fi
log "systemctl stop $unit"
as_root systemctl stop --no-block "$unit" || die "systemctl stop $unit was refused"
deadline=$(( SECONDS + timeout_seconds ))
while :; do
  state=$(systemctl is-active "$unit" || true)
  if [[ "$state" == inactive || "$state" == failed ]]; then
    log "$unit is $state"
    exit 0
  fi
  if (( SECONDS >= deadline )); then
    ${unitStatus()}
    die "$unit is still '$state' after \${timeout_seconds}s"
  fi
  log "$unit is '$state'; waiting ($(( deadline - SECONDS ))s left)"
  sleep "$poll_seconds"
done
`;
}

export interface ServiceCommand {
  /** `datanode@worker-3`: the id of the layer graph, to match dependencies. */
  readonly id: string;
  readonly service: ServiceName;
  readonly host: string;
  readonly unit: string;
  readonly create: string;
  readonly delete: string;
}

/** The create (start) and delete (stop) script of every service instance of the platform. */
export function serviceCommands(config: PlatformConfig, wait: UnitWait = DEFAULT_UNIT_WAIT): ServiceCommand[] {
  return serviceInstances(config).map((inst) => {
    const unit = unitFor(config, inst.service);
    return { id: inst.id, service: inst.service, host: inst.host, unit, create: startScript(unit, wait), delete: stopScript(unit, wait) };
  });
}

/** Where the backups of one platform go. */
export interface BackupTarget {
  readonly bucket: string;
  /** Key prefix without leading or trailing '/'. */
  readonly prefix: string;
}

export function metadataBackupDir(target: BackupTarget, database: string): string {
  return `${target.prefix}/postgres/${database}`;
}

const STAMP = `stamp=$(date -u +${STAMP_FORMAT})\n`;

/** pg_dump of the metadata database to s3://bucket/prefix/postgres/<database>/<stamp>.dump. */
export function metadataBackupScript(target: BackupTarget, postgres: PostgresTarget): string {
  const dir = metadataBackupDir(target, postgres.database);
  return prelude("koverse-metadata-backup", [
    `pg_dump of PostgreSQL database ${postgres.database} to s3://${target.bucket}/${dir}/<UTC stamp>.dump.`,
    "The dump is written and checked locally first, so a failed dump never becomes the latest backup.",
  ]) + bash`readonly bucket=${q(target.bucket)} dir=${q(dir)}
${AWS_FUNCTIONS}${postgresVariables(postgres)}${WORKDIR}${UPLOAD_FUNCTION}${DUMP_FUNCTION}${STAMP}dump_database "$work/dump"
upload "$work/dump" "$dir/$stamp.dump"
log "backup complete: s3://$bucket/$dir/$stamp.dump"
`;
}

/**
 * Restore the latest metadata backup of `backupDatabase` (default: the target's database name) into
 * a PostgreSQL whose target database is missing or empty, refusing a backup older than
 * maxAgeMinutes; exits 0 only once the restored database matches the archive.
 */
export function metadataRestoreScript(target: BackupTarget, postgres: PostgresTarget, maxAgeMinutes: number, backupDatabase: string = postgres.database): string {
  const dir = metadataBackupDir(target, backupDatabase);
  return prelude("koverse-metadata-restore", [
    `Restore the latest s3://${target.bucket}/${dir}/<UTC stamp>.dump into ${postgres.host}:${postgres.port}/${postgres.database}.`,
    `Refuses a backup older than ${maxAgeMinutes} minutes, a missing backup, or a target database that holds data.`,
  ]) + bash`readonly bucket=${q(target.bucket)} dir=${q(dir)} max_age_minutes=${maxAgeMinutes}
${AWS_FUNCTIONS}${postgresVariables(postgres)}${WORKDIR}${LATEST_BACKUP_FUNCTION}${DOWNLOAD_FUNCTION}${RESTORE_FUNCTIONS}latest_backup "$dir" ${q(stampedNamePattern(".dump"))} "$max_age_minutes"
download "$LATEST_KEY" "$work/dump"
check_archive "$work/dump"
require_empty_target
restore_database "$work/dump"
verify_database "$work/dump"
log "restore complete: $database from s3://$bucket/$LATEST_KEY"
`;
}

/** The Koverse tables of interest (run book "Koverse Tables of Interest"). */
export const KOVERSE_TABLES = ["kv_index", "kv_record", "kv_samples", "kv_field_stats", "kv_schema"] as const;

export interface AccumuloExport {
  readonly accumuloUser: string;
  /** HDFS directory exporttable writes to (one sub-directory per stamp and table). */
  readonly hdfsExportDir: string;
  readonly tables?: readonly string[];
}

/** `hadoop distcp` options that point s3a at AWS_ENDPOINT_URL when it is set. */
const DISTCP_ENDPOINT = bash`s3a_options=()
if [[ -n "\${AWS_ENDPOINT_URL:-}" ]]; then s3a_options=(-Dfs.s3a.endpoint="$AWS_ENDPOINT_URL" -Dfs.s3a.path.style.access=true); fi
`;

/**
 * For each kv_* table: clonetable -> offline (wait) -> exporttable -> distcp of the files the
 * export lists to s3a://bucket/prefix/accumulo/<stamp>/<table>/, then delete the clone. A
 * COMPLETE marker is written last, so a partial export set is never taken as a backup.
 * Needs ACCUMULO_PASSWORD (read by the shell as `-p env:ACCUMULO_PASSWORD`, Accumulo >= 1.6).
 */
export function accumuloExportScript(target: BackupTarget, options: AccumuloExport): string {
  const tables = options.tables ?? KOVERSE_TABLES;
  return prelude("koverse-accumulo-export", [
    `Accumulo exporttable of ${tables.join(", ")} to s3://${target.bucket}/${target.prefix}/accumulo/<UTC stamp>/.`,
  ]) + bash`readonly bucket=${q(target.bucket)} dir=${q(`${target.prefix}/accumulo`)} export_root=${q(options.hdfsExportDir)} accumulo_user=${q(options.accumuloUser)}
tables=(${tables.map(q).join(" ")})
[[ -n "\${ACCUMULO_PASSWORD:-}" ]] || die "ACCUMULO_PASSWORD is not set"
${AWS_FUNCTIONS}${DISTCP_ENDPOINT}${WORKDIR}shell() { log "accumulo shell: $1"; accumulo shell -u "$accumulo_user" -p env:ACCUMULO_PASSWORD -e "$1"; }
clones=()
drop_clones() {
  local clone
  for clone in \${clones[@]+"\${clones[@]}"}; do shell "deletetable -f $clone" || log "could not delete clone $clone; delete it by hand"; done
}
trap 'drop_clones; rm -rf "$work"' EXIT
${STAMP}for table in "\${tables[@]}"; do
  clone="\${table}_exp_$stamp"
  export_dir="$export_root/$stamp/$table"
  shell "clonetable $table $clone" || die "clonetable $table failed"
  clones+=("$clone")
  shell "offline -t $clone -w" || die "offline $clone failed"
  shell "exporttable -t $clone $export_dir" || die "exporttable $clone failed"
  hdfs dfs -test -f "$export_dir/distcp.txt" || die "exporttable wrote no $export_dir/distcp.txt"
  log "distcp $table to s3a://$bucket/$dir/$stamp/$table"
  hadoop distcp \${s3a_options[@]+"\${s3a_options[@]}"} -f "$export_dir/distcp.txt" "s3a://$bucket/$dir/$stamp/$table" || die "distcp of $table failed"
done
printf '%s\n' "\${tables[@]}" > "$work/COMPLETE"
aws_cli s3 cp --only-show-errors "$work/COMPLETE" "s3://$bucket/$dir/$stamp/COMPLETE" || die "cannot write the COMPLETE marker"
log "export complete: s3://$bucket/$dir/$stamp/"
`;
}

/** The configuration directories of the Koverse components (run book "Configuration Files"). */
export const KOVERSE_CONFIG_DIRS = { "koverse-server": "/opt/koverse-server/conf", "koverse-webapp": "/opt/koverse-webapp/conf" } as const;

/** tar of configuration directories to s3://bucket/prefix/config/<label>/<stamp>.tar.gz. */
export function configBackupScript(target: BackupTarget, label: string, directories: readonly string[]): string {
  if (directories.length === 0) throw new Error("configBackupScript: no directories");
  for (const d of directories) if (!/^\/[A-Za-z0-9._\/-]+$/.test(d)) throw new Error(`configBackupScript: not an absolute path: ${d}`);
  const dir = `${target.prefix}/config/${label}`;
  return prelude(`koverse-config-backup-${label}`, [`tar of ${directories.join(", ")} to s3://${target.bucket}/${dir}/<UTC stamp>.tar.gz.`]) + bash`readonly bucket=${q(target.bucket)} dir=${q(dir)}
directories=(${directories.map((d) => q(d.replace(/^\//, ""))).join(" ")})
${AWS_FUNCTIONS}${WORKDIR}${UPLOAD_FUNCTION}${STAMP}for d in "\${directories[@]}"; do [[ -d "/$d" ]] || die "/$d does not exist"; done
log "tar of \${directories[*]} (relative to /)"
tar -C / -czf "$work/config.tar.gz" "\${directories[@]}" || die "tar failed"
tar -tzf "$work/config.tar.gz" >/dev/null || die "the archive cannot be read back"
upload "$work/config.tar.gz" "$dir/$stamp.tar.gz"
log "backup complete: s3://$bucket/$dir/$stamp.tar.gz"
`;
}

/** distcp of the HDFS addons directory to s3a://bucket/prefix/addons/<stamp>/. */
export function addonsBackupScript(target: BackupTarget, addonsDir: string): string {
  const dir = `${target.prefix}/addons`;
  return prelude("koverse-addons-backup", [`distcp of HDFS ${addonsDir} to s3a://${target.bucket}/${dir}/<UTC stamp>/.`]) + bash`readonly bucket=${q(target.bucket)} dir=${q(dir)} addons=${q(addonsDir)}
${DISTCP_ENDPOINT}${STAMP}hdfs dfs -test -d "$addons" || die "HDFS $addons does not exist"
log "distcp $addons to s3a://$bucket/$dir/$stamp"
hadoop distcp \${s3a_options[@]+"\${s3a_options[@]}"} "$addons" "s3a://$bucket/$dir/$stamp" || die "distcp of $addons failed"
log "backup complete: s3a://$bucket/$dir/$stamp"
`;
}

export interface HostScript {
  /** Stable name: `metadata-backup@meta-1`. */
  readonly id: string;
  readonly host: string;
  readonly script: string;
}

/**
 * The platform's backup scripts placed on the hosts that can run them (to backup.bucket, else
 * `defaultBucket`, the stack's backup bucket): pg_dump on the PostgreSQL
 * host, the Accumulo export and addons distcp on the first Accumulo master (it has the shell and
 * the Hadoop client), the configuration tarballs on the application server and web app hosts.
 */
export function platformBackupScripts(config: PlatformConfig, defaultBucket?: string): HostScript[] {
  const backup = config.backup;
  if (backup === undefined) return [];
  const bucket = backup.bucket ?? defaultBucket;
  if (bucket === undefined) throw new Error("platformBackupScripts: backup.bucket is not set and no default bucket was given");
  const target = { bucket, prefix: backup.prefix };
  const pgHost = config.services.postgres;
  const master = placedHosts(config, "accumuloMasters")[0]!;
  const out: HostScript[] = [
    { id: `metadata-backup@${pgHost}`, host: pgHost, script: metadataBackupScript(target, { host: "127.0.0.1", port: 5432, user: backup.postgresUser, database: backup.metadataDatabase }) },
    { id: `accumulo-export@${master}`, host: master, script: accumuloExportScript(target, { accumuloUser: backup.accumuloUser, hdfsExportDir: backup.hdfsExportDir }) },
    { id: `addons-backup@${master}`, host: master, script: addonsBackupScript(target, backup.addonsDir) },
  ];
  const server = config.services.applicationServer;
  const webApp = config.services.webApp;
  if (server === webApp) {
    out.push({ id: `config-backup@${server}`, host: server, script: configBackupScript(target, server, Object.values(KOVERSE_CONFIG_DIRS)) });
  } else {
    out.push({ id: `config-backup@${server}`, host: server, script: configBackupScript(target, server, [KOVERSE_CONFIG_DIRS["koverse-server"]]) });
    out.push({ id: `config-backup@${webApp}`, host: webApp, script: configBackupScript(target, webApp, [KOVERSE_CONFIG_DIRS["koverse-webapp"]]) });
  }
  return out;
}
