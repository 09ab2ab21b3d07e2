// Every script builder's text, for inputs the committed stacks do not reach (the control plane's recovery with its
// ready marker, each emergency step, a shard-targeted repair, a TLS boot fragment, a default-heap node...), is byte for
// byte its golden file in tests/fixtures/scripts/builders/, parses with `bash -n`, and passes shellcheck. These
// replace the line-by-line text tests: a reviewer reads the whole changed text in the golden diff. The scripts run
// for real in the real-peer tests (tests/platform, tests/controlplane, tests/emergency, tests/origin*, tests/search*).
// To change a script on purpose:
//   DATAPLAT_WRITE_GOLDEN=1 npx mocha --no-config dist/tests/scripts/script-builders-match-golden-files.test.js

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
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
import { stepScripts } from "../../ops/emergency/scripts";
import { fillScript } from "../../ops/origin/fill";
import { originRolloutScript, releasedRolloutScript } from "../../ops/origin/rollout";
import { repairScript } from "../../ops/origin/scripts";
import { parsePlatformConfig } from "../../ops/platform/config";
import {
    KOVERSE_CONFIG_DIRS,
    RESTORE_UPDATE_SCRIPT,
    accumuloExportScript,
    addonsBackupScript,
    configBackupScript,
    metadataBackupScript,
    metadataRestoreScript,
    platformBackupScripts,
    startScript,
    stopScript,
} from "../../ops/platform/scripts";
import { backupTimerInstallScript, backupTimerRemoveScript } from "../../ops/platform/timers";
import {
    bounceCommand,
    drainCommand,
    excludeSpotCommand,
    healthCommand,
    restartEndpointNodeCommand,
    restoreSpotCommand,
    sshRestartCommand,
    undrainCommand,
    waitJoinedCommand,
    waitReachableCommand,
} from "../../ops/search/commands";
import { renderNodeUserData } from "../../ops/search/scripts";
import { securityBootFragment, securityParameterNames } from "../../ops/search/security";
import { rolloutCommand } from "../../ops/spot/commands";
import { blessedControlPlane } from "../controlplane/fixtures";
import { haPlatform } from "../platform/fixtures";
import { repoRoot } from "../support/repo";
import { checkScripts, requireShellcheck } from "../support/scripts";

const GOLDEN_DIR = path.join(repoRoot(), "tests", "fixtures", "scripts", "builders");
const WRITE = process.env.DATAPLAT_WRITE_GOLDEN === "1";

/** Every case: a file name and the builder's text. Values with quotes and spaces where a builder takes them. */
function cases(): [string, string][] {
    const out: [string, string][] = [];
    const add = (name: string, text: string) => out.push([name, text]);

    const target = { bucket: "koverse-backups", prefix: "koverse/prod" };
    const postgres = { host: "127.0.0.1", port: 5432, user: "postgres", database: "koverse" };
    add("platform-start-unit.sh", startScript("accumulo-tserver.service"));
    add("platform-stop-unit.sh", stopScript("accumulo-tserver.service", { timeoutSeconds: 60, pollSeconds: 2, settleSeconds: 0 }));
    add("platform-metadata-backup.sh", metadataBackupScript(target, postgres, { host: "meta-1" }));
    add("platform-metadata-restore.sh", metadataRestoreScript(target, postgres, 1440, "koverse_old", "20240131T235959.123456789Z-master-3"));
    add("platform-metadata-restore-update.sh", RESTORE_UPDATE_SCRIPT);
    add(
        "platform-config-backup.sh",
        configBackupScript(target, "app-1", Object.values(KOVERSE_CONFIG_DIRS), { host: "app-1", lockFile: "/run/lock/x.lock", lockWaitSeconds: 60 }),
    );
    add("platform-addons-backup.sh", addonsBackupScript(target, "/koverse/kv/addons", { host: "master-1" }));
    add("platform-accumulo-export.sh", accumuloExportScript(target, { accumuloUser: "root", hdfsExportDir: "/backup/accumulo-export" }, { host: "master-1" }));
    const backup = platformBackupScripts(parsePlatformConfig(haPlatform()))[0]!;
    add("platform-backup-timer-install.sh", backupTimerInstallScript(backup, 60));
    add("platform-backup-timer-remove.sh", backupTimerRemoveScript(backup));

    const cp = parseControlPlaneConfig(blessedControlPlane());
    const address = (host: string) => `10.0.0.${host.replace(/\D/g, "") || "1"}`;
    add("controlplane-headnode-backup.sh", headnodeBackupScript(cp, headnodeDatabase(cp), { readyMarker: BACKUP_READY_MARKER }));
    add("controlplane-headnode-user-data.sh", backupUserData(cp));
    add("controlplane-recovery.sh", recoveryScript(cp, essentialChecks(cp, address), headnodeDatabase(cp), BACKUP_READY_MARKER));
    add("controlplane-first-headnode.sh", firstHeadnodeScript());
    add("controlplane-recovery-update.sh", RECOVERY_UPDATE_SCRIPT);

    const emergency = {
        ssh: { user: "ec2-user", port: 22, sudo: true, supervisorConfig: "/etc/supervisor/supervisord.conf" },
        gates: { timeoutSeconds: 1800, pollSeconds: 10 },
        recentIndexes: { patterns: ["logs-*", "events-*"], windowHours: 24 },
        processTimeoutSeconds: 300,
    };
    for (const step of ["balancer", "frontend", "ingestion", "etl"] as const) {
        const s = stepScripts(step, { kind: step === "balancer" ? "systemd" : "supervisor", name: `${step}-svc`, batchSize: 5 }, emergency);
        add(`emergency-stop-${step}.sh`, s.stop);
        add(`emergency-resume-${step}.sh`, s.resume);
    }

    const hashstate = { "origin-1.example": { label: "origin0", weight: 100 }, "origin-2.example": { label: "origin1", weight: 50 } };
    add(
        "origin-runbook-rollout.sh",
        originRolloutScript({
            hashstate,
            replicas: 2,
            port: 15002,
            configPath: "/etc/kraken/origin/hashstate.yaml",
            serviceName: "kraken-origin",
            healthPath: "/health",
            timeoutSeconds: 300,
        }),
    );
    add(
        "origin-released-rollout.sh",
        releasedRolloutScript({
            hashstate,
            replicas: 2,
            port: 15002,
            host: "origin-1.example",
            configPath: "/etc/kraken/origin/ring.yaml",
            baseConfig: "base.yaml",
            serviceName: "kraken-origin",
            healthPath: "/health",
            timeoutSeconds: 300,
        }),
    );
    add("origin-repair-full.sh", repairScript({ host: "origin-1.example", port: 15002, timeoutSeconds: 600 }));
    add("origin-repair-shards.sh", repairScript({ host: "origin-1.example", port: 15002, timeoutSeconds: 600, shards: ["00ab", "ffff"] }));
    add(
        "origin-fill-and-cleanup.sh",
        fillScript({
            origins: [
                { host: "origin-1.example", member: "origin-1.example:15002", url: "http://origin-1.example:15002" },
                { host: "origin-2.example", member: "origin-2.example:15002", url: "http://origin-2.example:15002" },
            ],
            plan: {
                shards: [
                    { shard: "00ab", owners: ["origin-1.example", "origin-2.example"], stale: [] },
                    { shard: "ffff", owners: ["origin-2.example"], stale: ["origin-1.example"] },
                ],
                cleanup: ["origin-1.example"],
            },
            namespace: "docker/library",
            listUrl: "http://backend:9000/list",
            timeoutSeconds: 120,
        }),
    );

    const restart = sshRestartCommand({ host: "10.0.0.7", user: "ec2-user", heap: "31g", keyEnv: "SEARCH_SSH_KEY" });
    add(
        "search-drain.sh",
        drainCommand({
            node: "data-1-g2",
            timeoutSeconds: 86400,
            spotZone: "spot",
            zoneAttribute: "zone",
            nodeConcurrentRecoveries: 4,
            maxBytesPerSec: "200mb",
        }),
    );
    add("search-undrain.sh", undrainCommand({ node: "data-1-g2", spotZone: "spot" }));
    add("search-wait-joined.sh", waitJoinedCommand({ node: "data-1-g2", timeoutSeconds: 1800 }));
    add("search-exclude-spot.sh", excludeSpotCommand({ spotZone: "spot" }));
    add("search-restore-spot.sh", restoreSpotCommand({ spotZone: "spot", zoneAttribute: "zone" }));
    add("search-bounce-with-key.sh", bounceCommand({ node: "data-1-g2", restart, timeoutSeconds: 3600, allocation: "primaries" }));
    add(
        "search-bounce-with-agent.sh",
        bounceCommand({ node: "data-1-g2", restart: sshRestartCommand({ host: "10.0.0.7", user: "ec2-user", heap: "2g" }), timeoutSeconds: 600 }),
    );
    add("search-health.sh", healthCommand({ status: "green", timeoutSeconds: 30 }));
    add("search-wait-reachable.sh", waitReachableCommand({ timeoutSeconds: 1800 }));
    add("search-restart-endpoint-node.sh", restartEndpointNodeCommand({ restart, timeoutSeconds: 3600 }));
    const engine = { distribution: "opensearch", version: "2.19.1" } as const;
    const security = securityBootFragment({
        engine,
        configDir: "/etc/opensearch",
        user: "opensearch",
        parameters: securityParameterNames("/dataplat/prod/search/activedata"),
        region: "us-east-1",
    });
    add("search-tls-boot-fragment.sh", security);
    const layout = {
        service: "opensearch",
        user: "opensearch",
        configDir: "/etc/opensearch",
        configFile: "/etc/opensearch/opensearch.yml",
        dataDir: "/var/lib/opensearch",
        logDir: "/var/log/opensearch",
    };
    const yml = "cluster.name: activedata\nnode.name: data-1-g2\n";
    add(
        "search-user-data-heap-from-tag.sh",
        renderNodeUserData("activedata", layout, { nodeName: "data-1-g2", role: "backup", yml, dataVolume: true, heap: "heap-from-tag", security }),
    );
    add(
        "search-user-data-default-heap.sh",
        renderNodeUserData("activedata", layout, { nodeName: "coord-g0", role: "coordinator", yml, dataVolume: false, heap: "default-heap" }),
    );

    add("spot-rollout.sh", rolloutCommand({ batchSize: 2, pauseSeconds: 60, timeoutSeconds: 3600, maxPercentPerType: 0.5 }));
    return out;
}

describe("script builders match their golden files, parse and pass shellcheck", function () {
    this.timeout(120_000);
    before(requireShellcheck);
    const all = cases();

    it("each builder's text is its golden file, and no golden file is left over", () => {
        if (WRITE) fs.mkdirSync(GOLDEN_DIR, { recursive: true });
        const differ: string[] = [];
        for (const [name, text] of all) {
            const file = path.join(GOLDEN_DIR, name);
            if (WRITE) fs.writeFileSync(file, text);
            else if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) differ.push(name);
        }
        assert.deepEqual(differ, [], `differ from tests/fixtures/scripts/builders/: ${differ.join(", ")}`);
        assert.deepEqual(fs.readdirSync(GOLDEN_DIR).sort(), all.map(([n]) => n).sort(), "a golden file without a case, or a case without a file");
    });

    it("each parses (bash -n) and shellcheck reports nothing", () => {
        const { checked, findings } = checkScripts(all.map(([where, text]) => ({ where, text })));
        assert.equal(checked, all.length, "every case is a distinct text");
        assert.deepEqual(findings, [], findings.join("\n"));
    });
});
