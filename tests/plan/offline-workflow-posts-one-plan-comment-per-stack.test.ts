/**
 * The offline workflow's plan job: on a pull request, for each stack, it runs `npm run -s plan` in Markdown
 * with the base branch's stack file as --previous, posts the result through a sticky comment keyed per stack
 * (so a push updates that comment instead of adding one), uses no cloud credentials, and fails when the
 * program refuses the change. The step's own shell script is run here with `git` and `npm` stand-ins (git
 * prints the base branch's stack file, npm runs the built plan CLI), and the comment text it leaves is checked.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { commentMarker } from "../../ops/plan/render";
import { repoRoot } from "../../stacks/offline/root";
import { stackDoc } from "../support/graph";
import { editedProd, type Doc } from "./support";

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
}
interface Job {
    if?: string;
    "runs-on": string;
    permissions?: Record<string, string>;
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}

const root = repoRoot();
const workflowText = fs.readFileSync(path.join(root, ".github/workflows/offline.yml"), "utf8");
const job = (parse(workflowText) as { jobs: Record<string, Job> }).jobs.plan;

/** Runs the plan step's script as the runner would, in a scratch copy of what it reads; returns the comment and the step output. */
function runPlanStep(stack: string, base: Doc | undefined, head: Doc): { comment: string; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-plan-step-"));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(head));
        if (base) fs.writeFileSync(path.join(dir, "base.yaml"), stringify(base));
        // git show origin/<base>:Pulumi.<stack>.yaml: the base branch's file, or git's failure when it has none.
        fs.writeFileSync(path.join(bin, "git"), `#!/bin/bash\n[ -f "${dir}/base.yaml" ] || exit 128\ncat "${dir}/base.yaml"\n`, { mode: 0o755 });
        // npm run -s plan -- ARGS: the built CLI with ARGS (the build itself is not what this test is about).
        fs.writeFileSync(path.join(bin, "npm"), `#!/bin/bash\nshift 4\nexec "${process.execPath}" "${root}/dist/cli/plan.js" "$@"\n`, { mode: 0o755 });
        const output = path.join(dir, "output");
        const step = job.steps.find((s) => s.id === "plan")!;
        const r = spawnSync("bash", ["-e", "-c", step.run!], {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STACK: stack, BASE_REF: "main", RUNNER_TEMP: dir, GITHUB_OUTPUT: output },
        });
        assert.equal(r.status, 0, `the step itself succeeds so the comment is posted: ${r.stderr}`);
        return { comment: fs.readFileSync(path.join(dir, `plan-${stack}.md`), "utf8"), output: fs.readFileSync(output, "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("offline workflow: one plan comment per stack on every pull request", function () {
    this.timeout(60_000);

    it("runs on pull requests only, for prod and staging, on a GitHub-hosted runner, with no cloud credentials", () => {
        assert.ok(job, "offline.yml has a plan job");
        assert.equal(job.if, "github.event_name == 'pull_request'");
        assert.equal(job["runs-on"], "ubuntu-latest");
        assert.deepEqual(job.strategy?.matrix?.stack, ["prod", "staging"]);
        assert.deepEqual(job.permissions, { contents: "read", "pull-requests": "write" });
        assert.doesNotMatch(JSON.stringify(job), /configure-aws-credentials|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|id-token|secrets\./);
    });

    it("posts through a sticky comment keyed per stack, from the Markdown plan file, and fails the job on a refusal", () => {
        const post = job.steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
        assert.ok(post, "a sticky comment step");
        assert.equal(post.with?.header, "dataplat-plan-${{ matrix.stack }}");
        assert.equal(post.with?.path, "plan-${{ matrix.stack }}.md");
        const plan = job.steps.findIndex((s) => s.id === "plan");
        const posted = job.steps.indexOf(post);
        const fail = job.steps.findIndex((s) => s.if === "steps.plan.outputs.status != '0'" && /exit 1/.test(s.run ?? ""));
        assert.ok(plan >= 0 && plan < posted && posted < fail, `plan ${plan} < post ${posted} < fail ${fail}`);
        assert.match(
            job.steps[plan].run!,
            /npm run -s plan -- --stack "\$STACK" "\$\{previous\[@\]\}" --config "Pulumi\.\$STACK\.yaml" --format md > "plan-\$STACK\.md"/,
        );
        assert.match(job.steps[plan].run!, /git show "origin\/\$BASE_REF:Pulumi\.\$STACK\.yaml"/);
    });

    it("the comment of an unchanged prod stack file is its plan against the base file, with the stack's marker", () => {
        const { comment, output } = runPlanStep("prod", stackDoc("prod"), stackDoc("prod"));
        assert.equal(output.trim(), "status=0");
        assert.equal(comment.split("\n")[0], commentMarker("prod"));
        assert.match(comment, /^## Plan for stack `prod`: update from the previous stack file$/m);
        assert.match(comment, /^### \d+\. search cluster \(none\)$/m);
    });

    it("a stack file the base branch does not have is planned as a first deployment", () => {
        const { comment, output } = runPlanStep("staging", undefined, stackDoc("staging"));
        assert.equal(output.trim(), "status=0");
        assert.match(comment, /^## Plan for stack `staging`: initial deployment/m);
    });

    it("a refused change: the comment lists the refusals with their fixes, and the status (2) fails the job", () => {
        const { comment, output } = runPlanStep("prod", stackDoc("prod"), editedProd("refused double change"));
        assert.equal(output.trim(), "status=2");
        assert.equal(comment.split("\n")[0], commentMarker("prod"));
        assert.match(comment, /^- search: this update would replace or remove 2 cluster-manager-eligible nodes at once: .*change one per update\.$/m);
    });
});
