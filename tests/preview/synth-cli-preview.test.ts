// `npm run synth -- --preview`: the graph of a first real `pulumi preview`, computed values printed as unknown.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { UNKNOWN } from "../../stacks/offline/evaluate";
import { stackDoc } from "../support/graph";
import { repoRoot } from "../support/repo";

const synth = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repoRoot(), "dist", "cli", "synth.js"), ...args], {
        encoding: "utf8",
        cwd: repoRoot(),
        maxBuffer: 256 * 1024 * 1024,
    });

describe("npm run synth -- --preview", function () {
    this.timeout(60_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-synth-preview-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("prints every resource with its inputs, the computed ones unknown", () => {
        const known = synth("--stack", "staging");
        const preview = synth("--stack", "staging", "--preview");
        assert.equal(preview.status, 0, preview.stderr);
        assert.match(preview.stderr, /\(preview: computed values unknown\)/);
        const g = JSON.parse(preview.stdout);
        const k = JSON.parse(known.stdout);
        assert.deepEqual(
            g.resources.map((r: any) => r.urn),
            k.resources.map((r: any) => r.urn),
        );
        const instance = g.resources.find((x: any) => x.type === "aws:ec2/instance:Instance");
        assert.equal(instance.inputs.iamInstanceProfile, UNKNOWN);
        assert.match(instance.inputs.instanceType, /\./);
        assert.ok(!preview.stdout.includes('"10.1'), "no mock private IP");
    });

    it("exits 2 with the path for a config refused only since the check left the components", () => {
        const doc = stackDoc("staging");
        doc.config["dataplat:network"].operatorCidrs = ["0.0.0.0/1", "128.0.0.0/1"];
        const file = path.join(tmp, "open.yaml");
        fs.writeFileSync(file, stringify(doc));
        const r = synth("--stack", "staging", "--config", file, "--preview");
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /network\.operatorCidrs: together these networks are the whole IPv4 internet/);
        assert.equal(r.stdout, "");
    });
});
