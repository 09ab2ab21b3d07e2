/**
 * Every command line under cli/ as a user meets it (issue 19): `--help` prints the usage on stdout and exits 0,
 * an unknown flag exits 64 with nothing on stdout, a wrong `--stack` exits 64 listing the stacks there are, a
 * refused change exits 2, and a reader that closes the pipe early (`| head`) ends the command quietly: exit 0 and
 * no EPIPE stack trace. The CLIs are found by listing cli/, so a new one is held to the same table.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../stacks/offline/root";

const root = repoRoot();
const distCli = path.join(root, "dist", "cli");
/** Modules of cli/ that are not entry points. */
const NOT_ENTRY_POINTS = new Set(["stack-cli"]);

const clis = fs
    .readdirSync(path.join(root, "cli"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_ENTRY_POINTS.has(n))
    .sort();

function run(cli: string, args: string[], input = "") {
    const r = spawnSync(process.execPath, [path.join(distCli, `${cli}.js`), ...args], {
        cwd: root,
        input,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, SEARCH_ENDPOINT: "" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `node CLI ARGS | head -c 1` in bash: the exit status of the CLI and its stderr. */
function intoHead(cli: string, args: string, input = ""): { code: number; stderr: string } {
    const script = `node ${JSON.stringify(path.join(distCli, `${cli}.js`))} ${args} 2>"$ERR" | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const err = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-cli-")), "stderr");
    const r = spawnSync("bash", ["-c", script], { cwd: root, input, encoding: "utf8", timeout: 120_000, env: { ...process.env, ERR: err } });
    assert.equal(r.status, 0, r.stderr);
    const stderr = fs.readFileSync(err, "utf8");
    fs.rmSync(path.dirname(err), { recursive: true, force: true });
    return { code: Number(r.stdout.trim()), stderr };
}

describe("every CLI: --help, usage errors, refusals and closed pipes share one table", function () {
    this.timeout(300_000);

    it("finds the CLIs of cli/", () => {
        for (const expected of ["emergency", "graph", "origin", "pending", "plan", "preflight", "search", "spot", "synth"])
            assert.ok(clis.includes(expected), `cli/${expected}.ts`);
    });

    for (const cli of clis) {
        describe(cli, () => {
            it("--help prints the usage on stdout and exits 0", () => {
                const r = run(cli, ["--help"]);
                assert.equal(r.code, 0, r.stderr);
                assert.match(r.stdout, /^usage:/i);
                assert.equal(r.stderr, "");
            });

            it("an unknown flag exits 64 with nothing on stdout", () => {
                const r = run(cli, ["--no-such-flag"]);
                assert.equal(r.code, 64, `${r.stdout}\n${r.stderr}`);
                assert.equal(r.stdout, "");
                assert.notEqual(r.stderr, "");
            });

            it("has an npm script that builds it when dist/ does not have it", () => {
                const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
                assert.equal(scripts[cli], `node dist/cli/${cli}.js`);
                assert.match(scripts[`pre${cli}`] ?? "", /npm run build --silent$/, `package.json has a pre${cli} script that builds`);
            });
        });
    }

    describe("a wrong --stack lists the stacks there are (exit 64)", () => {
        const cases: [string, string[]][] = [
            ["synth", ["--stack", "prdo"]],
            ["plan", ["--stack", "prdo"]],
            ["graph", ["--stack", "prdo"]],
            ["preflight", ["--stack", "prdo", "--print-region"]],
        ];
        for (const [cli, args] of cases) {
            it(`${cli} ${args.join(" ")}`, () => {
                const r = run(cli, args);
                assert.equal(r.code, 64, r.stderr);
                assert.equal(r.stdout, "");
                assert.match(r.stderr, /no stack 'prdo'.*The stacks are: prod, staging/);
                assert.doesNotMatch(r.stderr, /ENOENT/);
            });
        }

        it("a --previous or --config that is not there names the flag (exit 64)", () => {
            const r = run("synth", ["--stack", "prod", "--previous", "base/Pulumi.prod.yaml"]);
            assert.equal(r.code, 64, r.stderr);
            assert.match(r.stderr, /--previous base\/Pulumi\.prod\.yaml: no such file/);
            const c = run("plan", ["--stack", "prod", "--config", "nowhere.yaml"]);
            assert.equal(c.code, 64, c.stderr);
            assert.match(c.stderr, /--config nowhere\.yaml: no such file/);
        });
    });

    describe("refusals exit 2", () => {
        it("synth of a change the guardrails refuse", () => {
            const r = run("synth", ["--stack", "prod", "--previous", "Pulumi.prod.yaml", "--config", "examples/review/Pulumi.prod.add-two-origins.yaml"]);
            assert.equal(r.code, 2, r.stderr);
            assert.equal(r.stdout, "");
            assert.match(r.stderr, /origin\.hashstate/);
        });

        it("origin plan of a change released Kraken cannot express", () => {
            const r = run("origin", ["plan", "--from", "examples/origin/deployed.yaml", "--to", "examples/origin/proposed.yaml"]);
            assert.equal(r.code, 2, r.stderr);
            assert.equal((JSON.parse(r.stdout) as { allowed: boolean }).allowed, false);
        });
    });

    describe("a reader that closes the pipe early ends the command quietly", () => {
        const cases: [string, string, string?][] = [
            ["synth", "--stack prod"],
            ["plan", "--stack prod --format json"],
            ["graph", "--stack prod"],
            [
                "origin",
                "placement --hashstate examples/origin/hashstate.yaml --kraken runbook",
                Array.from({ length: 200_000 }, (_, i) => (i % 65536).toString(16).padStart(4, "0")).join("\n") + "\n",
            ],
        ];
        for (const [cli, args, input] of cases) {
            it(`${cli} ${args} | head -c 1`, () => {
                const r = intoHead(cli, args, input);
                assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\(node:/, r.stderr);
                assert.equal(r.code, 0, r.stderr);
            });
        }
    });
});
