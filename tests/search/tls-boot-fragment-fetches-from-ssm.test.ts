// The first-boot fragment of ops/search/security.ts run by bash against a real SSM API (moto, with the aws CLI from
// tests/peers/moto/install.sh): it writes each parameter to its file with its mode and owner, and fails closed (exit 1,
// the engine never started, no partial file) when a parameter is missing or holds the wrong kind of key.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fetchedFiles, securityBootFragment, securityParameterNames } from "../../ops/search/security";
import { type MotoPeer, startMoto } from "../peers/moto/harness";

const ENGINE = { distribution: "opensearch", version: "2.19.4" } as const;
const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";

describe("security boot fragment against SSM Parameter Store (moto)", function () {
    this.timeout(120_000);
    let moto: MotoPeer;
    let dir: string;
    const user = os.userInfo().username;

    before(async function () {
        this.timeout(60_000);
        assert.equal(process.getuid?.(), 0, "the fragment chowns to root:<engine user>, as on a node: run this test as root (as CI does)");
        moto = await startMoto();
    });
    after(async () => moto?.stop());
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-boot-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs the fragment as the node's user data would, then "starts the engine" (a marker file). */
    function boot(prefix: string, attempts = 1): { code: number | null; stderr: string; started: boolean; configDir: string } {
        const configDir = path.join(dir, "etc-opensearch");
        fs.mkdirSync(configDir);
        const fragment = securityBootFragment({ engine: ENGINE, configDir, user, parameters: securityParameterNames(prefix), attempts });
        const script = `set -euo pipefail\n${fragment}touch ${dir}/started\n`;
        const r = spawnSync("bash", ["-c", script], { env: moto.env, encoding: "utf8", timeout: 90_000 });
        return { code: r.status, stderr: r.stderr, started: fs.existsSync(path.join(dir, "started")), configDir };
    }

    function put(name: string, value: string): void {
        moto.aws(["ssm", "put-parameter", "--name", name, "--type", "SecureString", "--overwrite", `--value=${value}`]);
    }

    function putAll(prefix: string, overrides: Partial<Record<keyof ReturnType<typeof securityParameterNames>, string>> = {}): Record<string, string> {
        const p = securityParameterNames(prefix);
        const values: Record<string, string> = {
            [p.ca]: `${CERT}\n`,
            [p.nodeCert]: `${CERT}\n`,
            [p.nodeKey]: `${KEY}\n`,
            [p.internalUsers]: '_meta:\n  type: internalusers\n  config_version: 2\nadmin:\n  hash: "$2b$12$x"\n',
            [p.rolesMapping]: "_meta:\n  type: rolesmapping\n  config_version: 2\n",
            [p.config]: "_meta:\n  type: config\n  config_version: 2\n",
        };
        for (const [k, v] of Object.entries(overrides)) values[p[k as keyof typeof p]] = v!;
        for (const [name, value] of Object.entries(values)) put(name, value);
        return values;
    }

    it("writes every parameter to its file: the key 0600 for the engine user, the rest 0640, then the engine starts", () => {
        const values = putAll("/dataplat/test/search/ok");
        const r = boot("/dataplat/test/search/ok");
        assert.equal(r.code, 0, r.stderr);
        assert.ok(r.started, "the engine is started after the files are in place");
        const files = fetchedFiles({ engine: ENGINE, configDir: r.configDir, user, parameters: securityParameterNames("/dataplat/test/search/ok") });
        for (const f of files) {
            // The aws CLI's text output ends the value with a newline of its own.
            assert.equal(fs.readFileSync(f.path, "utf8").trimEnd(), values[f.parameter]!.trimEnd(), f.path);
            const st = fs.statSync(f.path);
            assert.equal((st.mode & 0o777).toString(8).padStart(4, "0"), f.mode, `${f.path} mode`);
            assert.equal(st.uid, 0, f.path);
        }
        assert.equal((fs.statSync(path.join(r.configDir, "opensearch-security")).mode & 0o777).toString(8), "750");
        assert.deepEqual(
            fs.readdirSync(r.configDir).filter((n) => /\.[A-Za-z0-9]{6}$/.test(n) && n.includes(".pem.")),
            [],
            "no temporary file left",
        );
    });

    it("fails closed when a parameter is missing: exit 1 naming it, the engine not started, nothing half-written", () => {
        const prefix = "/dataplat/test/search/missing";
        putAll(prefix);
        moto.aws(["ssm", "delete-parameter", "--name", securityParameterNames(prefix).nodeKey]);
        const r = boot(prefix, 2);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.started, false, "the engine must not start without its key");
        assert.match(r.stderr, new RegExp(`cannot read SSM parameter ${securityParameterNames(prefix).nodeKey} after 2 tries: .*ParameterNotFound`));
        assert.equal(fs.existsSync(path.join(r.configDir, "dataplat-node-key.pem")), false);
        assert.deepEqual(
            fs.readdirSync(r.configDir).filter((n) => n.startsWith("dataplat-node-key.pem")),
            [],
            "no temporary key file left",
        );
    });

    it("fails closed on a key that is not PKCS#8, which the plugin could not read", () => {
        const prefix = "/dataplat/test/search/pkcs1";
        putAll(prefix, { nodeKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n" });
        const r = boot(prefix);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.started, false);
        assert.match(r.stderr, /does not hold a -----BEGIN PRIVATE KEY----- PEM; refusing to start/);
        assert.equal(fs.existsSync(path.join(r.configDir, "dataplat-node-key.pem")), false);
    });
});
