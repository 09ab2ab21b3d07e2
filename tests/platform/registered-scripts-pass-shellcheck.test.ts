/**
 * Every script the program registers for the platform and the control plane (service start/stop,
 * backup timers, backups, the metadata restore, headnode backup, recovery and first-headnode
 * scripts) passes shellcheck with no finding at any level. Fails (never skips) without shellcheck.
 */
import assert from "node:assert/strict";
import { parseControlPlaneConfig } from "../../ops/controlplane/config";
import {
    BACKUP_READY_MARKER,
    RECOVERY_UPDATE_SCRIPT,
    backupUserData,
    essentialChecks,
    firstHeadnodeScript,
    headnodeBackupScript,
    headnodeDatabase,
    recoveryScript,
} from "../../ops/controlplane/scripts";
import { parsePlatformConfig } from "../../ops/platform/config";
import { RESTORE_UPDATE_SCRIPT, platformBackupScripts, platformRestoreScript, serviceCommands } from "../../ops/platform/scripts";
import { backupTimerInstallScript, backupTimerRemoveScript } from "../../ops/platform/timers";
import { blessedControlPlane } from "../controlplane/fixtures";
import { checkScripts, requireShellcheck } from "../support/scripts";
import { haPlatform } from "./fixtures";

function registered(): Map<string, string> {
    const cp = parseControlPlaneConfig(blessedControlPlane());
    const platformInput = haPlatform();
    platformInput.backup = { ...platformInput.backup, restore: { acceptBackupStamp: "20240131T235959.123456789Z-master-3" } };
    const platform = parsePlatformConfig(platformInput);
    const out = new Map<string, string>([
        ["headnode-backup", headnodeBackupScript(cp, headnodeDatabase(cp), { readyMarker: BACKUP_READY_MARKER })],
        ["headnode-user-data", backupUserData(cp)],
        [
            "headnode-recovery",
            recoveryScript(
                cp,
                essentialChecks(cp, () => "10.0.0.1"),
                headnodeDatabase(cp),
                BACKUP_READY_MARKER,
            ),
        ],
        ["headnode-first", firstHeadnodeScript()],
        ["headnode-recovery-update", RECOVERY_UPDATE_SCRIPT],
        ["metadata-restore", platformRestoreScript(platform)!.script],
        ["metadata-restore-update", RESTORE_UPDATE_SCRIPT],
    ]);
    for (const s of platformBackupScripts(platform)) {
        out.set(s.id, s.script);
        out.set(`install ${s.id}`, backupTimerInstallScript(s, 60));
        out.set(`remove ${s.id}`, backupTimerRemoveScript(s));
    }
    for (const c of serviceCommands(platform).slice(0, 2)) {
        out.set(`start ${c.id}`, c.create);
        out.set(`stop ${c.id}`, c.delete);
    }
    return out;
}

describe("registered backup, restore and recovery scripts pass shellcheck", function () {
    this.timeout(120_000);
    before(requireShellcheck);
    it("bash -n and shellcheck find nothing in any of them", () => {
        const { checked, findings } = checkScripts([...registered()].map(([where, text]) => ({ where, text })));
        assert.ok(checked > 10, `checked ${checked} distinct scripts`);
        assert.deepEqual(findings, [], findings.join("\n"));
    });
});
