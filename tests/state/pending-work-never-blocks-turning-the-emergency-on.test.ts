// The runbook's "Emergency Procedures" come first: unfinished work from an earlier update (a drain that
// cannot finish because the cluster is red) must not keep the operator from turning the emergency switch
// on. Only that update is exempt; while the switch is already on, or when the export cannot tell, the
// preview is refused as always.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { checkPending, deployedEmergency } from "../../ops/state/pending";
import { stackDoc } from "../support/graph";
import { repoRoot } from "../support/repo";
import { cleanExport, failedDrainExport } from "./fixtures";

type Export = { deployment: { resources: { type: string; outputs?: Record<string, any> }[] } };

/** The export with deployed.emergency set as the last update recorded it (undefined: never recorded). */
function withEmergency(e: Record<string, unknown>, emergency: unknown): Record<string, unknown> {
    const stack = (e as unknown as Export).deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
    if (emergency !== undefined) stack.outputs!.deployed.emergency = emergency;
    return e;
}
const recorded = (active: boolean) => ({ active, since: active ? "2026-11-30T03:00:00Z" : null, reason: active ? "cluster red" : null, etlFleets: [] });
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:AAAA" };

describe("npm run pending: turning the emergency switch on is never blocked by unfinished work", function () {
    this.timeout(60000);

    it("reads the deployed switch: off when never recorded, on/off as recorded, unknown when encrypted", () => {
        assert.equal(deployedEmergency(cleanExport()), "off");
        assert.equal(deployedEmergency(withEmergency(cleanExport(), recorded(true))), "on");
        assert.equal(deployedEmergency(withEmergency(cleanExport(), recorded(false))), "off");
        assert.equal(deployedEmergency(withEmergency(cleanExport(), SECRET)), "unknown");
        const e = cleanExport() as unknown as Export;
        e.deployment.resources[0].outputs!.deployed = SECRET;
        assert.equal(deployedEmergency(e as unknown as Record<string, unknown>), "unknown");
    });

    it("a failed drain with the switch turning on: passes, still lists the drain, says to finish it after the emergency", () => {
        for (const before of [undefined, recorded(false)]) {
            const r = checkPending(withEmergency(failedDrainExport(), before), "prod", true);
            assert.equal(r.ok, true);
            assert.ok("exempt" in r && r.exempt === "emergency");
            assert.equal(r.items.length, 2);
            assert.match(r.message, /this update turns the emergency switch on: it is not blocked/);
            assert.match(r.message, /activedata-search-backup-2-drain: the drain of a replaced or removed search data node has not finished/);
            assert.match(r.message, /After the emergency: finish this work/);
        }
    });

    it("while the switch is already on, or without it, the same drain refuses as always", () => {
        const on = checkPending(withEmergency(failedDrainExport(), recorded(true)), "prod", true);
        assert.equal(on.ok, false);
        assert.match(on.message, /finish it before changing anything else/);
        const without = checkPending(withEmergency(failedDrainExport(), recorded(false)), "prod", false);
        assert.equal(without.ok, false);
    });

    it("an export that cannot tell (deployed output encrypted) refuses, and says how to let the switch pass", () => {
        const r = checkPending(withEmergency(failedDrainExport(), SECRET), "prod", true);
        assert.equal(r.ok, false);
        assert.match(r.message, /does not say whether it is already on .*--show-secrets/);
    });

    describe("the CLI with --config (the stack file this update deploys)", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-pending-emergency-"));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));
        const cli = path.join(repoRoot(), "dist", "cli", "pending.js");
        const write = (name: string, body: string) => {
            const f = path.join(tmp, name);
            fs.writeFileSync(f, body);
            return f;
        };
        const stackFile = (emergency: unknown) => {
            const doc = stackDoc("prod");
            if (emergency !== undefined) doc.config["dataplat:emergency"] = emergency;
            return write(`Pulumi.prod-${Math.random().toString(36).slice(2)}.yaml`, stringify(doc));
        };
        const run = (...args: string[]) =>
            spawnSync(process.execPath, [cli, write("state.json", JSON.stringify(failedDrainExport())), "--stack", "prod", ...args], { encoding: "utf8" });

        it("switch on in the stack file: exit 0, the warning on stderr, nothing on stdout", () => {
            const r = run("--config", stackFile({ active: true, reason: "cluster red since 03:00" }));
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /turns the emergency switch on: it is not blocked/);
        });

        it("switch off or absent in the stack file: exit 2 as before", () => {
            assert.equal(run("--config", stackFile({ active: false })).status, 2);
            assert.equal(run("--config", stackFile(undefined)).status, 2);
            assert.equal(run().status, 2);
        });

        it("an invalid switch is refused with the file named (exit 2); a missing file is a usage error (64)", () => {
            const bad = run("--config", stackFile({ active: "yes" }));
            assert.equal(bad.status, 2);
            assert.match(bad.stderr, /dataplat:emergency is not valid/);
            assert.equal(run("--config", path.join(tmp, "nope.yaml")).status, 64);
        });
    });
});
