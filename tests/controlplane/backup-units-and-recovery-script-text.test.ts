import assert from "node:assert/strict";
import { parseControlPlaneConfig } from "../../ops/controlplane/config";
import {
  BACKUP_READY_MARKER, BACKUP_SCRIPT_PATH, backupUnits, backupUserData, essentialChecks, firstHeadnodeScript, headnodeBackupScript,
  headnodeDatabase, recoveryScript,
} from "../../ops/controlplane/scripts";
import { bashSyntaxErrors } from "../platform/run-bash";
import { blessedControlPlane } from "./fixtures";

const config = parseControlPlaneConfig(blessedControlPlane());
const address = (host: string) => `10.0.0.${host.replace(/\D/g, "") || "1"}`;

describe("headnode backup units, user data and recovery script text", () => {
  it("runs the backup as a oneshot service every period minutes (the recovery point objective)", () => {
    assert.deepEqual(backupUnits(config), {
      service: [
        "[Unit]",
        "Description=dataplat headnode backup to s3://triton-headnode-backups/us-east-1/headnode",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        "EnvironmentFile=-/etc/dataplat/headnode-backup.env",
        "ExecStart=/usr/local/sbin/dataplat-headnode-backup",
        "TimeoutStartSec=60min",
        "",
      ].join("\n"),
      timer: [
        "[Unit]",
        "Description=dataplat headnode backup every 60 minutes (recovery point objective)",
        "",
        "[Timer]",
        "OnActiveSec=1min",
        "OnUnitActiveSec=60min",
        "AccuracySec=1min",
        "Unit=dataplat-headnode-backup.service",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
      ].join("\n"),
    });
    const faster = parseControlPlaneConfig({ ...blessedControlPlane(), backup: { ...blessedControlPlane().backup, periodMinutes: 15 } });
    assert.match(backupUnits(faster).timer, /^OnUnitActiveSec=15min$/m);
    assert.match(backupUnits(faster).service, /^TimeoutStartSec=15min$/m);
  });

  it("user data installs exactly the backup script and units, then enables the timer", async () => {
    const userData = backupUserData(config);
    assert.equal(await bashSyntaxErrors(userData), "");
    const files = new Map<string, string>();
    for (const m of userData.matchAll(/^cat > '([^']+)' <<'DATAPLAT_EOF'\n([\s\S]*?)^DATAPLAT_EOF$/gm)) files.set(m[1]!, m[2]!);
    assert.deepEqual(files, new Map([
      [BACKUP_SCRIPT_PATH, headnodeBackupScript(config, headnodeDatabase(config), { readyMarker: BACKUP_READY_MARKER })],
      ["/etc/systemd/system/dataplat-headnode-backup.service", backupUnits(config).service],
      ["/etc/systemd/system/dataplat-headnode-backup.timer", backupUnits(config).timer],
    ]));
    assert.match(userData, /^chmod 0750 '\/usr\/local\/sbin\/dataplat-headnode-backup'$/m);
    assert.ok(userData.endsWith("systemctl daemon-reload\nsystemctl enable --now dataplat-headnode-backup.timer\n"));
  });

  it("backs up one unit under flock: database and roles first, the image store's tarball next, the manifest last", async () => {
    const script = headnodeBackupScript(config);
    assert.equal(await bashSyntaxErrors(script), "");
    const lines = script.split("\n");
    for (const line of [
      "set -euo pipefail",
      "readonly bucket='triton-headnode-backups' unit_root='us-east-1/headnode/units' image_store='/var/imgapi/images' host_label='headnode'",
      "readonly max_skew_seconds=300 lock_file='/run/lock/dataplat-headnode-backup.lock' lock_wait_seconds=3600",
      "readonly pg_host='127.0.0.1' pg_port='5432' pg_user='postgres' database='moray'",
      'aws_cli() { aws ${AWS_ENDPOINT_URL:+--endpoint-url "$AWS_ENDPOINT_URL"} --cli-connect-timeout 10 --cli-read-timeout 300 "$@"; }',
      '  pg pg_dump --no-password --format=custom --file="$file" "$database" || die "pg_dump of $database failed"',
      '  pg pg_dumpall --no-password --roles-only --no-role-passwords --file="$file" || die "pg_dumpall --roles-only failed"',
      "  time=$(date -u +%Y%m%dT%H%M%S.%NZ)",
    ]) assert.ok(lines.includes(line), line);
    const order = [
      "take_lock",
      "unit_begin \"$unit_root\" 'headnode' \"$host_label\"",
      'dump_database "$work/database.dump"',
      'dump_roles "$work/roles.sql"',
      'upload_part "$work/database.dump" database.dump',
      'upload_part "$work/roles.sql" roles.sql',
      'tar_archive "$work/images.tar.gz" "$image_store" .',
      'upload_part "$work/images.tar.gz" images.tar.gz',
      "unit_commit",
    ].map((line) => {
      const i = lines.indexOf(line);
      assert.ok(i >= 0, line);
      return i;
    });
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it("checks every essential instance off the headnode, with its own probe", () => {
    assert.deepEqual(essentialChecks(config, address), [
      { name: "binder@cn-1", probe: "zookeeper", host: "10.0.0.1", port: 2181 },
      { name: "binder@cn-2", probe: "zookeeper", host: "10.0.0.2", port: 2181 },
      { name: "manatee@cn-1", probe: "postgres", host: "10.0.0.1", port: 5432, user: "postgres" },
      { name: "manatee@cn-2", probe: "postgres", host: "10.0.0.2", port: 5432, user: "postgres" },
      { name: "moray@cn-1", probe: "tcp", host: "10.0.0.1", port: 2020 },
      { name: "moray@cn-2", probe: "tcp", host: "10.0.0.2", port: 2020 },
    ]);
  });

  it("recovery probes, then restores, in the order that writes nothing before every check passed", async () => {
    const script = recoveryScript(config, essentialChecks(config, address));
    assert.equal(await bashSyntaxErrors(script), "");
    const lines = script.split("\n");
    const at = (line: string) => {
      const i = lines.indexOf(line);
      assert.ok(i >= 0, line);
      return i;
    };
    const order = [
      "probe_zookeeper 'binder@cn-1' '10.0.0.1' '2181' || unhealthy=$(( unhealthy + 1 ))",
      "probe_postgres 'manatee@cn-2' '10.0.0.2' '5432' 'postgres' || unhealthy=$(( unhealthy + 1 ))",
      "probe_tcp 'moray@cn-2' '10.0.0.2' '2020' || unhealthy=$(( unhealthy + 1 ))",
      '(( unhealthy == 0 )) || die "$unhealthy essential instance(s) unhealthy; refusing to recover the headnode against a cluster that cannot be trusted"',
      "choose_unit \"$unit_root\" 'headnode' \"$max_age_minutes\" 'database.dump' 'roles.sql' 'images.tar.gz'",
      'check_archive "$work/unit/database.dump"',
      "require_absent_target",
      'tar -C "$staging" -xzf "$work/unit/images.tar.gz" || die "extracting the image store failed"',
      'tar -C "$staging" --compare -zf "$work/unit/images.tar.gz" >/dev/null || die "$staging differs from the archive after extraction"',
      'restore_unit "$work/unit/database.dump" "$work/unit/roles.sql"',
      'mv -T "$staging" "$image_store" || die "cannot move $staging to $image_store"',
      "restore_commit",
    ].map(at);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.ok(lines.includes("readonly bucket='triton-headnode-backups' unit_root='us-east-1/headnode/units' image_store='/var/imgapi/images' max_age_minutes=60"));
    assert.ok(lines.includes("readonly max_skew_seconds=300 accept_hint='controlPlane.recovery.acceptBackupStamp' staging='/var/imgapi/images.dataplat-restoring'"));
  });

  it("the installed backup skips its runs until the ready marker exists, before touching the bucket", () => {
    const lines = headnodeBackupScript(config, headnodeDatabase(config), { readyMarker: BACKUP_READY_MARKER }).split("\n");
    const gate = lines.indexOf("if [[ ! -e '/var/lib/dataplat/headnode-backup-enabled' ]]; then");
    assert.ok(gate > 0, "gate present");
    assert.equal(lines[gate + 2], "  exit 0");
    assert.ok(gate < lines.findIndex((l) => l.startsWith("readonly bucket=")), "the gate comes before any bucket access");
    assert.ok(!headnodeBackupScript(config).includes("headnode-backup-enabled"), "without a marker, no gate");
  });

  it("recovery writes the ready marker last, after both verifications; the first headnode writes it alone", async () => {
    const lines = recoveryScript(config, essentialChecks(config, address), headnodeDatabase(config), BACKUP_READY_MARKER).split("\n");
    const mark = lines.findIndex((l) => l.startsWith("touch '/var/lib/dataplat/headnode-backup-enabled' || die"));
    assert.ok(mark > lines.indexOf('restore_unit "$work/unit/database.dump" "$work/unit/roles.sql"'));
    assert.ok(mark > lines.indexOf('mv -T "$staging" "$image_store" || die "cannot move $staging to $image_store"'));
    assert.ok(mark < lines.indexOf("restore_commit"));
    assert.ok(!recoveryScript(config, essentialChecks(config, address)).includes("headnode-backup-enabled"));
    const first = firstHeadnodeScript();
    assert.equal(await bashSyntaxErrors(first), "");
    assert.ok(first.split("\n").includes("touch '/var/lib/dataplat/headnode-backup-enabled' || die 'cannot write /var/lib/dataplat/headnode-backup-enabled'"));
    assert.ok(!/aws|pg_|tar /.test(first), "the first headnode restores nothing");
  });

  it("refuses to build a recovery that checks no essential", () => {
    assert.throws(() => recoveryScript(config, []), /no essential checks/);
  });
});
