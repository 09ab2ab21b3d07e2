/**
 * moto's S3-compatible server on 127.0.0.1 at a free port, and an environment in which the aws CLI
 * (from the same cached venv) talks to it through AWS_ENDPOINT_URL with dummy credentials.
 *
 * When moto or the aws CLI is not installed the harness fails (it never skips) and names the
 * install script.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../postgres/harness";

export const MOTO_INSTALL_SCRIPT = "tests/peers/moto/install.sh";
const ACCESS_KEY_ID = "testing";
const SECRET_ACCESS_KEY = "testing";

/** ${XDG_CACHE_HOME:-$HOME/.cache}/dataplat/peers-venv, where install.sh puts moto and awscli. */
export function peersVenv(env: NodeJS.ProcessEnv = process.env): string {
    const cache = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== "" ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), ".cache");
    return path.join(cache, "dataplat", "peers-venv");
}

export interface MotoPeer {
    readonly endpoint: string;
    /** Environment for scripts: dummy credentials, AWS_ENDPOINT_URL, the venv's aws first on PATH. */
    readonly env: NodeJS.ProcessEnv;
    /** Run the aws CLI against moto; returns stdout, throws on a non-zero exit. */
    aws(args: readonly string[]): string;
    /**
     * Direct S3 REST calls for arranging test state in milliseconds rather than an aws CLI start
     * per call (moto's server does not check request signatures).
     */
    createBucket(bucket: string): Promise<void>;
    putObject(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
    getObject(bucket: string, key: string): Promise<Buffer>;
    listKeys(bucket: string, prefix: string): Promise<string[]>;
    /** Size and S3 LastModified (seconds since the epoch) of an object. */
    headObject(bucket: string, key: string): Promise<{ size: number; lastModifiedSeconds: number }>;
    stop(): Promise<void>;
}

/**
 * One S3 REST call signed with AWS Signature Version 4 (UNSIGNED-PAYLOAD) for the harness's dummy
 * credentials, so moto attributes it to its default account like the aws CLI's requests.
 */
async function s3(endpoint: string, method: string, resource: string, body?: Uint8Array | string): Promise<Response> {
    const url = new URL(`${endpoint}/${resource}`);
    const amzDate = new Date()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}Z$/, "Z");
    const day = amzDate.slice(0, 8);
    const region = "us-east-1";
    const query = [...url.searchParams].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]).sort(([a], [b]) => (a! < b! ? -1 : 1));
    const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-date": amzDate };
    const signed = Object.keys(headers).sort();
    const canonical = [
        method,
        url.pathname,
        query.map(([k, v]) => `${k}=${v}`).join("&"),
        signed.map((h) => `${h}:${headers[h]}\n`).join(""),
        signed.join(";"),
        "UNSIGNED-PAYLOAD",
    ].join("\n");
    const scope = `${day}/${region}/s3/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
    const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${SECRET_ACCESS_KEY}`, day), region), "s3"), "aws4_request");
    const signature = createHmac("sha256", signingKey).update(toSign).digest("hex");
    const authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
    const response = await fetch(url, { method, headers: { ...headers, authorization }, ...(body === undefined ? {} : { body }) });
    if (!response.ok) throw new Error(`${method} /${resource}: HTTP ${response.status}: ${await response.text()}`);
    return response;
}

const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

export interface StartMotoOptions {
    readonly venv?: string;
    readonly startTimeoutMs?: number;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoPeer> {
    const venv = options.venv ?? peersVenv();
    const bin = path.join(venv, "bin");
    for (const tool of ["moto_server", "aws"]) {
        if (!fs.existsSync(path.join(bin, tool))) {
            throw new Error(`${tool} is not installed in ${venv}: run ${MOTO_INSTALL_SCRIPT}`);
        }
    }
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn(path.join(bin, "moto_server"), ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async (): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
    };
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    for (;;) {
        if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}) before listening: ${stderr}`);
        try {
            const response = await fetch(`${endpoint}/moto-api/`);
            if (response.ok) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`moto_server did not answer on ${endpoint} within the start timeout: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
        AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ENDPOINT_URL: endpoint,
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    return {
        endpoint,
        env,
        aws(args: readonly string[]): string {
            const result = spawnSync(path.join(bin, "aws"), ["--endpoint-url", endpoint, ...args], { env, encoding: "utf8", timeout: 60_000 });
            if (result.status !== 0) throw new Error(`aws ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr}`);
            return result.stdout;
        },
        async createBucket(bucket) {
            await s3(endpoint, "PUT", bucket);
        },
        async putObject(bucket, key, body) {
            await s3(endpoint, "PUT", `${bucket}/${encodeKey(key)}`, body);
        },
        async getObject(bucket, key) {
            return Buffer.from(await (await s3(endpoint, "GET", `${bucket}/${encodeKey(key)}`)).arrayBuffer());
        },
        async listKeys(bucket, prefix) {
            const keys: string[] = [];
            let token: string | undefined;
            do {
                const query = `list-type=2&prefix=${encodeURIComponent(prefix)}${token === undefined ? "" : `&continuation-token=${encodeURIComponent(token)}`}`;
                const xml = await (await s3(endpoint, "GET", `${bucket}?${query}`)).text();
                for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]!.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
                token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] : undefined;
            } while (token !== undefined);
            return keys.sort();
        },
        async headObject(bucket, key) {
            const response = await s3(endpoint, "HEAD", `${bucket}/${encodeKey(key)}`);
            return {
                size: Number(response.headers.get("content-length")),
                lastModifiedSeconds: Date.parse(response.headers.get("last-modified") ?? "") / 1000,
            };
        },
        stop,
    };
}
