import assert from "node:assert/strict";
import { parseControlPlaneConfig } from "../../ops/controlplane/config";
import {
    BACKUP_READY_MARKER,
    BACKUP_SCRIPT_PATH,
    backupUnits,
    backupUserData,
    essentialChecks,
    headnodeBackupScript,
    headnodeDatabase,
    recoveryScript,
} from "../../ops/controlplane/scripts";
import { bashSyntaxErrors } from "../platform/run-bash";
import { blessedControlPlane } from "./fixtures";

const config = parseControlPlaneConfig(blessedControlPlane());
const address = (host: string) => `10.0.0.${host.replace(/\D/g, "") || "1"}`;

// The text of the backup and recovery scripts is checked whole by their golden files (tests/scripts/
// script-builders-match-golden-files.test.ts) and run for real in headnode-backup-and-recovery.test.ts; what stays
// here is what the scripts are built from: the timer units, the files the user data embeds, the essential checks.
describe("headnode backup units, user data and essential checks", () => {
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
        assert.deepEqual(
            files,
            new Map([
                [BACKUP_SCRIPT_PATH, headnodeBackupScript(config, headnodeDatabase(config), { readyMarker: BACKUP_READY_MARKER })],
                ["/etc/systemd/system/dataplat-headnode-backup.service", backupUnits(config).service],
                ["/etc/systemd/system/dataplat-headnode-backup.timer", backupUnits(config).timer],
            ]),
        );
        assert.match(userData, /^chmod 0750 '\/usr\/local\/sbin\/dataplat-headnode-backup'$/m);
        assert.ok(userData.endsWith("systemctl daemon-reload\nsystemctl enable --now dataplat-headnode-backup.timer\n"));
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

    it("refuses to build a recovery that checks no essential", () => {
        assert.throws(() => recoveryScript(config, []), /no essential checks/);
    });
});
