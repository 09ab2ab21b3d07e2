import assert from "node:assert/strict";
import { parsePlatformConfig } from "../../ops/platform/config";
import {
  KOVERSE_CONFIG_DIRS, accumuloExportScript, addonsBackupScript, configBackupScript, metadataBackupScript, metadataRestoreScript,
  platformBackupScripts,
} from "../../ops/platform/scripts";
import { haPlatform } from "./fixtures";
import { bashSyntaxErrors } from "./run-bash";

const target = { bucket: "koverse-backups", prefix: "koverse/prod" };
const postgres = { host: "127.0.0.1", port: 5432, user: "postgres", database: "koverse" };
const has = (script: string, line: string) => assert.ok(script.split("\n").includes(line), `missing line: ${line}`);

describe("platform backup script text", () => {
  it("pg_dumps to a local file, checks it, then uploads under a UTC stamp", () => {
    const script = metadataBackupScript(target, postgres);
    has(script, "readonly bucket='koverse-backups' dir='koverse/prod/postgres/koverse'");
    has(script, '  pg pg_dump --no-password --format=custom --file="$file" "$database" || die "pg_dump of $database failed"');
    has(script, '  pg_restore --list "$file" >/dev/null || die "pg_dump wrote an archive pg_restore cannot read"');
    has(script, "stamp=$(date -u +%Y%m%dT%H%M%SZ)");
    has(script, 'dump_database "$work/dump"');
    has(script, 'upload "$work/dump" "$dir/$stamp.dump"');
    has(script, '  aws_cli s3 cp --only-show-errors "$file" "s3://$bucket/$key" || die "upload of s3://$bucket/$key failed"');
  });

  it("restores in one transaction with owners and grants left to the target, then verifies", () => {
    const script = metadataRestoreScript(target, postgres, 1440);
    has(script, "readonly bucket='koverse-backups' dir='koverse/prod/postgres/koverse' max_age_minutes=1440");
    has(script, '  pg pg_restore --no-password --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$database" "$file" \\');
    has(script, "latest_backup \"$dir\" '^([0-9]{8}T[0-9]{6}Z)\\.dump$' \"$max_age_minutes\"");
    has(script, 'verify_database "$work/dump"');
  });

  it("tars the configuration directories relative to /", () => {
    const script = configBackupScript(target, "app-1", Object.values(KOVERSE_CONFIG_DIRS));
    has(script, "directories=('opt/koverse-server/conf' 'opt/koverse-webapp/conf')");
    has(script, 'tar -C / -czf "$work/config.tar.gz" "${directories[@]}" || die "tar failed"');
    has(script, 'upload "$work/config.tar.gz" "$dir/$stamp.tar.gz"');
    assert.throws(() => configBackupScript(target, "app-1", ["relative/conf"]), /not an absolute path/);
    assert.throws(() => configBackupScript(target, "app-1", []), /no directories/);
  });

  it("distcps the HDFS addons, pointing s3a at AWS_ENDPOINT_URL when set", () => {
    const script = addonsBackupScript(target, "/koverse/kv/addons");
    has(script, 'if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then s3a_options=(-Dfs.s3a.endpoint="$AWS_ENDPOINT_URL" -Dfs.s3a.path.style.access=true); fi');
    has(script, 'hadoop distcp ${s3a_options[@]+"${s3a_options[@]}"} "$addons" "s3a://$bucket/$dir/$stamp" || die "distcp of $addons failed"');
  });

  it("exports the five kv_* tables with the accumulo shell reading the password from the environment", () => {
    const script = accumuloExportScript(target, { accumuloUser: "root", hdfsExportDir: "/backup/accumulo-export" });
    has(script, "tables=('kv_index' 'kv_record' 'kv_samples' 'kv_field_stats' 'kv_schema')");
    has(script, 'shell() { log "accumulo shell: $1"; accumulo shell -u "$accumulo_user" -p env:ACCUMULO_PASSWORD -e "$1"; }');
  });

  it("places each backup on a host that can run it, and every script parses", async () => {
    const scripts = platformBackupScripts(parsePlatformConfig(haPlatform()));
    assert.deepEqual(scripts.map((s) => s.id), ["metadata-backup@master-3", "accumulo-export@master-1", "addons-backup@master-1", "config-backup@app-1"]);
    for (const s of scripts) assert.equal(await bashSyntaxErrors(s.script), "", s.id);
    const split = haPlatform();
    split.services.webApp = "master-2";
    const separate = platformBackupScripts(parsePlatformConfig(split)).filter((s) => s.id.startsWith("config-backup"));
    assert.deepEqual(separate.map((s) => s.id), ["config-backup@app-1", "config-backup@master-2"]);
    assert.ok(separate[1]!.script.includes("directories=('opt/koverse-webapp/conf')"));
    const none = haPlatform();
    delete none.backup;
    assert.deepEqual(platformBackupScripts(parsePlatformConfig(none)), []);
  });
});
