/**
 * The README's quickstart ("Try it") as a newcomer runs it (issue 19): every command of its ```bash blocks is
 * taken from the README text and run exactly as written, in bash from the project root, and its output's shape
 * is checked (exit code, JSON that parses, the plan's and the refusal's lines). A command added to the README
 * without a check here fails, so the page cannot drift from what the commands do.
 *
 * One exception: the leading `npm ci && ` of the first command is not run. The suite runs on the installed tree
 * (`npm test` itself needs it; CI's .ci/run runs `npm ci` first), and a reinstall in the middle of the suite would
 * replace the node_modules the suite is running from. Everything after it runs as written.
 *
 * Also here: the example files the quickstart uses are the committed prod stack file with exactly the edit they
 * describe, the README stays under 10 KB, and every page of docs/ is linked from it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../../ops/config/errors";
import { parseStackConfig } from "../../ops/config/parse";
import { repoRoot } from "../../stacks/offline/root";
import { deepClone, rawFromDoc, stackDoc } from "../support/graph";

const root = repoRoot();
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** The text of the README section whose heading starts with `heading`, up to the next `## ` heading. */
function section(heading: string): string {
    const start = readme.indexOf(`\n## ${heading}`);
    assert.ok(start >= 0, `README has a "## ${heading}" section`);
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end < 0 ? undefined : end);
}

/** Every command line of the ```bash blocks of a text, in order. */
function bashCommands(text: string): string[] {
    const blocks = [...text.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks.flatMap((b) => b.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#")));
}

interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command line in bash (with pipefail, so a failing first stage is seen) on this process's Node. */
function runAsWritten(command: string): Run {
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };
    const r = spawnSync("bash", ["-o", "pipefail", "-c", command], { cwd: root, env, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const shown = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`;

/** What each quickstart command must print; matched on the command text. */
const CHECKS: { command: RegExp; check: (r: Run) => void }[] = [
    {
        command: /^npm run -s plan -- --stack prod$/,
        check: (r) => {
            assert.equal(r.code, 0, shown(r));
            assert.match(r.stdout, /^plan for stack prod: initial deployment/, "stdout is the plan only: no npm banner before it");
            assert.ok(r.stdout.length < 64 * 1024, `the first command prints a plan, not ${r.stdout.length} bytes`);
            const stated = /about (\d+) KB of text/.exec(section("Try it"));
            assert.ok(stated, "the README states the plan's size");
            assert.ok(
                Math.abs(r.stdout.length / 1024 - Number(stated[1])) < 2,
                `the plan is about ${stated[1]} KB as the README says, not ${(r.stdout.length / 1024).toFixed(1)}`,
            );
        },
    },
    {
        command: /^npm run -s synth -- --stack prod \| jq '\.resources \| length'$/,
        check: (r) => {
            assert.equal(r.code, 0, `${shown(r)}\n(jq must be installed: apt-get install jq)`);
            assert.match(r.stdout, /^\d+\n$/, "jq parsed the JSON on stdout and counted its resources");
            const stated = /counts the resources \((\d+)\)/.exec(section("Try it"));
            assert.ok(stated, "the README states the count");
            assert.equal(r.stdout.trim(), stated[1], "the count the README states");
        },
    },
    {
        command: /^npm run -s plan -- --stack prod --previous Pulumi\.prod\.yaml --config examples\/review\/Pulumi\.prod\.replace-search-node\.yaml$/,
        check: (r) => {
            assert.equal(r.code, 0, shown(r));
            assert.match(r.stdout, /^plan for stack prod: update from the previous stack file/);
            assert.match(r.stdout, /join spot-3-g1: create the spot node/);
            assert.match(r.stdout, /drain spot-3-g0 /);
            assert.match(r.stdout, /terminate spot-3-g0/);
            assert.doesNotMatch(r.stdout, /REFUSED/);
        },
    },
    {
        command: /^npm run -s plan -- --stack prod --previous Pulumi\.prod\.yaml --config examples\/review\/Pulumi\.prod\.add-two-origins\.yaml$/,
        check: (r) => {
            assert.equal(r.code, 2, shown(r));
            assert.match(r.stdout, /^plan for stack prod: refused: 1 refusal, nothing would change/);
            assert.match(r.stdout, /origin\.hashstate: .*2 host\(s\) added: kraken-origin-master05-sjc1, kraken-origin-master06-sjc1/);
        },
    },
    {
        command: /^printf '%s\\n' [0-9a-f]{64} 0a1b \| npm run -s origin -- placement --hashstate examples\/origin\/hashstate\.yaml --kraken runbook$/,
        check: (r) => {
            assert.equal(r.code, 0, shown(r));
            const lines = r.stdout
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { key: string; ordered: string[]; replicaSet: string[] });
            assert.deepEqual(
                lines.map((l) => l.key.length),
                [64, 4],
            );
            for (const l of lines) {
                assert.deepEqual([...l.ordered].sort(), ["origin0", "origin1", "origin2"]);
                assert.deepEqual(l.replicaSet, l.ordered.slice(0, 3));
            }
        },
    },
    {
        command: /^npm run -s origin -- plan --from examples\/origin\/deployed\.yaml --to examples\/origin\/proposed\.yaml --kraken runbook$/,
        check: (r) => {
            assert.equal(r.code, 0, shown(r));
            const plan = JSON.parse(r.stdout) as { allowed: boolean; change: { kind: string; host: string }; movement: { movedOverMinimum: number } };
            assert.equal(plan.allowed, true);
            assert.deepEqual([plan.change.kind, plan.change.host], ["add", "kraken-origin-master04-sjc1"]);
            assert.equal(plan.movement.movedOverMinimum, 1);
        },
    },
];

describe("the README's quickstart runs as written", function () {
    this.timeout(900_000);
    const commands = bashCommands(section("Try it"));

    it("has the two set-up commands first, then the review and origin examples", () => {
        assert.ok(commands.length >= 2, commands.join("\n"));
        assert.match(commands[0], /^npm ci && npm run -s plan -- --stack prod$/);
        assert.match(commands[1], /^npm run -s synth -- --stack prod \| jq /);
    });

    for (const [i, written] of commands.entries()) {
        it(`runs: ${written.length > 110 ? written.slice(0, 110) + "..." : written}`, () => {
            // The install is not run here (see the header); what follows it is run as written.
            const command = i === 0 ? written.replace(/^npm ci && /, "") : written;
            const checks = CHECKS.filter((c) => c.command.test(command));
            assert.equal(checks.length, 1, `a quickstart command needs exactly one output check in this test: ${command}`);
            checks[0].check(runAsWritten(command));
        });
    }

    it("every command checked here is in the README", () => {
        for (const c of CHECKS)
            assert.ok(
                commands.some((w) => c.command.test(w.replace(/^npm ci && /, ""))),
                `the README runs ${c.command}`,
            );
    });
});

describe("the files the quickstart uses", () => {
    /** Each example: the prod stack file with one edit. */
    const EXAMPLES: Record<string, (c: Record<string, any>) => void> = {
        "Pulumi.prod.replace-search-node.yaml": (c) => {
            c["dataplat:search"].spotNodes.find((n: { name: string }) => n.name === "spot-3").generation = 1;
        },
        "Pulumi.prod.add-two-origins.yaml": (c) => {
            c["dataplat:origin"].hashstate["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 };
            c["dataplat:origin"].hashstate["kraken-origin-master06-sjc1"] = { label: "origin5", weight: 15000 };
        },
    };
    for (const [file, edit] of Object.entries(EXAMPLES)) {
        it(`examples/review/${file} is Pulumi.prod.yaml with exactly its one edit`, () => {
            const expected = deepClone(stackDoc("prod"));
            edit(expected.config);
            const actual = parse(fs.readFileSync(path.join(root, "examples", "review", file), "utf8"));
            assert.deepEqual(actual, expected, "regenerate the example from Pulumi.prod.yaml with its edit");
        });
    }

    it("examples/origin: the runbook's hashstate, and a deployed/proposed pair that adds one origin", () => {
        const read = (f: string) => parse(fs.readFileSync(path.join(root, "examples", "origin", f), "utf8")) as { hashstate: Record<string, unknown> };
        assert.deepEqual(read("deployed.yaml"), read("hashstate.yaml"));
        const added = Object.keys(read("proposed.yaml").hashstate).filter((h) => !(h in read("deployed.yaml").hashstate));
        assert.deepEqual(added, ["kraken-origin-master04-sjc1"]);
    });

    it("the typo message the README quotes is the one the config gives", () => {
        const quoted = /`(unknown key dataplat:alerts \(did you mean '[^']+'\?\))`/.exec(readme);
        assert.ok(quoted, "the README quotes the message");
        const doc = deepClone(stackDoc("prod"));
        doc.config["dataplat:alerts"] = doc.config["dataplat:alerting"];
        delete doc.config["dataplat:alerting"];
        const raw = rawFromDoc(doc);
        assert.throws(
            () => parseStackConfig(raw.config, new Set(raw.secretKeys)),
            (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.message.startsWith(quoted[1])),
        );
    });
});

describe("the README is short and maps the docs", () => {
    it("is under 10 KB", () => assert.ok(Buffer.byteLength(readme) < 10 * 1024, `${Buffer.byteLength(readme)} bytes`));

    it("links every page of docs/", () => {
        for (const page of fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md"))) {
            assert.ok(readme.includes(`](docs/${page})`), `README links docs/${page}`);
        }
    });

    it("every relative link of the README and of docs/ points to a file that exists", () => {
        const pages = [
            ["README.md", readme],
            ...fs
                .readdirSync(path.join(root, "docs"))
                .filter((f) => f.endsWith(".md"))
                .map((f) => [`docs/${f}`, fs.readFileSync(path.join(root, "docs", f), "utf8")]),
        ];
        for (const [name, text] of pages) {
            for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
                const target = m[1];
                if (/^[a-z]+:/.test(target)) continue;
                const file = path.join(root, path.dirname(name), target);
                // docs/status.md is written with the status checks (cli/status.ts), in their own change.
                if (path.relative(root, file) === path.join("docs", "status.md")) continue;
                assert.ok(fs.existsSync(file), `${name} links ${target}, which does not exist`);
            }
        }
    });
});
