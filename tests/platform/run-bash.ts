/** Run a generated bash script for real (asynchronously, so in-process test servers keep answering). */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface BashResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

export function runBash(script: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<BashResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-script-"));
    const file = path.join(dir, "script.sh");
    fs.writeFileSync(file, script, { mode: 0o700 });
    return new Promise((resolve, reject) => {
        const child = spawn("bash", [file], { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => {
            stdout += c.toString();
        });
        child.stderr.on("data", (c: Buffer) => {
            stderr += c.toString();
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.once("close", (status) => {
            clearTimeout(timer);
            fs.rmSync(dir, { recursive: true, force: true });
            resolve({ status, stdout, stderr });
        });
    });
}

/** `bash -n`: the script parses. */
export async function bashSyntaxErrors(script: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-syntax-"));
    const file = path.join(dir, "script.sh");
    fs.writeFileSync(file, script);
    try {
        const result = await new Promise<BashResult>((resolve, reject) => {
            const child = spawn("bash", ["-n", file], { stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            child.stderr.on("data", (c: Buffer) => {
                stderr += c.toString();
            });
            child.once("error", reject);
            child.once("close", (status) => resolve({ status, stdout: "", stderr }));
        });
        return result.status === 0 ? "" : result.stderr;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
