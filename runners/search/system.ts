// The real clock, lock owner and command runner of the search runners (runners/search/api.ts), used unless a test
// passes fakes.

import { spawn } from "node:child_process";
import { hostname } from "node:os";
import type { Clock, CommandRunner, LockOwner } from "./api";

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export const systemLockOwner: LockOwner = {
    host: hostname(),
    pid: process.pid,
    alive(pid: number): boolean {
        try {
            process.kill(pid, 0);
            return true;
        } catch (e) {
            return (e as NodeJS.ErrnoException).code === "EPERM";
        }
    },
};

/** `bash -c COMMAND`, output on stderr, killed at the timeout; 127 when bash cannot start. */
export const bashRunner: CommandRunner = (command, timeoutSeconds) =>
    new Promise((resolve) => {
        const child = spawn("bash", ["-c", command], { stdio: ["ignore", process.stderr, process.stderr], timeout: timeoutSeconds * 1000 });
        child.on("error", () => resolve(127));
        child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
