/**
 * The systemd timers that run the platform's backups: their exact unit text, and the install and
 * remove scripts run for real against a scripted systemctl, writing into a scratch root.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parsePlatformConfig } from "../../ops/platform/config";
import { layerGraph } from "../../ops/platform/layers";
import { platformBackupScripts } from "../../ops/platform/scripts";
import {
    backupNeeds,
    backupTimerFiles,
    backupTimerInstallScript,
    backupTimerRemoveScript,
    backupUnitName,
    timerUnits,
    type TimerPaths,
} from "../../ops/platform/timers";
import { haPlatform } from "./fixtures";
import { bashSyntaxErrors, runBash } from "./run-bash";

const config = parsePlatformConfig(haPlatform());
const scripts = platformBackupScripts(config);
const metadata = scripts.find((s) => s.id === "metadata-backup@master-3")!;

describe("platform backup timers", () => {
    it("names the unit after the backup kind and runs it as a oneshot every period", () => {
        assert.deepEqual(scripts.map(backupUnitName), [
            "dataplat-metadata-backup",
            "dataplat-accumulo-export",
            "dataplat-addons-backup",
            "dataplat-config-backup",
        ]);
        assert.deepEqual(
            timerUnits(
                "dataplat-metadata-backup",
                "dataplat metadata-backup",
                "/usr/local/sbin/dataplat-metadata-backup",
                360,
                "/etc/dataplat/dataplat-metadata-backup.env",
            ),
            {
                service: [
                    "[Unit]",
                    "Description=dataplat metadata-backup",
                    "Wants=network-online.target",
                    "After=network-online.target",
                    "",
                    "[Service]",
                    "Type=oneshot",
                    "EnvironmentFile=-/etc/dataplat/dataplat-metadata-backup.env",
                    "ExecStart=/usr/local/sbin/dataplat-metadata-backup",
                    "TimeoutStartSec=360min",
                    "",
                ].join("\n"),
                timer: [
                    "[Unit]",
                    "Description=dataplat metadata-backup, every 360 minutes",
                    "",
                    "[Timer]",
                    "OnActiveSec=5min",
                    "OnUnitActiveSec=360min",
                    "AccuracySec=1min",
                    "Unit=dataplat-metadata-backup.service",
                    "",
                    "[Install]",
                    "WantedBy=timers.target",
                    "",
                ].join("\n"),
            },
        );
        assert.throws(() => timerUnits("u", "d", "/x", 0, "/e"), /whole minutes > 0/);
    });

    it("installs the backup script itself, unchanged, with its units", () => {
        const files = backupTimerFiles(metadata, 360);
        assert.deepEqual(
            [...files.keys()],
            [
                "/usr/local/sbin/dataplat-metadata-backup",
                "/etc/systemd/system/dataplat-metadata-backup.service",
                "/etc/systemd/system/dataplat-metadata-backup.timer",
            ],
        );
        assert.equal(files.get("/usr/local/sbin/dataplat-metadata-backup"), metadata.script);
    });

    it("embeds a script holding the heredoc terminator whole, under another terminator (the shell toolkit's heredoc)", () => {
        const text = backupTimerInstallScript({ ...metadata, script: "echo a\nDATAPLAT_EOF\nrm -rf /\n" }, 60);
        assert.ok(
            text.includes(
                ">/dev/null <<'DATAPLAT_EOF_1' || die 'cannot write /usr/local/sbin/dataplat-metadata-backup'\necho a\nDATAPLAT_EOF\nrm -rf /\nDATAPLAT_EOF_1\n",
            ),
            text,
        );
    });

    it("a backup needs the services it reads: pg_dump its PostgreSQL, the export Accumulo, the addons HDFS, a config tarball its host's Koverse", () => {
        const instances = layerGraph(config).instances;
        assert.deepEqual(Object.fromEntries(scripts.map((s) => [s.id, backupNeeds(instances, s)])), {
            "metadata-backup@master-3": ["postgresql@master-3"],
            "accumulo-export@master-1": [
                "accumulo-master@master-1",
                "accumulo-master@master-2",
                "accumulo-tserver@worker-1",
                "accumulo-tserver@worker-2",
                "accumulo-tserver@worker-3",
            ],
            "addons-backup@master-1": ["datanode@worker-1", "datanode@worker-2", "datanode@worker-3", "namenode@master-1", "namenode@master-2"],
            "config-backup@app-1": ["koverse-server@app-1", "koverse-webapp@app-1"],
        });
    });

    describe("against a scripted systemctl", () => {
        let root: string;
        let stub: string;
        let paths: TimerPaths;
        beforeEach(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-timers-"));
            stub = path.join(root, "stub");
            fs.mkdirSync(stub);
            paths = { sbinDir: path.join(root, "sbin"), unitDir: path.join(root, "units"), envDir: path.join(root, "env") };
            fs.writeFileSync(
                path.join(stub, "systemctl"),
                [
                    "#!/usr/bin/env bash",
                    'echo "$*" >> "$STUB/calls"',
                    'case "$1" in',
                    '  is-enabled) cat "$STUB/enabled" ;;',
                    '  is-active) cat "$STUB/active" ;;',
                    "esac",
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
            fs.writeFileSync(path.join(stub, "enabled"), "enabled\n");
            fs.writeFileSync(path.join(stub, "active"), "active\n");
        });
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
        const run = (script: string) => runBash(script, { ...process.env, STUB: stub, PATH: `${stub}${path.delimiter}${process.env.PATH}` });
        const calls = () => (fs.existsSync(path.join(stub, "calls")) ? fs.readFileSync(path.join(stub, "calls"), "utf8").trim().split("\n") : []);

        it("install writes exactly the script and units, reloads systemd, enables and starts the timer, and checks it", async () => {
            const script = backupTimerInstallScript(metadata, 360, paths);
            assert.equal(await bashSyntaxErrors(script), "");
            const result = await run(script);
            assert.equal(result.status, 0, result.stderr);
            for (const [file, text] of backupTimerFiles(metadata, 360, paths)) assert.equal(fs.readFileSync(file, "utf8"), text, file);
            assert.equal(fs.statSync(path.join(paths.sbinDir, "dataplat-metadata-backup")).mode & 0o777, 0o750);
            assert.equal(fs.statSync(path.join(paths.unitDir, "dataplat-metadata-backup.timer")).mode & 0o777, 0o644);
            assert.deepEqual(calls(), [
                "daemon-reload",
                "enable --now dataplat-metadata-backup.timer",
                "is-enabled dataplat-metadata-backup.timer",
                "is-active dataplat-metadata-backup.timer",
            ]);
            assert.match(result.stderr, /dataplat-metadata-backup\.timer installed: every 360 minutes/);
        });

        it("install fails when systemd does not report the timer enabled", async () => {
            fs.writeFileSync(path.join(stub, "enabled"), "disabled\n");
            const result = await run(backupTimerInstallScript(metadata, 360, paths));
            assert.equal(result.status, 1);
            assert.match(result.stderr, /FAILED: dataplat-metadata-backup\.timer is not enabled/);
        });

        it("remove disables the timer and deletes its files; with nothing installed it only reloads", async () => {
            assert.equal((await run(backupTimerInstallScript(metadata, 360, paths))).status, 0);
            fs.rmSync(path.join(stub, "calls"));
            const removed = await run(backupTimerRemoveScript(metadata, paths));
            assert.equal(removed.status, 0, removed.stderr);
            assert.deepEqual(calls(), ["disable --now dataplat-metadata-backup.timer", "daemon-reload"]);
            for (const file of backupTimerFiles(metadata, 360, paths).keys()) assert.equal(fs.existsSync(file), false, file);
            fs.rmSync(path.join(stub, "calls"));
            const again = await run(backupTimerRemoveScript(metadata, paths));
            assert.equal(again.status, 0, again.stderr);
            assert.deepEqual(calls(), ["daemon-reload"]);
        });
    });
});
