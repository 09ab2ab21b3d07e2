import assert from "node:assert/strict";
import { parsePlatformConfig } from "../../ops/platform/config";
import {
  KOVERSE_CONFIG_DIRS, accumuloExportScript, addonsBackupScript, configBackupScript, metadataBackupScript, metadataRestoreScript,
  platformBackupScripts, platformRestoreScript,
} from "../../ops/platform/scripts";
import { haPlatform } from "./fixtures";
import { bashSyntaxErrors } from "./run-bash";

const target = { bucket: "koverse-backups", prefix: "koverse/prod" };
const postgres = { host: "127.0.0.1", port: 5432, user: "postgres", database: "koverse" };
const run = { host: "meta-1" };
const has = (script: string, line: string) => assert.ok(script.split("\n").includes(line), `missing line: ${line}`);
const inOrder = (script: string, lines: readonly string[]) => {
  const all = script.split("\n");
  const at = lines.map((l) => {
    const i = all.indexOf(l);
    assert.ok(i >= 0, `missing line: ${l}`);
    return i;
  });
  assert.deepEqual(at, [...at].sort((a, b) => a - b));
};

describe("platform backup script text", () => {
  it("pg_dumps the database and its roles into one unit under flock, the manifest last", () => {
    const script = metadataBackupScript(target, postgres, run);
    has(script, "readonly bucket='koverse-backups' host_label='meta-1' max_skew_seconds=300");
    has(script, "readonly lock_file='/run/lock/dataplat-metadata-backup.lock' lock_wait_seconds=3600");
    has(script, "readonly dir='koverse/prod/postgres/koverse'");
    has(script, '  pg pg_dump --no-password --format=custom --file="$file" "$database" || die "pg_dump of $database failed"');
    has(script, '  pg_restore --list "$file" >/dev/null || die "pg_dump wrote an archive pg_restore cannot read"');
    inOrder(script, ["take_lock", "unit_begin \"$dir\" 'metadata' \"$host_label\"", 'dump_database "$work/database.dump"', 'dump_roles "$work/roles.sql"', 'upload_part "$work/database.dump" database.dump', 'upload_part "$work/roles.sql" roles.sql', "unit_commit"]);
  });

  it("restores through a scratch database with owners and grants, then verifies and swaps", () => {
    const script = metadataRestoreScript(target, postgres, 1440);
    has(script, "readonly bucket='koverse-backups' dir='koverse/prod/postgres/koverse' max_age_minutes=1440 max_skew_seconds=300");
    has(script, "readonly accept_hint='platform.backup.restore.acceptBackupStamp'");
    has(script, '  pg pg_restore --no-password --single-transaction --exit-on-error --dbname="$scratch" "$dump" || die "pg_restore into $scratch failed"');
    assert.ok(!script.includes("--no-owner") && !script.includes("--no-privileges"), "owners and grants are restored and compared");
    inOrder(script, ["choose_unit \"$dir\" 'metadata' \"$max_age_minutes\" 'database.dump' 'roles.sql'", 'check_archive "$work/unit/database.dump"', "require_absent_target", 'restore_unit "$work/unit/database.dump" "$work/unit/roles.sql"', "restore_commit"]);
  });

  it("tars the configuration directories relative to /, retrying files that change", () => {
    const script = configBackupScript(target, "app-1", Object.values(KOVERSE_CONFIG_DIRS), { host: "app-1" });
    has(script, "directories=('opt/koverse-server/conf' 'opt/koverse-webapp/conf')");
    inOrder(script, ["take_lock", "unit_begin \"$dir\" config \"$host_label\"", 'tar_archive "$work/config.tar.gz" / "${directories[@]}"', 'upload_part "$work/config.tar.gz" config.tar.gz', "unit_commit"]);
    assert.throws(() => configBackupScript(target, "app-1", ["relative/conf"], { host: "app-1" }), /not an absolute path/);
    assert.throws(() => configBackupScript(target, "app-1", [], { host: "app-1" }), /no directories/);
  });

  it("distcps the HDFS addons into a unit, pointing s3a at AWS_ENDPOINT_URL when set, each file a part", () => {
    const script = addonsBackupScript(target, "/koverse/kv/addons", { host: "master-1" });
    has(script, 'if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then s3a_options=(-Dfs.s3a.endpoint="$AWS_ENDPOINT_URL" -Dfs.s3a.path.style.access=true); fi');
    inOrder(script, ["unit_begin \"$dir\" addons \"$host_label\"", 'hadoop distcp ${s3a_options[@]+"${s3a_options[@]}"} "$addons" "s3a://$bucket/$unit_dir/files" || die "distcp of $addons failed"', '  hdfs_part "$source" "files/${source#"$addons"/}" "$before_s" "$after_s"', "unit_commit"]);
  });

  it("exports the five kv_* tables with the accumulo shell reading the password from the environment", () => {
    const script = accumuloExportScript(target, { accumuloUser: "root", hdfsExportDir: "/backup/accumulo-export" }, { host: "master-1" });
    has(script, "tables=('kv_index' 'kv_record' 'kv_samples' 'kv_field_stats' 'kv_schema')");
    has(script, 'shell() { log "accumulo shell: $1"; accumulo shell -u "$accumulo_user" -p env:ACCUMULO_PASSWORD -e "$1"; }');
    assert.ok(!script.includes("COMPLETE"), "the manifest replaces the COMPLETE marker");
  });

  it("places each backup on a host that can run it, and every script parses", async () => {
    const scripts = platformBackupScripts(parsePlatformConfig(haPlatform()));
    assert.deepEqual(scripts.map((s) => s.id), ["metadata-backup@master-3", "accumulo-export@master-1", "addons-backup@master-1", "config-backup@app-1"]);
    for (const s of scripts) assert.equal(await bashSyntaxErrors(s.script), "", s.id);
    assert.ok(scripts[0]!.script.includes("host_label='master-3'"));
    const split = haPlatform();
    split.services.webApp = "master-2";
    const separate = platformBackupScripts(parsePlatformConfig(split)).filter((s) => s.id.startsWith("config-backup"));
    assert.deepEqual(separate.map((s) => s.id), ["config-backup@app-1", "config-backup@master-2"]);
    assert.ok(separate[1]!.script.includes("directories=('opt/koverse-webapp/conf')"));
    const none = haPlatform();
    delete none.backup;
    assert.deepEqual(platformBackupScripts(parsePlatformConfig(none)), []);
    assert.equal(platformRestoreScript(parsePlatformConfig(haPlatform())), undefined, "no restore unless backup.restore is set");
  });
});
