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
 * Each backup run writes one unit (ops/platform/backupunit.ts) under flock:
 * s3://<bucket>/<prefix>/<kind>/.../<stamp>/<part>..., then its MANIFEST, written last (parts, sizes,
 * sha256, host, S3 LastModified). A restore takes one whole unit whose parts match its manifest.
 *
 * Environment read by the scripts (never embedded): AWS credentials (instance profile or AWS_*),
 * AWS_ENDPOINT_URL (optional S3-compatible endpoint), PGPASSWORD (optional), ACCUMULO_PASSWORD
 * (accumulo export), ACCEPT_BACKUP_STAMP (restore: restore exactly that unit; set from
 * platform.backup.restore.acceptBackupStamp by the restore command's environment).
 */
import { placedHosts, unitFor, type PlatformConfig } from "./config";
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
    AS_ROOT,
    postgresVariables,
    prelude,
    type PostgresTarget,
} from "./bash";
import { int, num, raw, sh } from "../shared/shell";
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS, PART_NAME_PATTERN } from "./backupunit";
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

function unitStatus(): string {
    return `systemctl status --no-pager --lines=20 "$unit" >&2 || true`;
}

/**
 * `systemctl start` the unit, then wait until it has been active for settleSeconds. bash's $SECONDS
 * counts whole seconds, so the unit must be seen active across more than settleSeconds ticks: a
 * difference of exactly settleSeconds can be as little as settleSeconds - 1 real seconds.
 */
export function startScript(unit: string, wait: UnitWait = DEFAULT_UNIT_WAIT): string {
    return (
        prelude(`start-${unit}`, [`Start systemd unit ${unit} and wait until it is active (at most ${wait.timeoutSeconds}s).`]) +
        sh`readonly unit=${unit} timeout_seconds=${int(wait.timeoutSeconds)} poll_seconds=${num(wait.pollSeconds)} settle_seconds=${int(wait.settleSeconds)}
${raw(AS_ROOT)}log "systemctl start $unit"
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
      ${raw(unitStatus())}
      die "$unit entered the failed state"
    fi
  fi
  if (( SECONDS >= deadline )); then
    ${raw(unitStatus())}
    die "$unit is still '$state' after \${timeout_seconds}s"
  fi
  log "$unit is '$state'; waiting ($(( deadline - SECONDS ))s left)"
  sleep "$poll_seconds"
done
`
    );
}

/** `systemctl stop` the unit, then wait until it is inactive (or failed: not running either way). */
export function stopScript(unit: string, wait: UnitWait = DEFAULT_UNIT_WAIT): string {
    return (
        prelude(`stop-${unit}`, [`Stop systemd unit ${unit} and wait until it is inactive (at most ${wait.timeoutSeconds}s).`]) +
        sh`readonly unit=${unit} timeout_seconds=${int(wait.timeoutSeconds)} poll_seconds=${num(wait.pollSeconds)}
${raw(AS_ROOT)}load=$(systemctl show --property=LoadState --value "$unit") || die "cannot read the state of $unit"
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
    ${raw(unitStatus())}
    die "$unit is still '$state' after \${timeout_seconds}s"
  fi
  log "$unit is '$state'; waiting ($(( deadline - SECONDS ))s left)"
  sleep "$poll_seconds"
done
`
    );
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
    /** How far the host's clock may be from S3's; default DEFAULT_MAX_CLOCK_SKEW_SECONDS. */
    readonly maxClockSkewSeconds?: number;
}

/** One backup run: the host label in its stamps, and its lock. */
export interface UnitRun {
    /** The host name, written into the stamp and manifest. */
    readonly host: string;
    /** The flock file; default /run/lock/dataplat-<script>.lock. */
    readonly lockFile?: string;
    /** How long a run waits for another that holds the lock; default 3600 s. */
    readonly lockWaitSeconds?: number;
}

/** The platform restore's config key for restoring one unit on purpose. */
export const PLATFORM_ACCEPT_STAMP_KEY = "platform.backup.restore.acceptBackupStamp";
export const METADATA_UNIT_KIND = "metadata";
export const METADATA_PARTS = ["database.dump", "roles.sql"] as const;

export function metadataBackupDir(target: BackupTarget, database: string): string {
    return `${target.prefix}/postgres/${database}`;
}

/** The variables and functions every unit-writing script starts with. */
function unitWriter(name: string, target: BackupTarget, run: UnitRun): string {
    return sh`readonly bucket=${target.bucket} host_label=${run.host} max_skew_seconds=${int(target.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS)}
readonly lock_file=${run.lockFile ?? `/run/lock/${name}.lock`} lock_wait_seconds=${int(run.lockWaitSeconds ?? 3600)}
${raw(AWS_FUNCTIONS)}${raw(WORKDIR)}${raw(LOCK_FUNCTION)}${raw(UNIT_RULE_FUNCTIONS)}${raw(UNIT_WRITE_FUNCTIONS)}`;
}

/** pg_dump of the metadata database and its roles: one unit under s3://bucket/prefix/postgres/<database>/. */
export function metadataBackupScript(target: BackupTarget, postgres: PostgresTarget, run: UnitRun): string {
    const dir = metadataBackupDir(target, postgres.database);
    return (
        prelude("koverse-metadata-backup", [
            `pg_dump of PostgreSQL database ${postgres.database} and its roles (without passwords): one unit under s3://${target.bucket}/${dir}/<stamp>/.`,
            "Everything is written and checked locally first; the MANIFEST is uploaded last.",
        ]) +
        unitWriter("dataplat-metadata-backup", target, run) +
        sh`readonly dir=${dir}
${raw(postgresVariables(postgres))}${raw(DUMP_FUNCTIONS)}take_lock
unit_begin "$dir" ${METADATA_UNIT_KIND} "$host_label"
dump_database "$work/database.dump"
dump_roles "$work/roles.sql"
upload_part "$work/database.dump" database.dump
upload_part "$work/roles.sql" roles.sql
unit_commit
`
    );
}

/**
 * Restore the newest complete metadata unit of `backupDatabase` (default: the target's database
 * name), or exactly ACCEPT_BACKUP_STAMP, into the absent target database: through a scratch
 * database, verified (rows, owners, grants), then renamed into place. Refuses a unit older than
 * maxAgeMinutes by S3's LastModified; a failure leaves the target cluster as it was.
 */
export function metadataRestoreScript(
    target: BackupTarget,
    postgres: PostgresTarget,
    maxAgeMinutes: number,
    backupDatabase: string = postgres.database,
    acceptBackupStamp?: string,
): string {
    const dir = metadataBackupDir(target, backupDatabase);
    return (
        prelude("koverse-metadata-restore", [
            `Restore the newest complete unit under s3://${target.bucket}/${dir}/ into ${postgres.host}:${postgres.port}/${postgres.database}.`,
            `Refuses a unit older than ${maxAgeMinutes} minutes, a missing or damaged unit, or a target database that exists.`,
        ]) +
        sh`readonly bucket=${target.bucket} dir=${dir} max_age_minutes=${int(maxAgeMinutes)} max_skew_seconds=${int(target.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS)}
readonly accept_hint=${PLATFORM_ACCEPT_STAMP_KEY}
${raw(AWS_FUNCTIONS)}${raw(postgresVariables(postgres))}${raw(WORKDIR)}${raw(UNIT_RULE_FUNCTIONS)}${raw(UNIT_READ_FUNCTIONS)}${raw(RESTORE_FUNCTIONS)}configured_accept ${acceptBackupStamp ?? ""}
choose_unit "$dir" ${METADATA_UNIT_KIND} "$max_age_minutes" ${METADATA_PARTS}
check_archive "$work/unit/database.dump"
require_absent_target
restore_unit "$work/unit/database.dump" "$work/unit/roles.sql"
restore_commit
log "restore complete: $database from unit s3://$bucket/$dir/$CHOSEN_STAMP/ ($CHOSEN_AGE_MINUTES minutes old by S3's LastModified)"
`
    );
}

/** The update of the restore command: a restore runs only when its command is created. */
export const RESTORE_UPDATE_SCRIPT =
    prelude("koverse-metadata-restore-update", ["The metadata restore runs only when its command is created (the key added, or a new PostgreSQL host)."]) +
    `log "the restore runs only when its command is created; nothing to do"
`;

/** The Koverse tables of interest (run book "Koverse Tables of Interest"). */
export const KOVERSE_TABLES = ["kv_index", "kv_record", "kv_samples", "kv_field_stats", "kv_schema"] as const;

export interface AccumuloExport {
    readonly accumuloUser: string;
    /** HDFS directory exporttable writes to (one sub-directory per stamp and table). */
    readonly hdfsExportDir: string;
    readonly tables?: readonly string[];
}

/** `hadoop distcp` options that point s3a at AWS_ENDPOINT_URL when it is set. */
const DISTCP_ENDPOINT = sh`s3a_options=()
if [[ -n "\${AWS_ENDPOINT_URL:-}" ]]; then s3a_options=(-Dfs.s3a.endpoint="$AWS_ENDPOINT_URL" -Dfs.s3a.path.style.access=true); fi
`;

/**
 * For each kv_* table: clonetable -> offline (wait) -> exporttable -> distcp of the files the
 * export lists to s3a://bucket/prefix/accumulo/<stamp>/<table>/, then delete the clone. Each copied
 * file is a part of the unit (size and sha256 read from HDFS, size and LastModified confirmed in
 * S3); the MANIFEST is written last, so a partial export set is never taken as a backup.
 * Needs ACCUMULO_PASSWORD (read by the shell as `-p env:ACCUMULO_PASSWORD`, Accumulo >= 1.6).
 */
export function accumuloExportScript(target: BackupTarget, options: AccumuloExport, run: UnitRun): string {
    const tables = options.tables ?? KOVERSE_TABLES;
    return (
        prelude("koverse-accumulo-export", [
            `Accumulo exporttable of ${tables.join(", ")}: one unit under s3://${target.bucket}/${target.prefix}/accumulo/<stamp>/.`,
        ]) +
        unitWriter("dataplat-accumulo-export", target, run) +
        sh`readonly dir=${`${target.prefix}/accumulo`} export_root=${options.hdfsExportDir} accumulo_user=${options.accumuloUser}
tables=(${tables})
[[ -n "\${ACCUMULO_PASSWORD:-}" ]] || die "ACCUMULO_PASSWORD is not set"
${raw(DISTCP_ENDPOINT)}${raw(HDFS_PART_FUNCTION)}shell() { log "accumulo shell: $1"; accumulo shell -u "$accumulo_user" -p env:ACCUMULO_PASSWORD -e "$1"; }
clones=()
drop_clones() {
  local clone
  for clone in \${clones[@]+"\${clones[@]}"}; do shell "deletetable -f $clone" || log "could not delete clone $clone; delete it by hand"; done
}
trap 'drop_clones; rm -rf "$work"' EXIT
take_lock
unit_begin "$dir" accumulo "$host_label"
tag=\${stamp//[^A-Za-z0-9]/_}
for table in "\${tables[@]}"; do
  clone="\${table}_exp_$tag"
  export_dir="$export_root/$stamp/$table"
  shell "clonetable $table $clone" || die "clonetable $table failed"
  clones+=("$clone")
  shell "offline -t $clone -w" || die "offline $clone failed"
  shell "exporttable -t $clone $export_dir" || die "exporttable $clone failed"
  hdfs dfs -test -f "$export_dir/distcp.txt" || die "exporttable wrote no $export_dir/distcp.txt"
  hdfs dfs -cat "$export_dir/distcp.txt" > "$work/distcp.txt" || die "cannot read $export_dir/distcp.txt"
  log "distcp $table to s3a://$bucket/$unit_dir/$table"
  before_s=$(date -u +%s)
  hadoop distcp \${s3a_options[@]+"\${s3a_options[@]}"} -f "$export_dir/distcp.txt" "s3a://$bucket/$unit_dir/$table" || die "distcp of $table failed"
  after_s=$(date -u +%s)
  while IFS= read -r source; do
    [[ -n "$source" ]] || continue
    hdfs_part "$source" "$table/\${source##*/}" "$before_s" "$after_s"
  done < "$work/distcp.txt"
done
unit_commit
`
    );
}

/**
 * `hdfs_part SOURCE NAME BEFORE_S AFTER_S`: record the object distcp copied from HDFS SOURCE as
 * part NAME of the unit, with the size and sha256 of the HDFS file.
 */
const HDFS_PART_FUNCTION = sh`hdfs_part() {
  local source=$1 name=$2 size sha
  [[ "$name" =~ ^${raw(PART_NAME_PATTERN)}$ ]] || die "cannot name $source as a part of the unit"
  size=$(hdfs dfs -stat %b "$source") || die "cannot read the size of $source"
  sha=$(hdfs dfs -cat "$source" | sha256sum) || die "cannot checksum $source"
  record_part "$name" "$size" "\${sha%% *}" "$3" "$4"
}
`;

/** The configuration directories of the Koverse components (run book "Configuration Files"). */
export const KOVERSE_CONFIG_DIRS = { "koverse-server": "/opt/koverse-server/conf", "koverse-webapp": "/opt/koverse-webapp/conf" } as const;

/** tar of configuration directories: one unit under s3://bucket/prefix/config/<label>/<stamp>/config.tar.gz. */
export function configBackupScript(target: BackupTarget, label: string, directories: readonly string[], run: UnitRun): string {
    if (directories.length === 0) throw new Error("configBackupScript: no directories");
    for (const d of directories) if (!/^\/[A-Za-z0-9._/-]+$/.test(d)) throw new Error(`configBackupScript: not an absolute path: ${d}`);
    const dir = `${target.prefix}/config/${label}`;
    return (
        prelude(`koverse-config-backup-${label}`, [`tar of ${directories.join(", ")}: one unit under s3://${target.bucket}/${dir}/<stamp>/.`]) +
        unitWriter("dataplat-config-backup", target, run) +
        sh`readonly dir=${dir}
directories=(${directories.map((d) => d.replace(/^\//, ""))})
${raw(TAR_FUNCTION)}for d in "\${directories[@]}"; do [[ -d "/$d" ]] || die "/$d does not exist"; done
take_lock
unit_begin "$dir" config "$host_label"
log "tar of \${directories[*]} (relative to /)"
tar_archive "$work/config.tar.gz" / "\${directories[@]}"
upload_part "$work/config.tar.gz" config.tar.gz
unit_commit
`
    );
}

/** distcp of the HDFS addons directory: one unit under s3a://bucket/prefix/addons/<stamp>/files/. */
export function addonsBackupScript(target: BackupTarget, addonsDir: string, run: UnitRun): string {
    const dir = `${target.prefix}/addons`;
    return (
        prelude("koverse-addons-backup", [`distcp of HDFS ${addonsDir}: one unit under s3a://${target.bucket}/${dir}/<stamp>/files/.`]) +
        unitWriter("dataplat-addons-backup", target, run) +
        sh`readonly dir=${dir} addons=${addonsDir}
${raw(DISTCP_ENDPOINT)}${raw(HDFS_PART_FUNCTION)}hdfs dfs -test -d "$addons" || die "HDFS $addons does not exist"
take_lock
unit_begin "$dir" addons "$host_label"
hdfs dfs -ls -R "$addons" > "$work/listing" || die "cannot list HDFS $addons"
awk '$1 ~ /^-/ { print $NF }' "$work/listing" > "$work/files"
log "distcp $addons to s3a://$bucket/$unit_dir/files"
before_s=$(date -u +%s)
hadoop distcp \${s3a_options[@]+"\${s3a_options[@]}"} "$addons" "s3a://$bucket/$unit_dir/files" || die "distcp of $addons failed"
after_s=$(date -u +%s)
while IFS= read -r source; do
  hdfs_part "$source" "files/\${source#"$addons"/}" "$before_s" "$after_s"
done < "$work/files"
unit_commit
`
    );
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
    const target = { bucket, prefix: backup.prefix, maxClockSkewSeconds: backup.maxClockSkewSeconds };
    const on = (host: string): UnitRun => ({ host, lockWaitSeconds: backup.periodMinutes * 60 });
    const pgHost = config.services.postgres;
    const master = placedHosts(config, "accumuloMasters")[0]!;
    const out: HostScript[] = [
        { id: `metadata-backup@${pgHost}`, host: pgHost, script: metadataBackupScript(target, metadataDatabase(config), on(pgHost)) },
        {
            id: `accumulo-export@${master}`,
            host: master,
            script: accumuloExportScript(target, { accumuloUser: backup.accumuloUser, hdfsExportDir: backup.hdfsExportDir }, on(master)),
        },
        { id: `addons-backup@${master}`, host: master, script: addonsBackupScript(target, backup.addonsDir, on(master)) },
    ];
    const server = config.services.applicationServer;
    const webApp = config.services.webApp;
    if (server === webApp) {
        out.push({ id: `config-backup@${server}`, host: server, script: configBackupScript(target, server, Object.values(KOVERSE_CONFIG_DIRS), on(server)) });
    } else {
        out.push({
            id: `config-backup@${server}`,
            host: server,
            script: configBackupScript(target, server, [KOVERSE_CONFIG_DIRS["koverse-server"]], on(server)),
        });
        out.push({
            id: `config-backup@${webApp}`,
            host: webApp,
            script: configBackupScript(target, webApp, [KOVERSE_CONFIG_DIRS["koverse-webapp"]], on(webApp)),
        });
    }
    return out;
}

/** The metadata database on the PostgreSQL host, as its backup and restore reach it. */
export function metadataDatabase(config: PlatformConfig): PostgresTarget {
    const backup = config.backup;
    if (backup === undefined) throw new Error("metadataDatabase: platform.backup is not set");
    return { host: "127.0.0.1", port: 5432, user: backup.postgresUser, database: backup.metadataDatabase };
}

/**
 * The metadata restore placed on the PostgreSQL host when platform.backup.restore is set (to
 * backup.bucket, else `defaultBucket`), with the environment its command passes.
 */
export function platformRestoreScript(
    config: PlatformConfig,
    defaultBucket?: string,
): (HostScript & { readonly environment: Record<string, string> }) | undefined {
    const backup = config.backup;
    if (backup?.restore === undefined) return undefined;
    const bucket = backup.bucket ?? defaultBucket;
    if (bucket === undefined) throw new Error("platformRestoreScript: backup.bucket is not set and no default bucket was given");
    const host = config.services.postgres;
    const stamp = backup.restore.acceptBackupStamp;
    return {
        id: `metadata-restore@${host}`,
        host,
        script: metadataRestoreScript(
            { bucket, prefix: backup.prefix, maxClockSkewSeconds: backup.maxClockSkewSeconds },
            metadataDatabase(config),
            backup.maxAgeMinutes,
            undefined,
            stamp,
        ),
        environment: stamp === undefined ? {} : { ACCEPT_BACKUP_STAMP: stamp },
    };
}
