// The GitHub workflows as written: every job that runs `pulumi up` runs on a self-hosted runner labelled for its
// stack (the labels "Deploying for real", docs/deploying.md, documents and .github/actionlint.yaml declares), runs the
// preflight for that stack before `up`, takes the region from the stack file, holds a concurrency group of its
// own stack that never cancels a running update, and uses no stored AWS keys; preview stays on GitHub-hosted
// runners; no workflow names a region. And actionlint passes on all of them (it must be installed: the test fails
// with how to install it, never skips).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../stacks/offline/root";
import { cleanExport, failedDrainExport } from "../state/fixtures";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    id?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    "runs-on": string | string[];
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
    jobs: Record<string, Job>;
}

const root = repoRoot();
const dir = path.join(root, ".github/workflows");
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const read = (f: string) => parse(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow;
const isUp = (s: Step) => (s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up") || /\bpulumi up\b/.test(s.run ?? "");
const readmeSection = (() => {
    const text = fs.readFileSync(path.join(root, "docs", "deploying.md"), "utf8");
    assert.ok(text.startsWith("# Deploying for real\n"), 'docs/deploying.md is "Deploying for real"');
    assert.match(fs.readFileSync(path.join(root, "README.md"), "utf8"), /\[Deploying for real\]\(docs\/deploying\.md\)/, "the README links it");
    return text;
})();

describe("workflows: deploy from inside the VPC, preflight first, region from the stack", () => {
    const deployJobs = files.flatMap((f) =>
        Object.entries(read(f).jobs)
            .filter(([, j]) => j.steps.some(isUp))
            .map(([name, job]) => ({ file: f, name, job })),
    );

    it("there are deploy jobs for both stacks", () => {
        const stacks = deployJobs
            .map(({ job }) =>
                String(job.steps.find(isUp)!.with?.["stack-name"] ?? "")
                    .split("/")
                    .pop(),
            )
            .sort();
        assert.deepEqual(stacks, ["prod", "staging"]);
    });

    for (const stack of ["staging", "prod"]) {
        describe(`the ${stack} deploy job`, () => {
            const found = () => {
                const d = deployJobs.find(({ job }) => String(job.steps.find(isUp)!.with?.["stack-name"]).endsWith(`/${stack}`));
                assert.ok(d, `a job runs pulumi up on ${stack}`);
                return d.job;
            };

            it("runs on a self-hosted runner with the stack's label, the one docs/deploying.md documents and actionlint declares", () => {
                const runsOn = found()["runs-on"];
                assert.ok(Array.isArray(runsOn) && runsOn.includes("self-hosted"), `runs-on ${JSON.stringify(runsOn)} is self-hosted`);
                const label = `dataplat-${stack}`;
                assert.ok(runsOn.includes(label), `runs-on has ${label}`);
                assert.match(readmeSection, new RegExp(`runs-on: \\[self-hosted, linux, ${label}\\]`));
                const declared = (parse(fs.readFileSync(path.join(root, ".github/actionlint.yaml"), "utf8")) as { "self-hosted-runner": { labels: string[] } })[
                    "self-hosted-runner"
                ].labels;
                assert.ok(declared.includes(label));
            });

            it("runs the preflight of this stack, with the stack's outputs, after taking the region from the stack file and before up", () => {
                const job = found();
                const steps = job.steps;
                const region = steps.findIndex(
                    (s) =>
                        /npm run -s preflight -- --stack "\$STACK_NAME" --print-region\)" >> "\$GITHUB_ENV"/.test(s.run ?? "") &&
                        /AWS_REGION=/.test(s.run ?? ""),
                );
                const preflight = steps.findIndex((s) =>
                    /pulumi stack output --stack "\$PULUMI_STACK" --json --show-secrets \| npm run -s preflight -- --stack "\$STACK_NAME" --outputs -/.test(
                        s.run ?? "",
                    ),
                );
                const up = steps.findIndex(isUp);
                assert.ok(region >= 0 && preflight > region && up > preflight, `region ${region} < preflight ${preflight} < up ${up}`);
                assert.equal(job.env?.STACK_NAME, stack);
                assert.equal(job.env?.PULUMI_STACK, `\${{ vars.PULUMI_ORG }}/${stack}`);
                assert.match(steps[preflight]!.run!, /DATAPLAT_SSH_KEY="\$\(pulumi config get dataplat:sshPrivateKey --stack "\$PULUMI_STACK"\)"/);
            });

            it("holds a concurrency group of its own stack and never cancels a running update", () => {
                const c = found().concurrency;
                assert.ok(typeof c === "object" && c !== null, "job-level concurrency with a group and cancel-in-progress");
                assert.match(c.group, new RegExp(`\\b${stack}\\b`));
                assert.equal(c["cancel-in-progress"], false);
            });

            it("uses the runner's own role: no stored AWS keys, no role input", () => {
                const text = JSON.stringify(found());
                assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|configure-aws-credentials/);
            });
        });
    }

    it("the deploy groups differ per stack, and no workflow-level group cancels an update", () => {
        const groups = deployJobs.map(({ job }) => (job.concurrency as { group: string }).group);
        assert.equal(new Set(groups).size, groups.length);
        for (const f of files) {
            const c = read(f).concurrency;
            if (typeof c === "object" && c !== null && deployJobs.some((d) => d.file === f)) assert.notEqual(c["cancel-in-progress"], true, f);
        }
    });

    it("preview needs no host and stays on GitHub-hosted runners, with the region from the stack file", () => {
        const preview = read("preview.yml").jobs.preview!;
        assert.equal(preview["runs-on"], "ubuntu-latest");
        const region = preview.steps.find((s) => s.id === "region");
        assert.match(region?.run ?? "", /npm run -s preflight -- --stack "\$STACK_NAME" --print-region\)" >> "\$GITHUB_OUTPUT"/);
        assert.equal(region?.env?.STACK_NAME, "${{ matrix.stack }}");
        const creds = preview.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        assert.equal(creds?.with?.["aws-region"], "${{ steps.region.outputs.region }}");
    });

    it("no workflow names an AWS region", () => {
        for (const f of files) assert.doesNotMatch(fs.readFileSync(path.join(dir, f), "utf8"), /\b(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d\b/, f);
    });
});

describe("workflows: each deploy job refuses before up while an earlier update is unfinished", function () {
    this.timeout(60_000);
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-deploy-gate-"));
    after(() => fs.rmSync(bin, { recursive: true, force: true }));
    // A recording stand-in for the Pulumi CLI (none can run here): `pulumi stack export --stack S --file F` writes the
    // export the case gives and records the stack it was asked for. npm and the pending CLI are the real ones.
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        [
            "#!/bin/bash",
            'printf "%s\\n" "$*" >> "$PULUMI_CALLS"',
            '[ "$1 $2" = "stack export" ] || exit 1',
            'while [ $# -gt 0 ]; do [ "$1" = --file ] && cp "$EXPORT" "$2"; shift; done',
            "",
        ].join("\n"),
        { mode: 0o755 },
    );

    for (const stack of ["staging", "prod"]) {
        const job = () => read("deploy.yml").jobs[stack]!;
        const gate = () => job().steps.find((s) => s.name === "Refuse while an earlier update is unfinished");
        const run = (exportJson: unknown, finishPending: string) => {
            const work = fs.mkdtempSync(path.join(bin, `${stack}-`));
            const exportFile = path.join(work, "export.json");
            fs.writeFileSync(exportFile, typeof exportJson === "string" ? exportJson : JSON.stringify(exportJson));
            const calls = path.join(work, "calls");
            // The step runs in the checkout (the stack file is read relative to it); state.json goes to a scratch copy.
            const script = gate()!
                .run!.replace(/--file state\.json/, `--file ${work}/state.json`)
                .replace(/ state\.json /, ` ${work}/state.json `);
            const r = spawnSync("bash", ["-eo", "pipefail", "-c", script], {
                cwd: root,
                encoding: "utf8",
                env: {
                    ...process.env,
                    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
                    ...job().env,
                    PULUMI_STACK: `acme/${stack}`,
                    STACK_NAME: stack,
                    FINISH_PENDING: finishPending,
                    EXPORT: exportFile,
                    PULUMI_CALLS: calls,
                },
            });
            return { ...r, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "" };
        };

        describe(`the ${stack} job`, () => {
            it("runs the gate after the preflight and before up, with finish_pending from the dispatch inputs", () => {
                const steps = job().steps;
                const at = steps.findIndex((s) => s.name === "Refuse while an earlier update is unfinished");
                const preflight = steps.findIndex((s) => s.name === "Preflight");
                assert.ok(at > preflight && at < steps.findIndex(isUp), `preflight ${preflight} < gate ${at} < up`);
                assert.equal(gate()!.env?.FINISH_PENDING, "${{ inputs.finish_pending }}");
            });

            it("a clean state passes; the export is taken of this stack", () => {
                const r = run(cleanExport(), "");
                assert.equal(r.status, 0, r.stderr);
                assert.match(r.calls, new RegExp(`^stack export --stack acme/${stack} --file `));
            });

            it("a failed drain refuses on a push (no input) and on a dispatch without finish_pending, naming the drain", () => {
                for (const input of ["", "false"]) {
                    const r = run(failedDrainExport(), input);
                    assert.equal(r.status, 2, `finish_pending '${input}': ${r.stderr}`);
                    assert.match(r.stderr, /activedata-search-backup-2-drain: the drain of a replaced or removed search data node has not finished/);
                }
            });

            it("finish_pending lets the retry through with a warning, but never an export the check cannot read", () => {
                const retry = run(failedDrainExport(), "true");
                assert.equal(retry.status, 0, retry.stderr);
                assert.match(retry.stdout, /::warning::finish_pending: this update retries the unfinished work/);
                assert.equal(run("{not json", "true").status, 64);
            });
        });
    }

    it("push and the hand-run dispatch with its finish_pending input are the triggers, and docs/deploying.md says how to finish", () => {
        const on = (parse(fs.readFileSync(path.join(dir, "deploy.yml"), "utf8")) as { on: Record<string, any> }).on;
        assert.deepEqual(on.push, { branches: ["main"] });
        assert.equal(on.workflow_dispatch.inputs.finish_pending.type, "boolean");
        assert.equal(on.workflow_dispatch.inputs.finish_pending.default, false);
        assert.match(readmeSection, /finish_pending/);
    });
});

/** actionlint on PATH, else where `go install` puts it. */
function actionlint(): string | undefined {
    for (const p of (process.env.PATH ?? "").split(path.delimiter)) if (p && fs.existsSync(path.join(p, "actionlint"))) return path.join(p, "actionlint");
    const candidates = [process.env.GOBIN, path.join(process.env.GOPATH ?? path.join(os.homedir(), "go"), "bin")].filter((d): d is string => !!d);
    return candidates.map((d) => path.join(d, "actionlint")).find((f) => fs.existsSync(f));
}

describe("workflows: actionlint", () => {
    it("passes on every workflow (with the self-hosted labels of .github/actionlint.yaml)", function () {
        this.timeout(60_000);
        const bin = actionlint();
        assert.ok(
            bin,
            "actionlint is not installed: run `bash tests/peers/actionlint/install.sh` (needs Go; `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`)",
        );
        const r = spawnSync(bin, ["-no-color", ...files.map((f) => path.join(".github/workflows", f))], { cwd: root, encoding: "utf8" });
        assert.equal(r.status, 0, `actionlint found problems:\n${r.stdout}${r.stderr}`);
    });
});
