import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { repoRoot } from "../support/repo";
import { stackDoc } from "../support/graph";

const synth = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repoRoot(), "dist", "cli", "synth.js"), ...args], {
        encoding: "utf8",
        cwd: repoRoot(),
        maxBuffer: 256 * 1024 * 1024,
    });

describe("npm run synth (offline synth CLI)", function () {
    this.timeout(60000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-synth-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("prints the prod graph as JSON with URNs, types, parents, dependencies and inputs", () => {
        const r = synth("--stack", "prod");
        assert.equal(r.status, 0, r.stderr);
        const g = JSON.parse(r.stdout);
        assert.equal(g.stack, "prod");
        assert.ok(g.resources.length > 150);
        const inst = g.resources.find((x: any) => x.type === "aws:ec2/instance:Instance");
        assert.ok(inst.urn.startsWith("urn:pulumi:prod::dataplat::"));
        assert.ok(inst.parent && inst.dependsOn.length >= 2 && inst.inputs.instanceType);
    });

    it("writes the staging graph to --out", () => {
        const out = path.join(tmp, "staging.json");
        const r = synth("--stack", "staging", "--out", out);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(JSON.parse(fs.readFileSync(out, "utf8")).stack, "staging");
    });

    it("exits 2 with the path-naming message for a bad --config", () => {
        const doc = stackDoc("staging");
        doc.config["dataplat:network"].operatorCidrs = ["0.0.0.0/0"];
        const file = path.join(tmp, "bad.yaml");
        fs.writeFileSync(file, stringify(doc));
        const r = synth("--stack", "staging", "--config", file);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /network\.operatorCidrs\[0\]: operator access from anywhere/);
        assert.equal(r.stdout, "");
    });

    it("with --previous, refuses a change that the deployed stack forbids (a pull request review)", () => {
        const base = path.join(repoRoot(), "Pulumi.prod.yaml");
        const doc = stackDoc("prod");
        doc.config["dataplat:buckets"].backups.purpose = "data";
        doc.config["dataplat:buckets"].archive = { purpose: "backup" };
        const pr = path.join(tmp, "pr.yaml");
        fs.writeFileSync(pr, stringify(doc));
        const r = synth("--stack", "prod", "--config", pr, "--previous", base);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /buckets\.backups: a prod backup bucket cannot be removed/);
        const same = synth("--stack", "prod", "--previous", base);
        assert.equal(same.status, 0, same.stderr);
    });

    it("rejects unknown flags with usage", () => {
        const r = synth("--stak", "prod");
        assert.equal(r.status, 64);
        assert.match(r.stderr, /usage: npm run synth/);
    });
});
