// The preflight CLI end to end, in a copy of the project: usage (64), a refused stack file (2), failed checks (1),
// the region printed from the stack file, the build manifest it records and compares, and the Pulumi CLI version
// read from a stand-in `pulumi` script on PATH (NOT the Pulumi CLI, which cannot be installed here: it only
// answers `pulumi version`). AWS points at a closed port here, so every full run below also fails its aws line;
// tests/preflight/aws-credentials-against-moto.test.ts runs one where every check passes.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../peers/postgres/harness";
import { copyProject, pathWith, type ProjectCopy, runPreflight, stackFile, standInPulumi } from "./support";

describe("preflight CLI: exit codes, region, build manifest, Pulumi version", function () {
    let project: ProjectCopy;
    let tmp: string;
    let env: NodeJS.ProcessEnv;
    let current: string;

    before(async () => {
        project = copyProject();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-cli-"));
        current = standInPulumi("v3.214.0");
        const closed = await freePort();
        env = { PATH: pathWith(current), AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" };
        const recorded = await runPreflight(project.cli, ["--record-build"], env);
        assert.equal(recorded.code, 0, recorded.stderr);
    });
    after(() => {
        project?.remove();
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.rmSync(current, { recursive: true, force: true });
    });

    it("--help prints the usage and exits 0", async () => {
        const r = await runPreflight(project.cli, ["--help"], env);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^usage: npm run preflight -- --stack NAME --outputs FILE\|-/);
    });

    it("usage errors exit 64 and say what is missing", async () => {
        const cases: [string[], RegExp, unknown?][] = [
            [["--stack", "prod", "--bogus"], /Unknown option '--bogus'/],
            [["--outputs", "-"], /--stack is required/],
            [["--stack", "prod"], /--outputs is required/],
        ];
        for (const [args, message] of cases) {
            const r = await runPreflight(project.cli, args, env);
            assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
            assert.match(r.stderr, message);
        }
        const notJson = path.join(tmp, "not-json");
        fs.writeFileSync(notJson, "error: no stack named 'prod' found\n");
        const r = await runPreflight(project.cli, ["--stack", "prod", "--outputs", notJson], env);
        assert.equal(r.code, 64);
        assert.match(r.stderr, /not JSON.*pulumi stack output --stack NAME --json --show-secrets/);
    });

    it("a refused stack file exits 2 naming the problem", async () => {
        const file = stackFile(tmp, "staging", (c) => delete c["aws:region"]);
        const r = await runPreflight(project.cli, ["--stack", "staging", "--config", file], env, {});
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /aws:region: required/);
    });

    it("--print-region prints the stack file's aws:region", async () => {
        const file = stackFile(tmp, "staging", (c) => (c["aws:region"] = "eu-central-1"));
        const r = await runPreflight(project.cli, ["--stack", "staging", "--config", file, "--print-region"], env);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "eu-central-1\n");
        const prod = await runPreflight(project.cli, ["--stack", "prod", "--print-region"], env);
        assert.equal(prod.stdout, "us-west-2\n");
    });

    it("prints one line per check, asks STS in the stack's region, and exits 1 when any fails", async () => {
        const file = stackFile(tmp, "staging", (c) => (c["aws:region"] = "eu-central-1"));
        const r = await runPreflight(project.cli, ["--stack", "staging", "--config", file], env, {});
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.line("pulumi-cli")!, /^ok {3}pulumi-cli: v3\.214\.0 \(needs >=3\.207\.0\)$/);
        assert.match(
            r.line("aws")!,
            /^FAIL aws: STS in eu-central-1 at http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL\) did not answer: .*ECONNREFUSED.*; fix: give the runner outbound https to sts\.eu-central-1\.amazonaws\.com/,
        );
        assert.match(r.line("dist")!, /^ok {3}dist: \d+ built files match their sources/);
        assert.match(r.stderr, /preflight: 1 of \d+ checks failed for stack staging: fix them before `pulumi up`/);
        for (const l of r.stdout.trim().split("\n")) assert.match(l, /^(ok {2}|FAIL) [^:]+: /);
    });

    it("fails the Pulumi CLI check for an older CLI and for none on PATH", async () => {
        const old = standInPulumi("v3.206.1");
        try {
            const r = await runPreflight(project.cli, ["--stack", "staging"], { ...env, PATH: pathWith(old) }, {});
            assert.equal(r.code, 1);
            assert.match(
                r.line("pulumi-cli")!,
                /^FAIL pulumi-cli: v3\.206\.1 is older than the program needs \(>=3\.207\.0.*fix: upgrade the Pulumi CLI to 3\.207\.0 or later/,
            );
        } finally {
            fs.rmSync(old, { recursive: true, force: true });
        }
        const none = await runPreflight(project.cli, ["--stack", "staging"], { ...env, PATH: pathWith(tmp) }, {});
        assert.match(none.line("pulumi-cli")!, /^FAIL pulumi-cli: `pulumi version` did not run: no `pulumi` on PATH; fix: install the Pulumi CLI/);
    });

    it("fails the dist check when a source changed after the build, when dist/ was edited, and without a manifest", async () => {
        const source = path.join(project.root, "ops/search/commands.ts");
        const built = path.join(project.root, "dist/cli/search.js");
        const manifest = path.join(project.root, "dist/build-manifest.json");
        const keep = { source: fs.readFileSync(source), built: fs.readFileSync(built), manifest: fs.readFileSync(manifest) };
        try {
            fs.appendFileSync(source, "\n// edited after the build\n");
            let r = await runPreflight(project.cli, ["--stack", "staging"], env, {});
            assert.equal(r.code, 1);
            assert.match(
                r.line("dist")!,
                /^FAIL dist: dist\/ does not match the sources \(changed since the build: ops\/search\/commands\.ts\); fix: run `npm run build`/,
            );
            fs.writeFileSync(source, keep.source);
            fs.appendFileSync(built, "\n// edited by hand\n");
            r = await runPreflight(project.cli, ["--stack", "staging"], env, {});
            assert.match(r.line("dist")!, /^FAIL dist: .*changed after the build: dist\/cli\/search\.js/);
            fs.writeFileSync(built, keep.built);
            fs.rmSync(manifest);
            r = await runPreflight(project.cli, ["--stack", "staging"], env, {});
            assert.match(r.line("dist")!, /^FAIL dist: dist\/build-manifest\.json is missing.*fix: run `npm run build`/);
        } finally {
            fs.writeFileSync(source, keep.source);
            fs.writeFileSync(built, keep.built);
            fs.writeFileSync(manifest, keep.manifest);
        }
        const r = await runPreflight(project.cli, ["--stack", "staging"], env, {});
        assert.match(r.line("dist")!, /^ok {3}dist:/);
    });
});
