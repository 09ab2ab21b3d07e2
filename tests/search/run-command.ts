// Runs a command string exactly as the Pulumi command resource registered by the SearchCluster component would:
// its interpreter `bash -c`, cwd = repository root (the project directory), the endpoint in SEARCH_ENDPOINT, and
// any further environment the resource carries (SEARCH_SSH_KEY for bounces).

import { spawn } from "node:child_process";
import { SEARCH_ENDPOINT_ENV } from "../../ops/search/commands";
import { repoRoot } from "./cluster";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

export function runCommand(
    command: string,
    endpoint: string,
    opts: { timeoutMs?: number; onStderrLine?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", command], {
            cwd: repoRoot(),
            env: { ...process.env, ...opts.env, [SEARCH_ENDPOINT_ENV]: endpoint },
            stdio: ["ignore", "pipe", "pipe"],
            timeout: opts.timeoutMs ?? 180_000,
        });
        let stdout = "";
        let stderr = "";
        let partial = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => {
            stderr += d;
            if (process.env.SEARCH_TEST_VERBOSE) process.stderr.write(d);
            partial += d;
            const lines = partial.split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) opts.onStderrLine?.(line);
        });
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}
