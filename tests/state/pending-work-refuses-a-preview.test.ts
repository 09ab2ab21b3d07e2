// `npm run pending`: unfinished work in the state (a failed drain of a replaced node, a replacement never
// created, an interrupted operation) refuses the preview with what to do; a clean state passes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkPending, pendingItems, StackExportError } from "../../ops/state/pending";
import { repoRoot } from "../support/repo";
import { cleanExport, failedDrainExport, interruptedExport, pendingReplacementExport, retiredNodeExport } from "./fixtures";

describe("pending work in the stack state (ops/state/pending.ts)", () => {
    it("a clean state has none", () => {
        const r = checkPending(cleanExport(), "prod");
        assert.equal(r.ok, true);
        assert.match(r.message, /^stack prod: no resource pending deletion or replacement, no interrupted operation$/);
    });

    it("a failed drain of a replaced data node: lists the old drain and instance by URN, says to re-run pulumi up and change nothing else", () => {
        const r = checkPending(failedDrainExport(), "prod");
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.items.map((i) => [i.kind, i.type, i.name]),
            [
                ["delete", "aws:ec2/instance:Instance", "activedata-search-backup-2"],
                ["delete", "command:local:Command", "activedata-search-backup-2-drain"],
            ],
        );
        assert.match(r.message, /^stack prod has unfinished work from an earlier update; finish it before changing anything else:/);
        assert.match(r.message, /activedata-search-backup-2-drain: the drain of a replaced or removed search data node has not finished/);
        assert.match(r.message, /urn:pulumi:prod::dataplat::dataplat:search:SearchCluster\$command:local:Command::activedata-search-backup-2-drain/);
        assert.match(r.message, /re-run `pulumi up` with the config that is deployed now/);
        assert.match(r.message, /do not change another data node/);
        assert.doesNotMatch(r.message, /pulumi refresh/);
    });

    it("a search node replaced by config whose old drain failed: its old resources, no longer in deployed.search, are unfinished work", () => {
        const r = checkPending(retiredNodeExport(), "prod");
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.items.map((i) => [i.kind, i.name]),
            [
                ["retired", "activedata-search-backup-2-g0-bbbbbbbb"],
                ["retired", "activedata-search-backup-2-g0-bbbbbbbb-drain"],
            ],
        );
        assert.match(r.message, /a search node that config no longer runs \(replaced or removed\) is still in the state/);
        assert.match(r.message, /do not change another data node/);
    });

    it("a delete-before-replace that never recreated its resource", () => {
        const r = checkPending(pendingReplacementExport());
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.items.map((i) => i.kind),
            ["pendingReplacement"],
        );
        assert.match(
            r.message,
            /activedata-search-backup-2 \(aws:ec2\/instance:Instance\): deleted for a delete-before-replace, its replacement was never created/,
        );
    });

    it("interrupted operations: unknown state, check in the cloud then pulumi refresh", () => {
        const r = checkPending(interruptedExport(), "prod");
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.items.map((i) => [i.kind, i.operation, i.name]),
            [
                ["operation", "creating", "activedata-search-spot-7"],
                ["operation", "deleting", "activedata-search-spot-6-drain"],
            ],
        );
        assert.match(r.message, /the CLI was interrupted while creating it; its real state is unknown/);
        assert.match(r.message, /`pulumi refresh` interactively/);
        assert.match(r.message, /--clear-pending-creates/);
    });

    it("accepts version 2 deployments, refuses newer versions and anything that is not an export", () => {
        const v2 = cleanExport() as any;
        v2.version = 2;
        assert.equal(checkPending(v2).ok, true);
        const v4 = cleanExport() as any;
        v4.version = 4;
        assert.throws(
            () => pendingItems(v4),
            (e: Error) => e instanceof StackExportError && /deployment version 4 is newer than this check reads \(3\)/.test(e.message),
        );
        assert.throws(() => pendingItems({ resources: [] }), StackExportError);
        assert.throws(() => pendingItems({ version: 3, deployment: { resources: [{ urn: 1 }] } }), /deployment\.resources\.0\.urn/);
        assert.equal(checkPending({ version: 3, deployment: { manifest: {} } }).ok, true, "a stack never deployed has no resources");
    });
});

describe("npm run pending (cli/pending.ts)", function () {
    this.timeout(30000);
    const cli = path.join(repoRoot(), "dist", "cli", "pending.js");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-pending-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, value: unknown) => {
        const f = path.join(dir, name);
        fs.writeFileSync(f, typeof value === "string" ? value : JSON.stringify(value, null, 2));
        return f;
    };

    it("exit 0 on a clean state (file argument)", () => {
        const r = spawnSync(process.execPath, [cli, file("clean.json", cleanExport()), "--stack", "prod"], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /stack prod: no resource pending deletion/);
    });

    it("exit 2 with the explanation on stderr when work is unfinished (stdin, as piped from pulumi stack export)", () => {
        const r = spawnSync(process.execPath, [cli, "--stack", "prod"], { input: JSON.stringify(failedDrainExport()), encoding: "utf8" });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /activedata-search-backup-2-drain: the drain of a replaced or removed search data node has not finished/);
        assert.match(r.stderr, /re-run `pulumi up`/);
    });

    it("exit 64 on input that is not a stack export, or on bad arguments", () => {
        assert.equal(spawnSync(process.execPath, [cli, file("bad.json", "{not json")], { encoding: "utf8" }).status, 64);
        const notExport = spawnSync(process.execPath, [cli, file("other.json", { resources: [] })], { encoding: "utf8" });
        assert.equal(notExport.status, 64);
        assert.match(notExport.stderr, /not the output of `pulumi stack export`/);
        assert.equal(spawnSync(process.execPath, [cli, "--nope"], { encoding: "utf8" }).status, 64);
    });
});
