import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
    NOOP_COMMAND,
    SEARCH_CLI,
    bounceCommand,
    drainCommand,
    excludeSpotCommand,
    healthCommand,
    restoreSpotCommand,
    searchNodeName,
    undrainCommand,
    waitJoinedCommand,
} from "../../ops/search/commands";

/** The argv bash gives the CLI for a command string (the CLI replaced by a printer). */
function argvOf(script: string): string[] {
    // A leading shellcheck directive (a comment line) is not part of the command.
    const command = script.replace(/^#[^\n]*\n/, "");
    assert.ok(command.startsWith(`${SEARCH_CLI} `), command);
    const printer = `printf '%s\\0'${command.slice(SEARCH_CLI.length)}`;
    return execFileSync("bash", ["-c", printer], { encoding: "utf8" }).split("\0").slice(0, -1);
}

describe("command strings registered on the Pulumi command resources", () => {
    it("names nodes <configName>-g<generation>", () => {
        assert.equal(searchNodeName("backup-1", 0), "backup-1-g0");
        assert.equal(searchNodeName("spot-7", 12), "spot-7-g12");
    });

    it("drain passes node, timeout and the spot zone, and --absent-ok (the node may be gone); the endpoint stays in the environment", () => {
        const cmd = drainCommand({ node: "backup-1-g2", timeoutSeconds: 3600, spotZone: "spot" });
        assert.equal(cmd, "node dist/cli/search.js drain --node backup-1-g2 --timeout 3600 --spot-zone spot --absent-ok");
        assert.doesNotMatch(cmd, /endpoint|http/);
        assert.deepEqual(
            argvOf(drainCommand({ node: "b-g0", timeoutSeconds: 0.5, nodeConcurrentRecoveries: 6, maxBytesPerSec: "500mb", zoneAttribute: "pool" })),
            ["drain", "--node", "b-g0", "--timeout", "1", "--zone-attribute", "pool", "--recoveries", "6", "--max-bytes-per-sec", "500mb", "--absent-ok"],
        );
    });

    it("undrain, wait-joined, spot and health commands", () => {
        assert.deepEqual(argvOf(undrainCommand({ node: "b-g0", spotZone: "spot" })), ["undrain", "--node", "b-g0", "--spot-zone", "spot", "--absent-ok"]);
        assert.deepEqual(argvOf(waitJoinedCommand({ node: "b-g1", timeoutSeconds: 600 })), ["wait-joined", "--node", "b-g1", "--timeout", "600"]);
        assert.deepEqual(argvOf(excludeSpotCommand({ spotZone: "spot" })), ["exclude-spot", "--spot-zone", "spot"]);
        assert.deepEqual(argvOf(restoreSpotCommand({ spotZone: "spot", zoneAttribute: "zone" })), [
            "restore-spot",
            "--spot-zone",
            "spot",
            "--zone-attribute",
            "zone",
        ]);
        assert.deepEqual(argvOf(healthCommand({ status: "yellow", timeoutSeconds: 30 })), ["health", "--status", "yellow", "--timeout", "30"]);
        assert.equal(NOOP_COMMAND, "true");
    });

    it("bounce hands the restart command over as one argument, quotes and all", () => {
        const restart = `ssh -o 'BatchMode yes' ec2-user@10.0.0.7 "sudo supervisorctl restart es" && echo it's done`;
        assert.deepEqual(argvOf(bounceCommand({ node: "coordinator-g0", restart, timeoutSeconds: 900, allocation: "none" })), [
            "bounce",
            "--node",
            "coordinator-g0",
            "--restart",
            restart,
            "--timeout",
            "900",
            "--allocation",
            "none",
        ]);
    });

    it("refuses a non-positive timeout instead of building a command that waits forever or not at all", () => {
        assert.throws(() => drainCommand({ node: "b-g0", timeoutSeconds: 0 }), RangeError);
        assert.throws(() => waitJoinedCommand({ node: "b-g0", timeoutSeconds: Number.NaN }), RangeError);
    });
});
