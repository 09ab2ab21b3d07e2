// Test harness: a real OpenSearch cluster on 127.0.0.1 (installed by tests/peers/opensearch/install.sh),
// one dedicated cluster-manager and three data nodes: two backup nodes (zone "reliable") and one spot node
// (zone "spot"), heap 256m each, fresh data dirs under a tmp dir, disk watermarks off. Each node's
// opensearch.yml is rendered by ops/search/yml.ts, the same function the real cluster uses.
// Nodes run daemonized through small shell scripts in the tmp dir (start/stop/kill/restart), so a test can hand
// a restart script to `bounce` as its --restart command. As root, nodes run as the system user dataplat-os
// (OpenSearch refuses root). close() kills every node it started and removes the tmp dir; a process exit
// handler kills them too if the test run dies first.

import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SearchClient, type SearchClientOptions } from "../../runners/search/client";
import { placedNodes } from "../../ops/search/nodes";
import { SearchClusterConfig } from "../../ops/search/schema";
import { renderOpensearchYml } from "../../ops/search/yml";

export const RUN_USER = "dataplat-os";

import { repoRoot } from "../../stacks/offline/root";

export { repoRoot };

export function openSearchVersion(): string {
    if (process.env.OPENSEARCH_VERSION) return process.env.OPENSEARCH_VERSION;
    return fs.readFileSync(path.join(repoRoot(), "tests/peers/opensearch/VERSION"), "utf8").trim();
}

/** Where install.sh put OpenSearch; throws a message telling how to install it when it is not there. */
export function findOpenSearchHome(version = openSearchVersion(), env: NodeJS.ProcessEnv = process.env): string {
    const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    const candidates = [env.OPENSEARCH_HOME, `/opt/dataplat/opensearch-${version}`, path.join(cache, "dataplat", `opensearch-${version}`)].filter(
        (c): c is string => !!c,
    );
    const home = candidates.find((c) => fs.existsSync(path.join(c, "bin", "opensearch")) && fs.existsSync(path.join(c, ".dataplat-installed")));
    const install = "bash tests/peers/opensearch/install.sh";
    if (!home) {
        throw new Error(
            `OpenSearch ${version} is not installed (looked in ${candidates.join(", ")}). Run \`${install}\` from the repository root, then run the tests again.`,
        );
    }
    if (isRoot() && !userExists(RUN_USER)) {
        throw new Error(`OpenSearch refuses to run as root and the user ${RUN_USER} does not exist. Run \`${install}\` as root.`);
    }
    return home;
}

export function javaHome(): string {
    if (process.env.OPENSEARCH_JAVA_HOME) return process.env.OPENSEARCH_JAVA_HOME;
    if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
    try {
        const java = fs.realpathSync(execFileSync("bash", ["-c", "command -v java"], { encoding: "utf8" }).trim());
        return path.dirname(path.dirname(java));
    } catch {
        throw new Error("java (17+) not found. Run `bash tests/peers/opensearch/install.sh` as root, or set JAVA_HOME.");
    }
}

export interface TestNode {
    /** OpenSearch node name, e.g. backup-a-g0. */
    name: string;
    role: string;
    zone: string;
    httpPort: number;
    transportPort: number;
    dir: string;
    endpoint: string;
    /** Shell scripts controlling the node process. */
    scripts: { start: string; stop: string; kill: string; restart: string };
}

export interface TestClusterOptions {
    heap?: string;
    /** Spot data nodes, named spot-a, spot-b... (default 1). */
    spotNodes?: number;
    /** zones.awareness: cluster.routing.allocation.awareness.attributes set to the zone attribute (default false). */
    awareness?: boolean;
    startTimeoutSeconds?: number;
    log?: (line: string) => void;
    /** cluster.name (default dataplat-test). */
    clusterName?: string;
    /** The distribution to run and its version (default: findOpenSearchHome() of VERSION); the TLS harness passes its own. */
    distribution?: { home: string; version: string };
    /** Called once per node after its config dir is made: may write files into `conf`; returns settings added to its yml. */
    configure?: (node: { nodeName: string; conf: string; home: string }) => Record<string, string | number | boolean | string[]>;
    /** How the harness reaches the cluster when it is not plain http without auth (secure-cluster.ts). */
    access?: ClusterAccess;
}

/** https with basic auth: the scheme of every node endpoint, the credentials and the client's TLS options. */
export interface ClusterAccess {
    scheme: "https";
    credentials: { username: string; password: string };
    clientOptions: SearchClientOptions;
}

export class TestCluster {
    private closed = false;
    private readonly onExit = (): void => this.killAllSync();

    private constructor(
        readonly dir: string,
        readonly config: SearchClusterConfig,
        readonly nodes: TestNode[],
        private readonly log: (line: string) => void,
        private readonly access?: ClusterAccess,
    ) {
        process.on("exit", this.onExit);
    }

    /** Endpoint of the cluster-manager node, which also coordinates requests. */
    get endpoint(): string {
        return this.nodes[0]!.endpoint;
    }

    /** `endpoint` with the admin credentials when the cluster has them (what $SEARCH_ENDPOINT carries). */
    get adminEndpoint(): string {
        if (!this.access) return this.endpoint;
        const url = new URL(this.endpoint);
        url.username = encodeURIComponent(this.access.credentials.username);
        url.password = encodeURIComponent(this.access.credentials.password);
        return url.toString().replace(/\/$/, "");
    }

    client(): SearchClient {
        return new SearchClient(this.adminEndpoint, { ...this.access?.clientOptions, requestTimeoutMs: 60_000 });
    }

    node(name: string): TestNode {
        const n = this.nodes.find((x) => x.name === name);
        if (!n) throw new Error(`no test node ${name}`);
        return n;
    }

    dataNodes(): TestNode[] {
        return this.nodes.filter((n) => n.role === "backup" || n.role === "spot");
    }

    static async start(options: TestClusterOptions = {}): Promise<TestCluster> {
        const home = options.distribution?.home ?? findOpenSearchHome();
        const version = options.distribution?.version ?? openSearchVersion();
        const jdk = javaHome();
        const heap = options.heap ?? "256m";
        const log = options.log ?? ((line: string) => process.stderr.write(`[cluster] ${line}\n`));
        const base = { instanceType: "local", heap, volumeSizeGiB: 1 };
        const config = SearchClusterConfig.parse({
            clusterName: options.clusterName ?? "dataplat-test",
            engine: { distribution: "opensearch", version },
            masters: [{ name: "cm", ...base }],
            backupNodes: [
                { name: "backup-a", ...base },
                { name: "backup-b", ...base },
            ],
            spotNodes: Array.from({ length: options.spotNodes ?? 1 }, (_, i) => ({ name: `spot-${String.fromCharCode(97 + i)}`, ...base })),
            replicas: 1,
            ...(options.awareness ? { zones: { awareness: true } } : {}),
        });
        const placed = placedNodes(config);
        const ports = await freePorts(placed.length * 2);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-search-"));
        fs.chmodSync(dir, 0o755);
        const jvmOptions = fs
            .readFileSync(path.join(home, "config", "jvm.options"), "utf8")
            .split("\n")
            .filter((l) => !/^(\S*:)?-(Xms|Xmx|XX:HeapDumpPath|XX:ErrorFile|XX:\+HeapDumpOnOutOfMemoryError|Xlog:gc|Xloggc)/.test(l.trim()));
        const managers = placed.filter((p) => p.role === "cluster-manager").map((p) => `127.0.0.1:${ports[placed.indexOf(p) * 2 + 1]}`);
        const nodes: TestNode[] = placed.map((p, i) => {
            const nodeDir = path.join(dir, p.nodeName);
            const conf = path.join(nodeDir, "config");
            fs.mkdirSync(path.join(conf, "jvm.options.d"), { recursive: true });
            fs.mkdirSync(path.join(nodeDir, "data"));
            fs.mkdirSync(path.join(nodeDir, "logs"));
            const httpPort = ports[i * 2]!;
            const transportPort = ports[i * 2 + 1]!;
            const configured = options.configure?.({ nodeName: p.nodeName, conf, home }) ?? {};
            fs.writeFileSync(
                path.join(conf, "opensearch.yml"),
                renderOpensearchYml(config, p.name, {
                    seedHosts: managers,
                    networkHost: "127.0.0.1",
                    extra: {
                        "http.port": httpPort,
                        "transport.port": transportPort,
                        "path.data": path.join(nodeDir, "data"),
                        "path.logs": path.join(nodeDir, "logs"),
                        "node.processors": 1,
                        "cluster.routing.allocation.disk.threshold_enabled": false,
                        ...configured,
                    },
                }),
            );
            fs.writeFileSync(
                path.join(conf, "jvm.options"),
                [...jvmOptions, `-XX:ErrorFile=${nodeDir}/logs/hs_err_pid%p.log`, "-XX:TieredStopAtLevel=1", ""].join("\n"),
            );
            fs.copyFileSync(path.join(home, "config", "log4j2.properties"), path.join(conf, "log4j2.properties"));
            const scripts = writeScripts(nodeDir, { home, conf, jdk, heap });
            return {
                name: p.nodeName,
                role: p.role,
                zone: p.zone,
                httpPort,
                transportPort,
                dir: nodeDir,
                endpoint: `${options.access?.scheme ?? "http"}://127.0.0.1:${httpPort}`,
                scripts,
            };
        });
        if (isRoot()) execFileSync("chown", ["-R", `${RUN_USER}:${RUN_USER}`, dir]);
        const cluster = new TestCluster(dir, config, nodes, log, options.access);
        try {
            log(`starting ${nodes.length} OpenSearch nodes in ${dir}`);
            await Promise.all(nodes.map((n) => cluster.startNode(n.name)));
            await cluster.waitFor({ nodes: nodes.length, status: "green" }, options.startTimeoutSeconds ?? 240);
            log(`cluster up at ${cluster.endpoint}`);
            return cluster;
        } catch (e) {
            await cluster.close();
            throw e;
        }
    }

    /** Starts (again) the node's process on its existing data dir. */
    async startNode(name: string): Promise<void> {
        await run(this.node(name).scripts.start);
    }

    /** SIGKILL, as a lost spot node. */
    async killNode(name: string): Promise<void> {
        await run(this.node(name).scripts.kill);
    }

    async stopNode(name: string): Promise<void> {
        await run(this.node(name).scripts.stop);
    }

    /** Waits until the cluster has `nodes` nodes and reaches `status`; fails early if a node process died. */
    async waitFor(want: { nodes: number; status?: "green" | "yellow" }, timeoutSeconds: number): Promise<void> {
        const deadline = Date.now() + timeoutSeconds * 1000;
        let last = "";
        while (Date.now() < deadline) {
            for (const n of this.nodes) {
                if (!this.isRunning(n.name) && this.wasStarted(n.name)) throw new Error(`node ${n.name} died:\n${this.logTail(n.name)}`);
            }
            try {
                const status = want.status ? `&wait_for_status=${want.status}` : "";
                const res = await this.probe(`/_cluster/health?wait_for_nodes=${want.nodes}${status}&timeout=5s`);
                last = res.text;
                if (res.status === 200) return;
            } catch (e) {
                last = String(e);
                await new Promise((r) => setTimeout(r, 1000));
            }
        }
        throw new Error(
            `cluster did not reach ${want.nodes} nodes / ${want.status ?? "any status"} in ${timeoutSeconds}s: ${last}\n${this.nodes.map((n) => this.logTail(n.name)).join("\n")}`,
        );
    }

    /** One GET of the harness itself (not the client under test): status and body; throws when nothing answers. */
    private async probe(pathAndQuery: string): Promise<{ status: number; text: string }> {
        if (!this.access) {
            const res = await fetch(`${this.endpoint}${pathAndQuery}`, { signal: AbortSignal.timeout(15_000) });
            return { status: res.status, text: await res.text() };
        }
        try {
            const body = await new SearchClient(this.adminEndpoint, { ...this.access.clientOptions, requestTimeoutMs: 15_000 }).json("GET", pathAndQuery);
            return { status: 200, text: JSON.stringify(body) };
        } catch (e) {
            const status = (e as { status?: unknown }).status;
            if (typeof status === "number") return { status, text: String(e) };
            throw e;
        }
    }

    pid(name: string): number | undefined {
        try {
            const pid = Number(fs.readFileSync(path.join(this.node(name).dir, "pid"), "utf8").trim());
            return Number.isInteger(pid) && pid > 0 ? pid : undefined;
        } catch {
            return undefined;
        }
    }

    isRunning(name: string): boolean {
        const pid = this.pid(name);
        if (pid === undefined) return false;
        try {
            process.kill(pid, 0);
            return true;
        } catch {
            return false;
        }
    }

    private wasStarted(name: string): boolean {
        return fs.existsSync(path.join(this.node(name).dir, "started"));
    }

    logTail(name: string, lines = 30): string {
        const n = this.node(name);
        const files = [path.join(n.dir, "logs", "launcher.log"), path.join(n.dir, "logs", `${this.config.clusterName}.log`)];
        return files
            .filter((f) => fs.existsSync(f))
            .map((f) => `--- ${f}\n${fs.readFileSync(f, "utf8").split("\n").slice(-lines).join("\n")}`)
            .join("\n");
    }

    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        this.killAllSync();
        const deadline = Date.now() + 20_000;
        while (this.nodes.some((n) => this.isRunning(n.name)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        process.off("exit", this.onExit);
        fs.rmSync(this.dir, { recursive: true, force: true });
        this.log(`cluster stopped, ${this.dir} removed`);
    }

    private killAllSync(): void {
        for (const n of this.nodes) {
            const pid = this.pid(n.name);
            if (pid === undefined) continue;
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
    }
}

function writeScripts(nodeDir: string, o: { home: string; conf: string; jdk: string; heap: string }): TestNode["scripts"] {
    const asUser = isRoot() ? `runuser -u ${RUN_USER} -- ` : "";
    const pidFile = path.join(nodeDir, "pid");
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const scripts = {
        start: `#!/usr/bin/env bash
set -euo pipefail
exec >>${q(path.join(nodeDir, "logs", "launcher.log"))} 2>&1
if [ -f ${q(pidFile)} ] && kill -0 "$(cat ${q(pidFile)})" 2>/dev/null; then echo "already running"; exit 0; fi
rm -f ${q(pidFile)}
touch ${q(path.join(nodeDir, "started"))}
cd ${q(nodeDir)}
${asUser}env OPENSEARCH_PATH_CONF=${q(o.conf)} OPENSEARCH_JAVA_HOME=${q(o.jdk)} OPENSEARCH_JAVA_OPTS=${q(`-Xms${o.heap} -Xmx${o.heap}`)} \\
  ${q(path.join(o.home, "bin", "opensearch"))} -d -p ${q(pidFile)}
for _ in $(seq 1 100); do [ -s ${q(pidFile)} ] && exit 0; sleep 0.1; done
echo "no pid file after 10s"; exit 1
`,
        stop: `#!/usr/bin/env bash
set -uo pipefail
rm -f ${q(path.join(nodeDir, "started"))}
pid="$(cat ${q(pidFile)} 2>/dev/null)" || exit 0
kill -TERM "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null; sleep 0.5
`,
        kill: `#!/usr/bin/env bash
set -uo pipefail
rm -f ${q(path.join(nodeDir, "started"))}
pid="$(cat ${q(pidFile)} 2>/dev/null)" || exit 0
kill -KILL "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
`,
        restart: "",
    };
    const files = {
        start: path.join(nodeDir, "start.sh"),
        stop: path.join(nodeDir, "stop.sh"),
        kill: path.join(nodeDir, "kill.sh"),
        restart: path.join(nodeDir, "restart.sh"),
    };
    scripts.restart = `#!/usr/bin/env bash\nset -euo pipefail\nbash ${q(files.stop)}\nbash ${q(files.start)}\n`;
    for (const k of Object.keys(files) as (keyof typeof files)[]) fs.writeFileSync(files[k], scripts[k], { mode: 0o755 });
    return files;
}

function run(script: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", [script], { stdio: "ignore" });
        child.on("error", reject);
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited ${code}`))));
    });
}

async function freePorts(count: number): Promise<number[]> {
    const servers: net.Server[] = [];
    try {
        const ports: number[] = [];
        while (ports.length < count) {
            const s = net.createServer();
            servers.push(s);
            await new Promise<void>((resolve, reject) => s.listen(0, "127.0.0.1", resolve).on("error", reject));
            ports.push((s.address() as net.AddressInfo).port);
        }
        return ports;
    } finally {
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
}

export function isRoot(): boolean {
    return typeof process.getuid === "function" && process.getuid() === 0;
}

export function userExists(user: string): boolean {
    try {
        execFileSync("id", ["-u", user], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}
