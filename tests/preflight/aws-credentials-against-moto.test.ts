// The aws check against a real STS: moto started with INITIAL_NO_AUTH_ACTION_COUNT, so after the IAM user and
// its access key are made, moto checks every request's credentials like AWS does. The CLI reaches it through
// AWS_ENDPOINT_URL (honoured by the SDK, named in the line). Good keys pass, and with the other checks green the
// whole preflight exits 0; a wrong secret and an unknown key fail with what to fix and exit 1.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type MotoPeer, startMoto } from "../peers/moto/harness";
import { copyProject, pathWith, type ProjectCopy, runPreflight, stackFile, standInPulumi } from "./support";

describe("preflight: AWS credentials against moto with authentication", function () {
    this.timeout(120_000);
    let moto: MotoPeer;
    let project: ProjectCopy;
    let pulumiDir: string;
    let tmp: string;
    let key: { AccessKeyId: string; SecretAccessKey: string };

    before(async () => {
        const previous = process.env.INITIAL_NO_AUTH_ACTION_COUNT;
        // Three unauthenticated actions: create the user, give it a policy, make its key. Then moto authenticates.
        process.env.INITIAL_NO_AUTH_ACTION_COUNT = "3";
        try {
            moto = await startMoto();
        } finally {
            if (previous === undefined) delete process.env.INITIAL_NO_AUTH_ACTION_COUNT;
            else process.env.INITIAL_NO_AUTH_ACTION_COUNT = previous;
        }
        moto.aws(["iam", "create-user", "--user-name", "deployer"]);
        moto.aws([
            "iam",
            "put-user-policy",
            "--user-name",
            "deployer",
            "--policy-name",
            "all",
            "--policy-document",
            JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
        ]);
        key = (JSON.parse(moto.aws(["iam", "create-access-key", "--user-name", "deployer", "--output", "json"])) as { AccessKey: typeof key }).AccessKey;
        project = copyProject();
        pulumiDir = standInPulumi("v3.214.0");
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-aws-"));
        const recorded = await runPreflight(project.cli, ["--record-build"], { PATH: pathWith(pulumiDir) });
        assert.equal(recorded.code, 0, recorded.stderr);
    });
    after(async () => {
        await moto?.stop();
        project?.remove();
        if (pulumiDir) fs.rmSync(pulumiDir, { recursive: true, force: true });
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const run = (accessKeyId: string, secret: string) => {
        // The stack's region, not the environment's: AWS_REGION says otherwise and must not be used.
        const file = stackFile(tmp, "staging", (c) => (c["aws:region"] = "eu-west-3"));
        return runPreflight(
            project.cli,
            ["--stack", "staging", "--config", file],
            {
                PATH: pathWith(pulumiDir),
                AWS_ENDPOINT_URL: moto.endpoint,
                AWS_ACCESS_KEY_ID: accessKeyId,
                AWS_SECRET_ACCESS_KEY: secret,
                AWS_REGION: "ap-south-1",
            },
            {},
        );
    };

    it("good credentials pass, naming the identity and the stack's region, and the whole preflight exits 0", async () => {
        const r = await run(key.AccessKeyId, key.SecretAccessKey);
        assert.match(
            r.line("aws")!,
            new RegExp(
                `^ok   aws: STS in eu-west-3 at ${moto.endpoint.replace(/[.]/g, "\\.")} \\(AWS_ENDPOINT_URL\\): arn:aws:iam::\\d{12}:user/deployer \\(account \\d{12}\\)$`,
            ),
        );
        assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    it("a wrong secret fails with what to fix and exits 1", async () => {
        const r = await run(key.AccessKeyId, `${key.SecretAccessKey.slice(0, -4)}XXXX`);
        assert.equal(r.code, 1);
        assert.match(
            r.line("aws")!,
            /^FAIL aws: STS in eu-west-3 .*refused GetCallerIdentity: SignatureDoesNotMatch: .*; fix: the access key is not valid for this account/,
        );
    });

    it("an unknown access key fails with what to fix and exits 1", async () => {
        const r = await run("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assert.equal(r.code, 1);
        assert.match(r.line("aws")!, /^FAIL aws: .*InvalidClientTokenId: .*; fix: the access key is not valid for this account/);
    });
});
