/**
 * A real OpenSSH server on 127.0.0.1 at a free port, for the preflight's SSH check: `sshd -D -e` with its own
 * host key, config and authorized_keys in a temp dir, accepting public-key logins of the current user (root in
 * the test containers) for exactly the keys it is given. Fails (never skips) with the install script when sshd
 * is missing.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../postgres/harness";

export const SSHD_INSTALL = "bash tests/peers/sshd/install.sh";
const SSHD = "/usr/sbin/sshd";

export interface KeyPair {
    readonly privateKey: string;
    readonly publicKey: string;
}

/** A fresh ed25519 key pair without a passphrase (ssh-keygen). */
export function makeKeyPair(dir: string, name: string): KeyPair {
    const file = path.join(dir, name);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file], { stdio: "ignore" });
    return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8") };
}

export interface SshdPeer {
    readonly port: number;
    /** The user the server lets in (the user running the tests). */
    readonly user: string;
    /** What sshd logged so far (-e: to stderr). */
    log(): string;
    stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

export async function startSshd(authorizedKeys: readonly string[], options: { startTimeoutMs?: number } = {}): Promise<SshdPeer> {
    if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is not installed: run ${SSHD_INSTALL}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-sshd-"));
    const hostKey = path.join(dir, "host_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey], { stdio: "ignore" });
    fs.writeFileSync(path.join(dir, "authorized_keys"), authorizedKeys.map((k) => k.trim()).join("\n") + "\n", { mode: 0o600 });
    const port = await freePort();
    const config = [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        // The temp dir is not the user's home: its modes are not what StrictModes expects.
        "StrictModes no",
        "UsePAM no",
        "LogLevel VERBOSE",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "sshd_config"), config + "\n");
    // As root sshd separates privileges into /run/sshd, which the package creates only for its own service.
    if (process.getuid?.() === 0) fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr?.on("data", (c: Buffer) => (log += c.toString("utf8")));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    while (!(await listening(port))) {
        if (child.exitCode !== null) {
            await stop();
            throw new Error(`sshd exited (${child.exitCode}) before listening: ${log}`);
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`sshd did not listen on 127.0.0.1:${port} within the start timeout: ${log}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    return { port, user: os.userInfo().username, log: () => log, stop };
}
