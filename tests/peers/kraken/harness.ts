// A real Kraken origin cluster for the tests: Kraken's own origin and testfs backend (built by
// tests/peers/kraken/install.sh from the Go module proxy), with Debian's nginx in front of each origin.
//
// Everything runs inside one private network namespace that has only loopback (`unshare -n`): Kraken's origin
// starts nginx itself and its peer port listens on all addresses, so nothing of it may reach the machine's own
// network. Each origin is a "host" with its own IP (127.0.0.x) and its own mount namespace, in which /tmp is that
// host's directory (Kraken writes /tmp/nginx/* and /tmp/nginx.pid at fixed paths). `sudo` and `systemctl` are
// shims on PATH: `systemctl restart` restarts that host's origin (origin-host.sh). The testfs backend listens on
// 127.0.0.1:14000. Root is needed (namespaces, bind mounts); a missing binary or root fails, it never skips.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const here = path.resolve(__dirname, "..", "..", "..", "..", "tests", "peers", "kraken");
export const TESTFS_ADDR = "127.0.0.1:14000";

/** The built Kraken binaries (install.sh keys them by Kraken version and Go version). */
export function krakenBinDir(): string {
    const version = fs.readFileSync(path.join(here, "VERSION"), "utf8").trim();
    const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "dataplat", "kraken", "bin");
    const go = process.env.DATAPLAT_GO ?? (fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go");
    let goVersion = "";
    try {
        goVersion = execFileSync(go, ["env", "GOVERSION"], { encoding: "utf8" }).trim();
    } catch {
        throw new Error("Go is not installed: the Kraken peer is built with it (bash tests/peers/install.sh)");
    }
    const dir = path.join(cache, `kraken-${version}-${goVersion}`);
    if (!fs.existsSync(path.join(dir, "kraken-origin")) || !fs.existsSync("/usr/sbin/nginx")) {
        throw new Error(`Kraken ${version} is not installed (${dir}, /usr/sbin/nginx): run \`bash tests/peers/install.sh\` as root`);
    }
    return dir;
}

export interface RunResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

export class KrakenCluster {
    private readonly hosts = new Map<string, number>();
    private readonly pids: number[] = [];

    private constructor(
        readonly root: string,
        readonly bin: string,
        readonly port: number,
        private readonly netPid: number,
    ) {}

    static async start(port: number): Promise<KrakenCluster> {
        if (process.getuid?.() !== 0) throw new Error("the Kraken peer needs root (network and mount namespaces)");
        const bin = krakenBinDir();
        // Outside /tmp: every host's /tmp is its own directory.
        const root = fs.mkdtempSync("/var/tmp/dataplat-kraken-");
        fs.mkdirSync(path.join(root, "shims"));
        fs.writeFileSync(path.join(root, "shims", "sudo"), '#!/bin/bash\nexec "$@"\n', { mode: 0o755 });
        fs.writeFileSync(
            path.join(root, "shims", "systemctl"),
            `#!/bin/bash\n[ "$1" = restart ] || { echo "systemctl shim: only restart" >&2; exit 2; }\nexec bash '${path.join(here, "origin-host.sh")}' restart\n`,
            { mode: 0o755 },
        );
        const net = spawn("unshare", ["-n", "--", "bash", "-c", "ip link set lo up && exec sleep infinity"], { detached: true, stdio: "ignore" });
        const cluster = new KrakenCluster(root, bin, port, net.pid!);
        cluster.pids.push(net.pid!);
        await cluster.until(
            () =>
                spawnSync("nsenter", ["-t", String(net.pid), "-n", "--", "ip", "-o", "addr", "show", "lo", "up"], { encoding: "utf8" }).stdout.includes(
                    "127.0.0.1",
                ),
            "the namespace's loopback",
        );
        const testfs = spawn("nsenter", ["-t", String(net.pid), "-n", "--", path.join(bin, "kraken-testfs"), "-port", TESTFS_ADDR.split(":")[1]], {
            detached: true,
            stdio: ["ignore", fs.openSync(path.join(root, "testfs.log"), "a"), fs.openSync(path.join(root, "testfs.log"), "a")],
        });
        cluster.pids.push(testfs.pid!);
        await cluster.until(() => cluster.inNet(`curl -sf -o /dev/null http://${TESTFS_ADDR}/health`).status === 0, "testfs");
        return cluster;
    }

    /** Prepares an origin host at `ip` (its own /tmp with Kraken's base config); the rollout starts it. */
    async addHost(ip: string): Promise<void> {
        const dir = path.join(this.root, "hosts", ip);
        fs.mkdirSync(dir, { recursive: true });
        const holder = spawn(
            "nsenter",
            [
                "-t",
                String(this.netPid),
                "-n",
                "--",
                "unshare",
                "-m",
                "--propagation",
                "private",
                "--",
                "bash",
                "-c",
                `mount --bind '${dir}' /tmp && exec sleep infinity`,
            ],
            { detached: true, stdio: "ignore" },
        );
        this.pids.push(holder.pid!);
        this.hosts.set(ip, holder.pid!);
        await this.until(() => this.onHost(ip, "mountpoint -q /tmp").status === 0, `the mount namespace of ${ip}`);
        const peerPort = 16000 + Number(ip.split(".")[3]);
        const r = this.onHost(ip, `bash '${path.join(here, "origin-host.sh")}' setup '${ip}' ${this.port} ${peerPort} '${TESTFS_ADDR}' '${this.bin}'`);
        if (r.status !== 0) throw new Error(`setting up ${ip}: ${r.stderr}`);
    }

    /** Runs a bash script on an origin host (its namespaces, the sudo/systemctl shims first on PATH). */
    onHost(ip: string, script: string): RunResult {
        const pid = this.hosts.get(ip);
        if (pid === undefined) throw new Error(`no host ${ip}`);
        return run(["nsenter", "-t", String(pid), "-n", "-m", "--", "env", `PATH=${path.join(this.root, "shims")}:${process.env.PATH}`, "bash", "-s"], script);
    }

    /** Runs a bash script in the cluster's network namespace (where `pulumi up`'s local commands would reach it). */
    inNet(script: string): RunResult {
        return run(["nsenter", "-t", String(this.netPid), "-n", "--", "bash", "-s"], script);
    }

    /** Stores a blob in the testfs backend (POST /files/<path>). */
    uploadToBackend(name: string, data: Buffer): void {
        const r = spawnSync(
            "nsenter",
            ["-t", String(this.netPid), "-n", "--", "curl", "-sSf", "-X", "POST", "--data-binary", "@-", `http://${TESTFS_ADDR}/files/${name}`],
            { input: data, encoding: "utf8" },
        );
        if (r.status !== 0) throw new Error(`upload ${name} to testfs: ${r.stderr}`);
    }

    /** Stops an origin for good (the engine deleting a removed host). */
    stopHost(ip: string): void {
        this.onHost(ip, `bash '${path.join(this.here())}/origin-host.sh' stop`);
        const pid = this.hosts.get(ip)!;
        try {
            process.kill(pid);
        } catch {}
        this.hosts.delete(ip);
    }

    running(): string[] {
        return [...this.hosts.keys()];
    }

    /** The host's own blob store: does it hold `digest`? (Kraken's CAS: cache/<2 hex>/<2 hex>/<digest>.) */
    holds(ip: string, digest: string): boolean {
        return fs.existsSync(path.join(this.root, "hosts", ip, "kraken", "cache", digest.slice(0, 2), digest.slice(2, 4), digest));
    }

    /** What an origin answers on /blobs/sha256:<d>/locations. */
    locations(ip: string, digests: readonly string[]): string[] {
        const r = this.inNet(
            digests
                .map(
                    (d) =>
                        `curl -sf -D - -o /dev/null 'http://${ip}:${this.port}/blobs/sha256:${d}/locations' | tr -d '\\r' | sed -n 's/^[Oo]rigin-[Ll]ocations: *//p'`,
                )
                .join("\n"),
        );
        if (r.status !== 0) throw new Error(`locations from ${ip}: ${r.stderr}`);
        return r.stdout.trim().split("\n");
    }

    async close(): Promise<void> {
        for (const ip of [...this.hosts.keys()]) this.onHost(ip, `bash '${this.here()}/origin-host.sh' stop`);
        for (const pid of this.pids.reverse()) {
            try {
                process.kill(pid);
            } catch {}
        }
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    private here(): string {
        return here;
    }

    async until(check: () => boolean, what: string, seconds = 30): Promise<void> {
        const deadline = Date.now() + seconds * 1000;
        while (!check()) {
            if (Date.now() > deadline) throw new Error(`${what} not ready within ${seconds}s`);
            await new Promise((r) => setTimeout(r, 200));
        }
    }
}

function run(argv: string[], input: string): RunResult {
    const r = spawnSync(argv[0], argv.slice(1), { input, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
