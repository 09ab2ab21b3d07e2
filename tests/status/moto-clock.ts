/**
 * moto's server with a clock the test moves: moto_server (from the peers venv, tests/peers/moto) run under
 * libfaketime with FAKETIME_TIMESTAMP_FILE and FAKETIME_NO_CACHE, so writing "-8d" to the file makes moto stamp
 * what it stores next (an SQS message's SentTimestamp, an S3 object's LastModified) eight days ago, and "+0" puts
 * it back. This is how the tests get old messages and old backups from moto itself: moto cannot age them, and
 * nothing in the status command is told a fake time (it reads its own, real clock).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { peersVenv, MOTO_INSTALL_SCRIPT } from "../peers/moto/harness";
import { freePort } from "../peers/postgres/harness";

export const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

export interface ClockedMoto {
    readonly endpoint: string;
    /** Environment for the status CLI: dummy credentials and AWS_ENDPOINT_URL at this moto. */
    readonly env: NodeJS.ProcessEnv;
    /** Moves moto's clock: a libfaketime offset such as "-8d", "-10m", "+0". */
    setClock(offset: string): void;
    stop(): Promise<void>;
}

export async function startClockedMoto(): Promise<ClockedMoto> {
    const bin = path.join(peersVenv(), "bin", "moto_server");
    if (!fs.existsSync(bin)) throw new Error(`moto_server is not installed: run ${MOTO_INSTALL_SCRIPT}`);
    if (!fs.existsSync(LIBFAKETIME)) throw new Error(`libfaketime is not installed (${LIBFAKETIME}): apt-get install faketime`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-status-moto-"));
    const clock = path.join(dir, "faketime");
    fs.writeFileSync(clock, "+0\n");
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], {
        env: { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: clock, FAKETIME_NO_CACHE: "1", FAKETIME_DONT_RESET: "1" },
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}) before listening: ${stderr}`);
        try {
            if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`moto_server did not answer on ${endpoint}: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        endpoint,
        env: { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing-secret-never-printed", AWS_ENDPOINT_URL: endpoint },
        setClock: (offset) => fs.writeFileSync(clock, `${offset}\n`),
        stop,
    };
}
