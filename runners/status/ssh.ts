/**
 * Running one read-only command on a host over SSH, as the preflight reaches hosts (cli/preflight.ts): the
 * stack's key in a 0600 temp file, no ssh config, no agent, BatchMode, accept-new host keys into a temp
 * known_hosts. The key file is removed on close().
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkSsh, SSH_CONNECT_TIMEOUT_SECONDS, sshArgv, type SshTarget } from "../../ops/preflight/ssh";
import { type Answer, answered, failed } from "../../ops/status/answer";

export interface SshSession {
    /** stdout of `command` on the target, or why it could not run (ssh's own last words, as the preflight reads them). */
    run(target: SshTarget, command: string): Promise<Answer<string>>;
    close(): void;
}

/** Seconds a command may take on a host once connected (df and find over a few dirs). */
const COMMAND_SECONDS = 60;

export function sshSession(privateKey: string): SshSession {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-"));
    const keyFile = path.join(dir, "key");
    fs.writeFileSync(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    const knownHosts = path.join(dir, "known_hosts");
    return {
        run(t, command) {
            const args = sshArgv(t, keyFile, knownHosts, command);
            return new Promise((resolve) => {
                const child = spawn("ssh", args, { stdio: ["ignore", "pipe", "pipe"] });
                let stdout = "";
                let stderr = "";
                let timedOut = false;
                child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
                child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
                const timer = setTimeout(
                    () => {
                        timedOut = true;
                        child.kill("SIGKILL");
                    },
                    (SSH_CONNECT_TIMEOUT_SECONDS + COMMAND_SECONDS) * 1000,
                );
                child.on("error", (e) => {
                    clearTimeout(timer);
                    resolve(failed(checkSsh(t, { status: null, stderr, error: e.message }).detail));
                });
                child.on("close", (status) => {
                    clearTimeout(timer);
                    if (status === 0 && !timedOut) return resolve(answered(stdout));
                    const line = checkSsh(t, { status, stderr, ...(timedOut ? { timedOut } : {}) });
                    resolve(failed(line.ok ? `exited ${status}` : line.detail));
                });
            });
        },
        close() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
