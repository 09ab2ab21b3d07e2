/**
 * The status CLI's bad inputs, each with a clear message and its own exit code: usage (64: no --stack, an unknown
 * section in --only, a bad threshold), no stack outputs (65: an empty object, not JSON, no file, no `pulumi`),
 * missing credentials (77: no AWS credentials for sections that call AWS), a stack file that cannot be used (78);
 * --help prints the usage and exits 0. And a search endpoint's password never appears in the output.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../peers/postgres/harness";
import { runStatusCli, stackFile, writeJson } from "./support";

describe("status CLI: bad input gets a clear message and a distinct exit code", function () {
    this.timeout(120_000);
    let dir: string;
    let stack: string;
    let outputs: string;
    const emptyPath = () => fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-nopath-"));

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-cli-"));
        stack = stackFile(dir, "cli");
        outputs = writeJson(dir, "outputs.json", { queueUrls: { "etl-backlog": "https://sqs.us-east-1.amazonaws.com/123456789012/q" } });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("--help prints the usage with the exit codes and exits 0", async () => {
        const r = await runStatusCli(["--help"], {});
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^usage: npm run status -- --stack NAME/);
        assert.match(r.stdout, /exit: 0 all well, 1 warnings, 2 faults, 3 a check could not run; 64 usage, 65 no stack outputs/);
    });

    it("usage errors exit 64 and name the problem: no --stack, an unknown section, an unknown flag, a bad threshold", async () => {
        const cases: [string[], RegExp][] = [
            [[], /--stack is required/],
            [
                ["--stack", "cli", "--only", "search,disks,queues"],
                /--only: unknown section\(s\) disks; the sections are search, queues, fleets, origin, platform, controlplane, hosts/,
            ],
            [["--stack", "cli", "--verbose"], /Unknown option '--verbose'/],
            [["--stack", "cli", "--disk-warn", "95", "--disk-fault", "90"], /--disk-warn must not be above --disk-fault/],
            [["--stack", "cli", "--disk-warn", "lots"], /--disk-warn must be a percentage/],
        ];
        for (const [args, message] of cases) {
            const r = await runStatusCli(args, {});
            assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
            assert.match(r.stderr, message);
            assert.equal(r.stdout, "");
        }
    });

    it("a stack without outputs exits 65: an empty object, not JSON, no such file, no `pulumi` to ask", async () => {
        const empty = await runStatusCli(["--stack", "cli", "--config", stack, "--outputs", "-"], {}, "{}\n");
        assert.equal(empty.code, 65, empty.stderr);
        assert.match(empty.stderr, /stack cli has no outputs: nothing is deployed yet \(run `pulumi up`\)/);
        const garbage = await runStatusCli(["--stack", "cli", "--config", stack, "--outputs", "-"], {}, "warning: no stack selected\n");
        assert.equal(garbage.code, 65, garbage.stderr);
        assert.match(garbage.stderr, /the stack outputs are not JSON/);
        const missing = await runStatusCli(["--stack", "cli", "--config", stack, "--outputs", path.join(dir, "nope.json")], {});
        assert.equal(missing.code, 65, missing.stderr);
        const noPulumi = await runStatusCli(["--stack", "cli", "--config", stack], { PATH: emptyPath() });
        assert.equal(noPulumi.code, 65, noPulumi.stderr);
        assert.match(noPulumi.stderr, /no `pulumi` on PATH to read the stack outputs: install it, or pass --outputs FILE/);
    });

    it("no AWS credentials exits 77 before asking anything, naming the way out", async () => {
        const r = await runStatusCli(["--stack", "cli", "--config", stack, "--outputs", outputs, "--only", "queues"], {});
        assert.equal(r.code, 77, r.stderr);
        assert.match(r.stderr, /no AWS credentials for us-east-1 .*: export AWS_PROFILE or run `aws sso login`/);
        assert.equal(r.stdout, "");
    });

    it("a stack file that is missing or refused exits 78 with its problems", async () => {
        const missing = await runStatusCli(["--stack", "cli", "--config", path.join(dir, "Pulumi.none.yaml"), "--outputs", outputs], {});
        assert.equal(missing.code, 78, missing.stderr);
        const bad = stackFile(dir, "bad", (c) => (c["dataplat:queues"]["tc-logger"].retentionDays = 40));
        const refused = await runStatusCli(["--stack", "cli", "--config", bad, "--outputs", outputs], {});
        assert.equal(refused.code, 78, refused.stderr);
        assert.match(refused.stderr, /queues\.tc-logger\.retentionDays/);
    });

    it("the search password in SEARCH_ENDPOINT never appears in the output, though the endpoint is named", async () => {
        const closed = await freePort();
        const file = writeJson(dir, "deployed.json", { deployed: { search: {} } });
        const r = await runStatusCli(["--stack", "cli", "--config", stack, "--outputs", file, "--only", "search"], {
            SEARCH_ENDPOINT: `http://admin:s3cr3t-pw@127.0.0.1:${closed}`,
        });
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`http://127\\.0\\.0\\.1:${closed} did not answer`));
        assert.ok(!(r.stdout + r.stderr).includes("s3cr3t-pw"), r.stdout);
    });
});
