// The preflight's checks are plain functions of facts: recorded `pulumi version` outputs, STS answers and errors,
// search answers, ssh exits and build hashes. Every failure says what to fix; anything the check cannot read fails.
import * as assert from "node:assert/strict";
import { readStackFile } from "../../stacks/offline/stackfile";
import { repoRoot } from "../../stacks/offline/root";
import * as path from "node:path";
import { parseStackConfig } from "../../ops/config/parse";
import { checkAwsCredentials } from "../../ops/preflight/aws";
import { checkBuild, manifestOf } from "../../ops/preflight/build";
import { type CheckLine, preflightExitCode, renderLine } from "../../ops/preflight/check";
import { readOutputs, OutputsError } from "../../ops/preflight/outputs";
import { checkPulumiCli, compareVersions, MINIMUM_PULUMI_CLI, minimumOf, parseVersion } from "../../ops/preflight/pulumi-cli";
import { checkSearch, searchTarget } from "../../ops/preflight/search";
import { checkSsh, missingKeyLine, sshTargets } from "../../ops/preflight/ssh";
import { MINIMUM_PULUMI_CLI as programMinimum } from "../../stacks/program";

const failed = (l: CheckLine) => {
    assert.equal(l.ok, false, renderLine(l));
    return l as Extract<CheckLine, { ok: false }>;
};
const stackConfig = (stack: string) => {
    const raw = readStackFile(path.join(repoRoot(), `Pulumi.${stack}.yaml`));
    return parseStackConfig(raw.config, new Set(raw.secretKeys)).config;
};

describe("preflight: the Pulumi CLI version", () => {
    it("has one home: the program's entry point reads the same constant", () => {
        assert.equal(programMinimum, MINIMUM_PULUMI_CLI);
        assert.deepEqual(minimumOf(MINIMUM_PULUMI_CLI), { major: 3, minor: 207, patch: 0, prerelease: [] });
    });

    // Outputs of `pulumi version` as the CLI prints them (a release, a dev build, an old release).
    const recorded: [string, boolean][] = [
        ["v3.207.0\n", true],
        ["v3.214.1\n", true],
        ["v3.215.0-alpha.1760000000+g1a2b3c4\n", true],
        ["v4.0.0\n", true],
        ["v3.206.0\n", false],
        ["v3.207.0-alpha.1759000000\n", false],
        ["v3.99.0\n", false],
    ];
    for (const [stdout, ok] of recorded) {
        it(`${JSON.stringify(stdout)} ${ok ? "passes" : "fails, naming the minimum"}`, () => {
            const line = checkPulumiCli({ kind: "printed", stdout });
            assert.equal(line.ok, ok, renderLine(line));
            if (!line.ok) assert.match(line.fix, /upgrade the Pulumi CLI to 3\.207\.0 or later/);
        });
    }

    it("fails closed on output that is not one version, and when the CLI does not run", () => {
        for (const stdout of ["", "error: no Pulumi.yaml\n", "v3.210.0\nv3.211.0\n", "3.210\n"]) failed(checkPulumiCli({ kind: "printed", stdout }));
        assert.match(failed(checkPulumiCli({ kind: "failed", why: "no `pulumi` on PATH" })).fix, /install the Pulumi CLI/);
    });

    it("orders versions as semver does (a pre-release before its release)", () => {
        const v = (s: string) => parseVersion(s)!;
        assert.ok(compareVersions(v("3.207.0-alpha"), v("3.207.0")) < 0);
        assert.ok(compareVersions(v("3.207.0-alpha.2"), v("3.207.0-alpha.10")) < 0);
        assert.ok(compareVersions(v("3.207.0-alpha"), v("3.207.0-beta")) < 0);
        assert.ok(compareVersions(v("3.208.0"), v("3.207.9")) > 0);
        assert.equal(parseVersion("v3.207"), undefined);
        assert.throws(() => minimumOf("^3.207.0"), /expected a range ">=X\.Y\.Z"/);
    });
});

describe("preflight: AWS credentials", () => {
    it("passes on an identity and names it with the region", () => {
        const l = checkAwsCredentials({
            kind: "identity",
            region: "eu-central-1",
            account: "123456789012",
            arn: "arn:aws:sts::123456789012:assumed-role/deploy/i-0abc",
        });
        assert.equal(l.ok, true);
        assert.match(renderLine(l), /STS in eu-central-1: arn:aws:sts::123456789012:assumed-role\/deploy\/i-0abc/);
    });

    it("fails closed on an identity without an account", () => {
        failed(checkAwsCredentials({ kind: "identity", region: "us-west-2" }));
    });

    // Errors as @aws-sdk/client-sts reports them (name, message).
    const recorded: [string, string, RegExp][] = [
        ["CredentialsProviderError", "Could not load credentials from any providers", /instance profile|AWS_PROFILE/],
        ["InvalidClientTokenId", "The security token included in the request is invalid.", /access key is not valid/],
        ["SignatureDoesNotMatch", "The request signature we calculated does not match", /access key is not valid/],
        ["ExpiredToken", "The security token included in the request is expired", /session expired/],
        ["AccessDenied", "User is not authorized to perform: sts:GetCallerIdentity", /policies and SCPs/],
        ["TimeoutError", "connect ETIMEDOUT 52.94.0.1:443", /outbound https to sts\.us-west-2\.amazonaws\.com/],
        ["Error", "getaddrinfo ENOTFOUND sts.us-west-2.amazonaws.com", /outbound https/],
    ];
    for (const [name, message, fix] of recorded) {
        it(`${name}: fails with what to fix`, () => {
            const l = failed(checkAwsCredentials({ kind: "error", region: "us-west-2", name, message }));
            assert.match(l.fix, fix);
            assert.match(l.detail, /us-west-2/);
        });
    }
});

describe("preflight: the search admin endpoint", () => {
    const configured = { configured: true, env: {} };

    it("comes from the outputs the program writes: URL, user, password and CA parameters, TLS name", () => {
        const outputs = {
            searchAdminPasswordParameter: "/a/prod/search-admin-password",
            search: {
                adminUrl: "https://10.0.1.5:9200",
                adminUser: "admin",
                adminTls: { serverName: "search.c.dataplat", caParameter: "/a/prod/search/tls/ca.pem" },
            },
        };
        assert.deepEqual(searchTarget({ ...configured, outputs }), {
            kind: "endpoint",
            endpoint: "https://10.0.1.5:9200",
            source: "outputs",
            auth: { user: "admin", passwordParameter: "/a/prod/search-admin-password" },
            tls: { serverName: "search.c.dataplat", caParameter: "/a/prod/search/tls/ca.pem" },
        });
    });

    it("fails closed on a user without its password parameter, or a hidden value", () => {
        assert.match(
            failed(checkSearch(searchTarget({ ...configured, outputs: { search: { adminUrl: "https://10.0.1.5:9200", adminUser: "admin" } } }), undefined))
                .detail,
            /searchAdminPasswordParameter/,
        );
        assert.match(failed(checkSearch(searchTarget({ ...configured, outputs: { search: { adminUrl: "[secret]" } } }), undefined)).fix, /--show-secrets/);
    });

    it("has nothing to ask before the first update, or without a search section", () => {
        assert.equal(checkSearch(searchTarget({ ...configured, outputs: {} }), undefined).ok, true);
        assert.equal(checkSearch(searchTarget({ configured: false, env: {}, outputs: { search: { adminUrl: "http://x:9200" } } }), undefined).ok, true);
    });

    it("a deployed cluster without the endpoint output: SEARCH_ENDPOINT, else a failure naming it", () => {
        const outputs = { deployed: { search: {} }, search: { nodeIps: { a: "10.0.1.5" } } };
        assert.match(failed(checkSearch(searchTarget({ ...configured, outputs }), undefined)).fix, /set SEARCH_ENDPOINT/);
        const t = searchTarget({ configured: true, outputs, env: { SEARCH_ENDPOINT: "https://admin:pw@10.0.1.5:9200", SEARCH_TLS_NAME: "n.example" } });
        assert.deepEqual(t, { kind: "endpoint", endpoint: "https://admin:pw@10.0.1.5:9200", source: "environment", tls: { serverName: "n.example" } });
    });

    it("never prints the password, and names the fix of each failure", () => {
        const t = searchTarget({ configured: true, outputs: { deployed: { search: {} } }, env: { SEARCH_ENDPOINT: "https://admin:s3cret@10.0.1.5:9200" } });
        const ok = checkSearch(t, { kind: "answered", distribution: "opensearch", version: "2.19.4", clusterName: "c", status: "green" });
        assert.equal(ok.ok, true);
        assert.doesNotMatch(renderLine(ok), /s3cret/);
        assert.match(
            failed(
                checkSearch(t, { kind: "failed", why: "GET https://10.0.1.5:9200/ -> HTTP 401: Unauthorized (check the user and password of the endpoint)" }),
            ).fix,
            /searchAdminPassword/,
        );
        assert.match(
            failed(checkSearch(t, { kind: "failed", why: "self-signed certificate in certificate chain: the server's certificate was not verified" })).fix,
            /CA/,
        );
        assert.match(failed(checkSearch(t, { kind: "failed", why: "connect ETIMEDOUT 10.0.1.5:9200: is the cluster up" })).fix, /inside the VPC/);
        assert.match(
            failed(checkSearch(t, { kind: "failed", why: "the CA parameter /a/ca.pem could not be read in us-west-2: AccessDeniedException: no" })).fix,
            /ssm:GetParameter/,
        );
    });
});

describe("preflight: SSH targets and answers", () => {
    const prod = stackConfig("prod");

    it("are the exported addresses with the config's user and port, per section", () => {
        const { targets, lines } = sshTargets(prod, {
            origin: { hostIps: { "kraken-origin-master01-sjc1": "10.0.2.1" } },
            platform: { hostIps: { master: "10.0.3.1" } },
            controlPlane: { headnodeIp: "10.0.4.1", computeNodeIps: { cn1: "10.0.4.2" } },
            search: { nodeIps: { "backup-a": "10.0.5.1" } },
        });
        assert.deepEqual(lines, []);
        assert.deepEqual(targets, [
            { section: "origin", host: "kraken-origin-master01-sjc1", address: "10.0.2.1", user: prod.origin!.ssh.user, port: prod.origin!.ssh.port },
            { section: "platform", host: "master", address: "10.0.3.1", user: prod.platform!.ssh.user, port: prod.platform!.ssh.port },
            { section: "controlPlane", host: "headnode", address: "10.0.4.1", user: prod.controlPlane!.ssh.user, port: prod.controlPlane!.ssh.port },
            { section: "search", host: "backup-a", address: "10.0.5.1", user: prod.search!.restart.sshUser, port: 22 },
        ]);
    });

    it("fail closed when a deployed section's addresses are missing or hidden, and pass when nothing is deployed yet", () => {
        const { targets, lines } = sshTargets(prod, { deployed: { origin: {} }, platform: { hostIps: { master: "[secret]" } } });
        assert.deepEqual(targets, []);
        const byCheck = Object.fromEntries(lines.map((l) => [l.check, l]));
        assert.match(failed(byCheck["ssh origin"]!).detail, /deployed but the outputs have no origin\.hostIps/);
        assert.match(failed(byCheck["ssh platform/master"]!).fix, /--show-secrets/);
        assert.equal(byCheck["ssh controlPlane"]!.ok, true);
        assert.equal(byCheck["ssh search"]!.ok, true);
    });

    const t = { section: "origin", host: "o1", address: "10.0.2.1", user: "ec2-user", port: 22 };
    // stderr of OpenSSH 9 for each way a connection ends.
    const recorded: [string, RegExp][] = [
        ["ec2-user@10.0.2.1: Permission denied (publickey).\r\n", /authorized_keys/],
        ["ssh: connect to host 10.0.2.1 port 22: Connection refused\r\n", /nothing listens on port 22/],
        ["ssh: connect to host 10.0.2.1 port 22: Connection timed out\r\n", /inside the VPC/],
        ["ssh: connect to host 10.0.2.1 port 22: No route to host\r\n", /inside the VPC/],
        ['Load key "/tmp/k": invalid format\r\nec2-user@10.0.2.1: Permission denied (publickey).\r\n', /authorized_keys/],
        ["something new\r\n", /read the ssh message/],
    ];
    for (const [stderr, fix] of recorded) {
        it(`ssh exit 255 with ${JSON.stringify(stderr.trim().split("\n").pop())}: fails with what to fix`, () => {
            assert.match(failed(checkSsh(t, { status: 255, stderr })).fix, fix);
        });
    }

    it("passes only on exit 0; a timeout or an ssh that did not start fails", () => {
        assert.equal(checkSsh(t, { status: 0, stderr: "Warning: Permanently added '10.0.2.1' (ED25519) to the list of known hosts.\r\n" }).ok, true);
        assert.match(failed(checkSsh(t, { status: null, stderr: "", timedOut: true })).fix, /inside the VPC/);
        assert.match(failed(checkSsh(t, { status: null, stderr: "", error: "spawn ssh ENOENT" })).fix, /openssh-client/);
        assert.match(failed(missingKeyLine([t])).fix, /DATAPLAT_SSH_KEY="\$\(pulumi config get dataplat:sshPrivateKey/);
    });
});

describe("preflight: dist/ matches the sources", () => {
    const built: { sources: Record<string, string>; outputs: Record<string, string> } = {
        sources: { "cli/a.ts": "s1", "ops/b.ts": "s2" },
        outputs: { "dist/cli/a.js": "o1", "dist/ops/b.js": "o2" },
    };
    const manifest = { kind: "read" as const, value: manifestOf(built) };

    it("passes when nothing changed since the build", () => {
        assert.equal(checkBuild(manifest, built).ok, true);
    });

    it("names each kind of difference and says to build", () => {
        const cases: [typeof built, RegExp][] = [
            [{ ...built, sources: { ...built.sources, "cli/a.ts": "s1-edited" } }, /changed since the build: cli\/a\.ts/],
            [{ ...built, sources: { ...built.sources, "ops/c.ts": "s3" } }, /new since the build: ops\/c\.ts/],
            [{ ...built, sources: { "cli/a.ts": "s1" } }, /deleted since the build: ops\/b\.ts/],
            [{ ...built, outputs: { "dist/cli/a.js": "o1" } }, /no built file: dist\/ops\/b\.js/],
            [{ ...built, outputs: { ...built.outputs, "dist/cli/a.js": "hand-edited" } }, /changed after the build: dist\/cli\/a\.js/],
        ];
        for (const [now, detail] of cases) {
            const l = failed(checkBuild(manifest, now));
            assert.match(l.detail, detail);
            assert.match(l.fix, /npm run build/);
        }
    });

    it("fails closed without a readable manifest", () => {
        for (const m of [
            { kind: "missing" as const },
            { kind: "unreadable" as const, why: "Unexpected end of JSON input" },
            { kind: "read" as const, value: { format: 2, files: {} } },
            { kind: "read" as const, value: { format: 1, files: { "cli/a.ts": { source: 1 } } } },
        ]) {
            assert.match(failed(checkBuild(m, built)).fix, /npm run build/);
        }
    });
});

describe("preflight: the report", () => {
    it("is one line per check and exits 1 on any failure or on no check at all", () => {
        const lines: CheckLine[] = [
            { check: "a", ok: true, detail: "fine" },
            { check: "b", ok: false, detail: "broken\nacross lines", fix: "mend it" },
        ];
        assert.deepEqual(lines.map(renderLine), ["ok   a: fine", "FAIL b: broken across lines; fix: mend it"]);
        assert.equal(preflightExitCode(lines), 1);
        assert.equal(preflightExitCode([lines[0]!]), 0);
        assert.equal(preflightExitCode([]), 1);
    });

    it("reads outputs as a JSON object only", () => {
        assert.deepEqual(readOutputs("{}"), {});
        for (const text of ["", "[]", "null", "[secret]"]) assert.throws(() => readOutputs(text), OutputsError);
    });
});
