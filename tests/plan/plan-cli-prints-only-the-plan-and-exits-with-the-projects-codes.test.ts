/**
 * The `npm run plan` command line: stdout is the plan only (text, Markdown or JSON), a refused change prints its
 * refusals with their fixes and exits 2, --help exits 0, bad usage 64, and a reader that closes the pipe early
 * ends the command quietly. The README's first command is this plan for prod.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlanDocument } from "../../ops/plan/document";
import { commentMarker } from "../../ops/plan/render";
import { repoRoot } from "../../stacks/offline/root";
import { stackDoc } from "../support/graph";
import { editedProd, stackFileOf } from "./support";

const root = repoRoot();
const cli = path.join(root, "dist/cli/plan.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });

describe("plan CLI", function () {
    this.timeout(60_000);

    it("prints the prod plan as text on stdout, nothing else, and exits 0", () => {
        const r = run("--stack", "prod");
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^plan for stack prod: initial deployment/);
        assert.match(r.stdout, /^\d+\. search cluster \(initial deployment\)$/m);
        assert.match(r.stdout, /^resources: \d+ created$/m);
        assert.equal(r.stderr, "");
    });

    it("--format md starts with the stack's comment marker; --format json is the plan document", () => {
        const md = run("--stack", "staging", "--format", "md");
        assert.equal(md.status, 0, md.stderr);
        assert.equal(md.stdout.split("\n")[0], commentMarker("staging"));
        const json = run("--stack", "staging", "--format", "json");
        assert.equal(json.status, 0, json.stderr);
        const doc = JSON.parse(json.stdout) as PlanDocument;
        assert.equal(doc.stack, "staging");
        assert.equal(doc.change, "initial deployment");
        assert.ok(doc.sections.some((s) => s.key === "search" && s.steps.length > 0));
    });

    it("with --previous, a refused double change prints each refusal with its fix and exits 2", () => {
        const base = stackFileOf(stackDoc("prod") as never);
        const next = stackFileOf(editedProd("refused double change"));
        try {
            const r = run("--stack", "prod", "--previous", base.file, "--config", next.file, "--format", "md");
            assert.equal(r.status, 2, r.stderr);
            assert.equal(r.stdout.split("\n")[0], commentMarker("prod"));
            assert.match(r.stdout, /^## Plan for stack `prod`: refused: 1 refusal, nothing would change$/m);
            assert.match(
                r.stdout,
                /^- search: this update would replace or remove 2 cluster-manager-eligible nodes at once: master-1-g0 .*master-2-g0 .*change one per update\.$/m,
            );
            assert.doesNotMatch(r.stdout, /### Resources/);
        } finally {
            base.remove();
            next.remove();
        }
    });

    it("--help exits 0 with the usage on stdout; bad usage exits 64", () => {
        const help = run("--help");
        assert.equal(help.status, 0);
        assert.match(help.stdout, /^usage: npm run -s plan -- --stack <name> \[--previous FILE\] \[--config FILE\] \[--format md\|text\|json\]$/m);
        assert.equal(run().status, 64);
        assert.equal(run("--stack", "prod", "--format", "html").status, 64);
        assert.equal(run("--stack", "prod", "--bogus").status, 64);
    });

    it("a reader that closes the pipe before the plan is written ends the command quietly (exit 0, no error)", () => {
        const r = spawnSync("bash", ["-c", 'set -o pipefail; "$0" "$1" --stack prod | true', process.execPath, cli], { cwd: root, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, "");
    });

    it("the README's first command is this plan for prod, on the committed stack files, with npm's banner off", () => {
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        const setup = readme.slice(readme.indexOf("## Try it"));
        const firstCommand = setup.slice(setup.indexOf("```bash") + 8).split("\n")[0];
        assert.match(firstCommand, /^npm ci && npm run -s plan -- --stack prod\b/);
    });
});
