/**
 * `npm run preflight -- --stack NAME --outputs FILE|-`: checks, from the machine that will run `pulumi up` and
 * before any resource changes, that the update can do its work there. One line per check, with what to fix;
 * exit 0 when all pass, 1 when any fails, 2 when the stack file is refused, 64 on a usage error.
 *
 *   export DATAPLAT_SSH_KEY="$(pulumi config get dataplat:sshPrivateKey --stack prod)"
 *   pulumi stack output --stack prod --json --show-secrets | npm run -s preflight -- --stack prod --outputs -
 *
 * Where the facts come from (the checks, in ops/preflight/, only judge them):
 *   - the stack file Pulumi.NAME.yaml (or --config FILE): aws:region, the sections, their SSH users and ports;
 *   - the stack outputs (--outputs): host addresses and the search admin endpoint the last update exported
 *     (its password and CA are read from the SSM parameters the outputs name);
 *   - $DATAPLAT_SSH_KEY: the private key of dataplat:sshPrivateKey (written to a 0600 temp file for ssh, removed after);
 *   - `pulumi version` on PATH; the AWS credentials of the default chain (instance role, profile, environment),
 *     AWS_ENDPOINT_URL honoured; dist/build-manifest.json and the sources.
 *
 * Two helpers for the build and the workflows:
 *   --print-region     prints the stack file's aws:region (the workflows take the region from there);
 *   --record-build     writes dist/build-manifest.json (the postbuild step of `npm run build`).
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parseStackConfig } from "../ops/config/parse";
import { type AwsFact, checkAwsCredentials } from "../ops/preflight/aws";
import { type BuildHashes, BUILD_SCOPE, checkBuild, inScope, MANIFEST_PATH, type ManifestFact, manifestOf } from "../ops/preflight/build";
import { type CheckLine, preflightExitCode, renderLine } from "../ops/preflight/check";
import { OutputsError, readOutputs } from "../ops/preflight/outputs";
import { checkPulumiCli, type PulumiVersionFact } from "../ops/preflight/pulumi-cli";
import { checkSearch, type SearchFact, type SearchTarget, searchTarget } from "../ops/preflight/search";
import { checkSsh, missingKeyLine, SSH_CONNECT_TIMEOUT_SECONDS, SSH_KEY_ENV, sshArgv, type SshFact, type SshTarget, sshTargets } from "../ops/preflight/ssh";
import { SearchClient } from "../runners/search/client";
import { repoRoot } from "../stacks/offline/root";
import { readStackFile } from "../stacks/offline/stackfile";
import { readStackFileOf, runCli, stackFileOf, writeStdout } from "./stack-cli";

const USAGE = [
    "usage: npm run preflight -- --stack NAME --outputs FILE|- [--config FILE]",
    "         FILE: `pulumi stack output --stack NAME --json --show-secrets` (- reads stdin); the SSH key in $DATAPLAT_SSH_KEY",
    "       npm run -s preflight -- --stack NAME --print-region [--config FILE]",
    "       npm run -s preflight -- --record-build   (the postbuild step: writes dist/build-manifest.json)",
    "exit: 0 every check passed, 1 a check failed, 2 the stack file is refused, 64 usage",
].join("\n");

/** How long `pulumi version`, an AWS call and a search request may take. */
const COMMAND_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;

// ---- Facts: each gathered here, judged in ops/preflight ----

function pulumiVersion(): Promise<PulumiVersionFact> {
    return new Promise((resolve) => {
        execFile("pulumi", ["version"], { timeout: COMMAND_TIMEOUT_MS, encoding: "utf8" }, (error, stdout, stderr) => {
            if (!error) return resolve({ kind: "printed", stdout });
            const code = (error as NodeJS.ErrnoException).code;
            if (code === "ENOENT") return resolve({ kind: "failed", why: "no `pulumi` on PATH" });
            if (error.killed) return resolve({ kind: "failed", why: `no answer within ${COMMAND_TIMEOUT_MS / 1000} s` });
            resolve({ kind: "failed", why: `exited ${String(code)}: ${(stderr || error.message).trim().slice(0, 200)}` });
        });
    });
}

/** AWS_ENDPOINT_URL(_STS), which the SDK honours; named in the report so a stand-in endpoint is never mistaken for AWS. */
function stsEndpoint(): string | undefined {
    return process.env.AWS_ENDPOINT_URL_STS || process.env.AWS_ENDPOINT_URL || undefined;
}

const awsClientConfig = (region: string) => ({ region, maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: REQUEST_TIMEOUT_MS } });

async function awsIdentity(region: string): Promise<AwsFact> {
    const endpoint = stsEndpoint();
    const at = { region, ...(endpoint ? { endpoint } : {}) };
    const client = new STSClient(awsClientConfig(region));
    try {
        const id = await client.send(new GetCallerIdentityCommand({}));
        return { kind: "identity", ...at, ...(id.Account ? { account: id.Account } : {}), ...(id.Arn ? { arn: id.Arn } : {}) };
    } catch (e) {
        const err = e as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
        const status = err.$metadata?.httpStatusCode;
        return { kind: "error", ...at, name: err.name || err.code || "Error", message: err.message, ...(status !== undefined ? { status } : {}) };
    }
}

/** A SecureString parameter's value in the stack's region, or why it could not be read. */
async function parameter(name: string, what: string, region: string): Promise<{ value: string } | { why: string }> {
    try {
        const answer = await new SSMClient(awsClientConfig(region)).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        const value = answer.Parameter?.Value;
        return value ? { value } : { why: `the ${what} parameter ${name} is empty` };
    } catch (e) {
        return { why: `the ${what} parameter ${name} could not be read in ${region}: ${(e as Error).name}: ${(e as Error).message}` };
    }
}

async function searchAnswer(target: SearchTarget, region: string): Promise<SearchFact | undefined> {
    if (target.kind !== "endpoint") return undefined;
    let ca = target.tls?.ca;
    if (target.tls?.caParameter !== undefined) {
        const read = await parameter(target.tls.caParameter, "CA", region);
        if ("why" in read) return { kind: "failed", why: read.why };
        ca = read.value;
    }
    let endpoint = target.endpoint;
    if (target.auth !== undefined) {
        const read = await parameter(target.auth.passwordParameter, "admin password", region);
        if ("why" in read) return { kind: "failed", why: read.why };
        try {
            const url = new URL(endpoint);
            url.username = encodeURIComponent(target.auth.user);
            url.password = encodeURIComponent(read.value);
            endpoint = url.toString().replace(/\/$/, "");
        } catch {
            return { kind: "failed", why: "search.adminUrl in the outputs is not a URL" };
        }
    }
    try {
        const tls = { ...(ca !== undefined ? { ca } : {}), ...(target.tls?.serverName !== undefined ? { serverName: target.tls.serverName } : {}) };
        const client = new SearchClient(endpoint, { requestTimeoutMs: REQUEST_TIMEOUT_MS, masterTimeout: "10s", tls });
        const info = await client.info();
        const health = await client.health();
        return { kind: "answered", distribution: info.distribution, version: info.version, clusterName: info.clusterName, status: health.status };
    } catch (e) {
        return { kind: "failed", why: (e as Error).message };
    }
}

function sshOnce(t: SshTarget, keyFile: string, knownHosts: string): Promise<SshFact> {
    const args = sshArgv(t, keyFile, knownHosts, "true");
    return new Promise((resolve) => {
        const child = spawn("ssh", args, { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        let timedOut = false;
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        const timer = setTimeout(
            () => {
                timedOut = true;
                child.kill("SIGKILL");
            },
            (SSH_CONNECT_TIMEOUT_SECONDS + 20) * 1000,
        );
        child.on("error", (e) => {
            clearTimeout(timer);
            resolve({ status: null, stderr, error: e.message });
        });
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stderr, ...(timedOut ? { timedOut } : {}) });
        });
    });
}

async function sshLines(targets: readonly SshTarget[], key: string): Promise<CheckLine[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-preflight-"));
    try {
        const keyFile = path.join(dir, "key");
        fs.writeFileSync(keyFile, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
        const knownHosts = path.join(dir, "known_hosts");
        const lines: CheckLine[] = new Array(targets.length);
        // A few at a time: many hosts should not look like a scan to the VPC's flow logs or sshd's MaxStartups.
        let next = 0;
        const worker = async () => {
            for (let i = next++; i < targets.length; i = next++) lines[i] = checkSsh(targets[i]!, await sshOnce(targets[i]!, keyFile, knownHosts));
        };
        await Promise.all(Array.from({ length: Math.min(8, targets.length) }, worker));
        return lines;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** Hashes of the sources in scope and of every JavaScript file under dist/ of those folders. */
function buildHashes(root: string): BuildHashes {
    const sources: Record<string, string> = {};
    const outputs: Record<string, string> = {};
    const walk = (rel: string, visit: (relPath: string) => void) => {
        const abs = path.join(root, rel);
        if (!fs.existsSync(abs)) return;
        for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
            const child = `${rel}/${entry.name}`;
            if (entry.isDirectory()) walk(child, visit);
            else if (entry.isFile()) visit(child);
        }
    };
    for (const dir of BUILD_SCOPE) {
        walk(dir, (p) => {
            if (inScope(p)) sources[p] = sha256(path.join(root, p));
        });
        walk(`dist/${dir}`, (p) => {
            if (p.endsWith(".js")) outputs[p] = sha256(path.join(root, p));
        });
    }
    return { sources, outputs };
}

function manifestFact(root: string): ManifestFact {
    const file = path.join(root, MANIFEST_PATH);
    if (!fs.existsSync(file)) return { kind: "missing" };
    try {
        return { kind: "read", value: JSON.parse(fs.readFileSync(file, "utf8")) };
    } catch (e) {
        return { kind: "unreadable", why: (e as Error).message };
    }
}

async function readInput(file: string): Promise<string> {
    if (file !== "-") return fs.promises.readFile(file, "utf8");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

// ---- The run ----

async function main(): Promise<number> {
    let values: { stack?: string; config?: string; outputs?: string; "print-region"?: boolean; "record-build"?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({
            options: {
                stack: { type: "string" },
                config: { type: "string" },
                outputs: { type: "string" },
                "print-region": { type: "boolean" },
                "record-build": { type: "boolean" },
                help: { type: "boolean" },
            },
            strict: true,
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 64;
    }
    if (values.help) {
        await writeStdout(USAGE + "\n");
        return 0;
    }
    const root = repoRoot();
    if (values["record-build"]) {
        const manifest = manifestOf(buildHashes(root));
        fs.writeFileSync(path.join(root, MANIFEST_PATH), JSON.stringify(manifest, null, 1) + "\n");
        return 0;
    }
    if (typeof values.stack !== "string" || values.stack === "") {
        process.stderr.write(`--stack is required\n${USAGE}\n`);
        return 64;
    }
    // A wrong --stack is a usage error that lists the stacks there are; a --config that is not there names the flag.
    const raw = values.config !== undefined ? readStackFileOf("--config", values.config) : readStackFile(stackFileOf(values.stack, root));
    // A refused stack file throws a ConfigError: exit 2 with every problem (runCli).
    const parsed = parseStackConfig(raw.config, new Set(raw.secretKeys));
    if (values["print-region"]) {
        await writeStdout(parsed.region + "\n");
        return 0;
    }
    if (values.outputs === undefined) {
        process.stderr.write(`--outputs is required: the preflight reads which hosts and endpoint the update reaches from the stack outputs\n${USAGE}\n`);
        return 64;
    }
    let outputs;
    try {
        outputs = readOutputs(await readInput(values.outputs));
    } catch (e) {
        if (e instanceof OutputsError) {
            process.stderr.write(`preflight: ${e.message}\n`);
            return 64;
        }
        throw e;
    }

    const search = searchTarget({
        configured: parsed.config.search !== undefined,
        outputs,
        env: { SEARCH_ENDPOINT: process.env.SEARCH_ENDPOINT, SEARCH_CA: process.env.SEARCH_CA, SEARCH_TLS_NAME: process.env.SEARCH_TLS_NAME },
    });
    const ssh = sshTargets(parsed.config, outputs);
    const key = process.env[SSH_KEY_ENV];
    const [version, aws, searchFact, sshChecks] = await Promise.all([
        pulumiVersion(),
        awsIdentity(parsed.region),
        searchAnswer(search, parsed.region),
        ssh.targets.length === 0 ? Promise.resolve([]) : key ? sshLines(ssh.targets, key) : Promise.resolve([missingKeyLine(ssh.targets)]),
    ]);
    const lines: CheckLine[] = [
        checkPulumiCli(version),
        checkAwsCredentials(aws),
        checkSearch(search, searchFact),
        ...ssh.lines,
        ...sshChecks,
        checkBuild(manifestFact(root), buildHashes(root)),
    ];
    await writeStdout(lines.map(renderLine).join("\n") + "\n");
    const code = preflightExitCode(lines);
    if (code !== 0) {
        const failed = lines.filter((l) => !l.ok).length;
        await new Promise<void>((resolve) =>
            process.stderr.write(`preflight: ${failed} of ${lines.length} checks failed for stack ${values.stack}: fix them before \`pulumi up\`\n`, () =>
                resolve(),
            ),
        );
    }
    return code;
}

runCli("preflight", main);
