import assert from "node:assert/strict";
import { parsePlatformConfig } from "../../ops/platform/config";
import { configBackupScript, platformBackupScripts, platformRestoreScript } from "../../ops/platform/scripts";
import { haPlatform } from "./fixtures";
import { bashSyntaxErrors } from "./run-bash";

const target = { bucket: "koverse-backups", prefix: "koverse/prod" };
// The text of each backup script is checked whole by its golden file (tests/scripts/script-builders-match-golden-
// files.test.ts) and run for real in metadata-backup-and-restore.test.ts and accumulo-export-script.test.ts; what stays
// here is where each backup is placed and what a builder refuses.
describe("platform backup scripts: placement and refusals", () => {
    it("refuses configuration directories it cannot archive", () => {
        assert.throws(() => configBackupScript(target, "app-1", ["relative/conf"], { host: "app-1" }), /not an absolute path/);
        assert.throws(() => configBackupScript(target, "app-1", [], { host: "app-1" }), /no directories/);
    });

    it("places each backup on a host that can run it, and every script parses", async () => {
        const scripts = platformBackupScripts(parsePlatformConfig(haPlatform()));
        assert.deepEqual(
            scripts.map((s) => s.id),
            ["metadata-backup@master-3", "accumulo-export@master-1", "addons-backup@master-1", "config-backup@app-1"],
        );
        for (const s of scripts) assert.equal(await bashSyntaxErrors(s.script), "", s.id);
        assert.ok(scripts[0]!.script.includes("host_label='master-3'"));
        const split = haPlatform();
        split.services.webApp = "master-2";
        const separate = platformBackupScripts(parsePlatformConfig(split)).filter((s) => s.id.startsWith("config-backup"));
        assert.deepEqual(
            separate.map((s) => s.id),
            ["config-backup@app-1", "config-backup@master-2"],
        );
        assert.ok(separate[1]!.script.includes("directories=('opt/koverse-webapp/conf')"));
        const none = haPlatform();
        delete none.backup;
        assert.deepEqual(platformBackupScripts(parsePlatformConfig(none)), []);
        assert.equal(platformRestoreScript(parsePlatformConfig(haPlatform())), undefined, "no restore unless backup.restore is set");
    });
});
