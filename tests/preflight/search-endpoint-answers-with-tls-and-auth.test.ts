// The search check against a real OpenSearch with the security plugin (tests/search/secure-cluster.ts: TLS with
// the cluster's own CA, basic auth): the URL, user, certificate name and the SSM parameters of the password and CA
// come from the outputs the program writes, and both parameters are read from moto's SSM in the stack's region.
// The right password passes (the whole preflight exits 0); a wrong password, a CA that did not sign the cluster
// and a port nothing listens on fail with what to fix and exit 1.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type MotoPeer, startMoto } from "../peers/moto/harness";
import { freePort } from "../peers/postgres/harness";
import { makePki, type SecureTestCluster, startSecureCluster } from "../search/secure-cluster";
import { copyProject, pathWith, type ProjectCopy, runPreflight, stackFile, standInPulumi } from "./support";

describe("preflight: the search admin endpoint answers, with TLS and auth", function () {
    this.timeout(600_000);
    let secure: SecureTestCluster;
    let moto: MotoPeer;
    let project: ProjectCopy;
    let pulumiDir: string;
    let tmp: string;
    const CA = "/dataplat/staging/search/tls/ca.pem";
    const OTHER_CA = "/dataplat/staging/search/tls/other-ca.pem";
    const PASSWORD = "/dataplat/staging/search-admin-password";
    const WRONG_PASSWORD = "/dataplat/staging/wrong-admin-password";

    before(async () => {
        secure = await startSecureCluster();
        moto = await startMoto();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-search-"));
        const other = makePki(fs.mkdtempSync(path.join(tmp, "pki-")), "another-cluster");
        moto.aws(["ssm", "put-parameter", "--region", "eu-west-3", "--name", CA, "--type", "SecureString", "--value", secure.pki.caCert]);
        moto.aws(["ssm", "put-parameter", "--region", "eu-west-3", "--name", OTHER_CA, "--type", "SecureString", "--value", other.caCert]);
        moto.aws(["ssm", "put-parameter", "--region", "eu-west-3", "--name", PASSWORD, "--type", "SecureString", "--value", secure.password]);
        moto.aws(["ssm", "put-parameter", "--region", "eu-west-3", "--name", WRONG_PASSWORD, "--type", "SecureString", "--value", "not-the-password"]);
        project = copyProject();
        pulumiDir = standInPulumi("v3.214.0");
        const recorded = await runPreflight(project.cli, ["--record-build"], { PATH: pathWith(pulumiDir) });
        assert.equal(recorded.code, 0, recorded.stderr);
    });
    after(async () => {
        await secure?.cluster.close();
        await moto?.stop();
        project?.remove();
        if (pulumiDir) fs.rmSync(pulumiDir, { recursive: true, force: true });
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    // The outputs as the program writes them: the URL without credentials, the user, and the parameters of the
    // password and CA (read from moto's SSM in the stack's region, not AWS_REGION's).
    const run = (caParameter: string, passwordParameter = PASSWORD, endpoint = withoutCredentials(secure.endpoint)) => {
        const file = stackFile(tmp, "staging", (c) => (c["aws:region"] = "eu-west-3"));
        const outputs = {
            searchAdminPasswordParameter: passwordParameter,
            search: { adminUrl: endpoint, adminUser: secure.username, adminTls: { serverName: secure.pki.tls.serverName, caParameter } },
        };
        return runPreflight(
            project.cli,
            ["--stack", "staging", "--config", file],
            { ...moto.env, PATH: pathWith(pulumiDir), AWS_REGION: "us-east-1" },
            outputs,
        );
    };
    const withoutCredentials = (endpoint: string) => {
        const url = new URL(endpoint);
        url.username = "";
        url.password = "";
        return url.toString().replace(/\/$/, "");
    };

    it("the cluster's endpoint, password and CA pass, and the whole preflight exits 0", async () => {
        const r = await run(CA);
        const line = r.line("search")!;
        assert.match(
            line,
            /^ok {3}search: https:\/\/127\.0\.0\.1:\d+ answered: opensearch \S+, cluster dataplat-tls-test (green|yellow), TLS verified as \S+$/,
        );
        assert.ok(!line.includes(secure.password), "the password is never printed");
        assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    it("a wrong password fails, naming the admin password, and exits 1", async () => {
        const r = await run(CA, WRONG_PASSWORD);
        assert.equal(r.code, 1);
        assert.match(r.line("search")!, /^FAIL search: .*HTTP 401.*; fix: the admin user or password was refused: check dataplat:searchAdminPassword/);
    });

    it("a CA that did not sign the cluster's certificate fails before sending the password, and exits 1", async () => {
        const r = await run(OTHER_CA);
        assert.equal(r.code, 1);
        assert.match(r.line("search")!, /^FAIL search: .*certificate was not verified.*; fix: the server's certificate was not verified/);
    });

    it("a password parameter that does not exist fails, naming it, and exits 1", async () => {
        const r = await run(CA, "/dataplat/staging/no-such-parameter");
        assert.equal(r.code, 1);
        assert.match(
            r.line("search")!,
            /^FAIL search: .*the admin password parameter \/dataplat\/staging\/no-such-parameter could not be read in eu-west-3: ParameterNotFound.*; fix: the deploy role must be able to ssm:GetParameter/,
        );
    });

    it("an endpoint nothing listens on fails, saying to run from inside the VPC, and exits 1", async () => {
        const closed = await freePort();
        const url = new URL(withoutCredentials(secure.endpoint));
        url.port = String(closed);
        const r = await run(CA, PASSWORD, url.toString().replace(/\/$/, ""));
        assert.equal(r.code, 1);
        assert.match(r.line("search")!, /^FAIL search: .*ECONNREFUSED.*; fix: run the update from a runner inside the VPC/);
    });
});
