/**
 * A throwaway PostgreSQL cluster for integration tests: initdb into a temp dir (as the `postgres`
 * user when running as root, since PostgreSQL refuses to run as root), listening on 127.0.0.1 at
 * a free port with trust authentication, stopped and deleted by `stop()`.
 *
 * When PostgreSQL is not installed the harness fails (it never skips) and names the install script.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const POSTGRES_INSTALL_SCRIPT = "tests/peers/postgres/install.sh";

export interface PostgresPeer {
    readonly host: "127.0.0.1";
    readonly port: number;
    readonly user: "postgres";
    /** The server's bin directory (initdb, pg_ctl, and clients of the same version). */
    readonly binDir: string;
    /** Run SQL with psql and return its unaligned, tuples-only output (trimmed). */
    psql(database: string, sql: string): string;
    stop(): void;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb, or the directory of initdb on PATH. */
export function findPostgresBinDir(searchRoot = "/usr/lib/postgresql", searchPath = process.env.PATH ?? ""): string {
    const versions = fs.existsSync(searchRoot)
        ? fs
              .readdirSync(searchRoot)
              .filter((v) => fs.existsSync(path.join(searchRoot, v, "bin", "initdb")))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    if (versions.length > 0) return path.join(searchRoot, versions[0]!, "bin");
    for (const dir of searchPath.split(path.delimiter)) {
        if (dir !== "" && fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "pg_ctl"))) return dir;
    }
    throw new Error(`PostgreSQL is not installed (no initdb under ${searchRoot}/*/bin or on PATH): run ${POSTGRES_INSTALL_SCRIPT}`);
}

function run(command: string, args: readonly string[], asUser: string | undefined): string {
    const [cmd, argv] = asUser === undefined ? [command, args] : ["runuser", ["-u", asUser, "--", command, ...args]];
    const result = spawnSync(cmd, argv, { encoding: "utf8", timeout: 60_000 });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
    }
    return result.stdout;
}

export interface StartPostgresOptions {
    readonly searchRoot?: string;
    readonly searchPath?: string;
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresPeer> {
    const binDir = findPostgresBinDir(options.searchRoot, options.searchPath);
    const asUser = process.getuid?.() === 0 ? "postgres" : undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-pg-"));
    if (asUser !== undefined) {
        const uid = Number(execFileSync("id", ["-u", asUser], { encoding: "utf8" }).trim());
        const gid = Number(execFileSync("id", ["-g", asUser], { encoding: "utf8" }).trim());
        fs.chownSync(dir, uid, gid);
    }
    const data = path.join(dir, "data");
    const port = await freePort();
    try {
        run(path.join(binDir, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"], asUser);
        run(
            path.join(binDir, "pg_ctl"),
            [
                "-D",
                data,
                "-l",
                path.join(dir, "server.log"),
                "-w",
                "-t",
                "30",
                "-o",
                `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`,
                "start",
            ],
            asUser,
        );
    } catch (error) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
    }
    let stopped = false;
    return {
        host: "127.0.0.1",
        port,
        user: "postgres",
        binDir,
        psql(database: string, sql: string): string {
            return run(
                path.join(binDir, "psql"),
                ["-X", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
                undefined,
            ).trim();
        },
        stop(): void {
            if (stopped) return;
            stopped = true;
            try {
                run(path.join(binDir, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asUser);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}
