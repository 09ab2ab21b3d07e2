// The search CLI as a process (node dist/cli/search.js), against local stand-ins for the cluster: a recording HTTP
// server, a closed port, a black hole (accepts TCP, never answers). Bad input exits 64 naming the flag before any
// request is sent; a value with quotes, $(...) or ; reaches the CLI as one argument and is refused, never run; every
// HTTP error names the endpoint without its password; --timeout bounds the first request too.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SEARCH_CLI } from "../../ops/search/commands";
import { arg } from "../../ops/shared/shell";
import { EXIT_CODES } from "../../ops/search/failures";
import { repoRoot } from "./cluster";
import { type CommandResult, runCommand } from "./run-command";

/** Runs the CLI with `args` as its argv (no shell), SEARCH_ENDPOINT = `endpoint`. */
function cli(args: string[], endpoint: string): Promise<CommandResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["dist/cli/search.js", ...args], {
            cwd: repoRoot(),
            env: { ...process.env, SEARCH_ENDPOINT: endpoint },
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 90_000,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

/** An HTTP server answering `status` with a small JSON body to everything, recording each request's URL. */
async function recordingServer(status: number): Promise<{ port: number; seen: string[]; close: () => Promise<void> }> {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "scripted" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        port: (server.address() as net.AddressInfo).port,
        seen,
        close: () =>
            new Promise((r) => {
                server.closeAllConnections();
                server.close(() => r());
            }),
    };
}

/** A TCP server that accepts connections and never answers. */
async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
        sockets.add(s);
        s.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        port: (server.address() as net.AddressInfo).port,
        close: () =>
            new Promise((r) => {
                for (const s of sockets) s.destroy();
                server.close(() => r());
            }),
    };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
}

const quoted = (v: string): RegExp => new RegExp(JSON.stringify(v).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

describe("search CLI: bad input is refused with exit 64, before any request", function () {
    this.timeout(60_000);
    let srv: Awaited<ReturnType<typeof recordingServer>>;
    let endpoint: string;

    before(async () => {
        srv = await recordingServer(200);
        endpoint = `http://127.0.0.1:${srv.port}`;
    });
    after(() => srv.close());

    it("a misspelt node, a bad byte rate or timeout, a flag the command does not take: 64, naming the flag", async () => {
        const cases: [string[], RegExp[]][] = [
            [
                ["drain", "--node", "backup-x", "--timeout", "10"],
                [/--node "backup-x"/, /<config name>-g<generation>/],
            ],
            [
                ["drain", "--node", "backup-a-g0", "--timeout", "10", "--max-bytes-per-sec", "250MB"],
                [/--max-bytes-per-sec "250MB"/, /such as 250mb/],
            ],
            [
                ["wait-joined", "--node", "backup-a-g0", "--timeout", "0"],
                [/--timeout "0"/, /whole number of seconds/],
            ],
            [["undrain", "--node", "backup-a-g0", "--timeout", "10"], [/undrain does not take --timeout/]],
            [["exclude-spot", "--spot-zone", "spot", "--zone-attribute", "$(id)"], [/--zone-attribute "\$\(id\)"/]],
            [["drain", "--node", "backup-a-g0"], [/drain needs --timeout/]],
            [["drain", "--node", "backup-a-g0", "--timeout", "10", "--force"], [/--force/]],
        ];
        const results = await Promise.all(cases.map(([args]) => cli(args, endpoint)));
        results.forEach((r, i) => {
            assert.equal(r.code, EXIT_CODES.usage, `${cases[i]![0].join(" ")}: ${r.stderr}`);
            for (const p of cases[i]![1]) assert.match(r.stderr, p);
            assert.match(r.stderr, /--help/);
        });
        assert.deepEqual(srv.seen, [], "no request reached the cluster");
    });

    it("a node with quotes, $(...) or ; reaches the CLI as one argument, through bash too, and is refused, never run", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-inject-"));
        const mark = path.join(dir, "ran");
        try {
            const values = [
                `backup-a-g0'; touch ${mark}; '`,
                `$(touch ${mark})`,
                `backup-a-g0; touch ${mark}`,
                `"backup-a-g0" && touch ${mark}`,
                `\`touch ${mark}\``,
            ];
            for (const v of values) {
                for (const r of [
                    await cli(["drain", "--node", v, "--timeout", "5"], endpoint),
                    await runCommand(`${SEARCH_CLI} drain --node ${arg(v)} --timeout 5`, endpoint),
                ]) {
                    assert.equal(r.code, EXIT_CODES.usage, `${v}: ${r.stderr}`);
                    assert.match(r.stderr, new RegExp(`--node ${quoted(v).source}`), "the whole value, as one argument, is named");
                }
            }
            assert.equal(fs.existsSync(mark), false, "nothing was run");
            assert.deepEqual(srv.seen, [], "no request reached the cluster");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("--help prints every command and flag and exits 0; no command is a usage error", async () => {
        const help = await cli(["--help"], endpoint);
        assert.equal(help.code, 0, help.stderr);
        for (const c of ["drain", "undrain", "wait-joined", "exclude-spot", "restore-spot", "bounce", "health"])
            assert.match(help.stdout, new RegExp(`^  ${c} `, "m"));
        for (const f of [
            "endpoint",
            "node",
            "timeout",
            "spot-zone",
            "zone-attribute",
            "recoveries",
            "max-bytes-per-sec",
            "keep-exclusion-on-failure",
            "absent-ok",
            "restart",
            "allocation",
            "status",
        ]) {
            assert.match(help.stdout, new RegExp(`^  --${f}\\b`, "m"), f);
        }
        assert.equal((await cli([], endpoint)).code, EXIT_CODES.usage);
        assert.deepEqual(srv.seen, []);
    });
});

describe("search CLI: errors name the endpoint, never its password; --timeout bounds every request", function () {
    this.timeout(90_000);

    it("an HTTP error and a refused connection name scheme://host:port, without the credentials", async () => {
        const srv = await recordingServer(500);
        try {
            const r = await cli(["health"], `http://ops:s3cret-pw@127.0.0.1:${srv.port}`);
            assert.equal(r.code, EXIT_CODES.api, r.stderr);
            assert.match(r.stderr, new RegExp(`GET http://127\\.0\\.0\\.1:${srv.port}/ -> HTTP 500`));
            assert.doesNotMatch(r.stderr + r.stdout, /s3cret|ops:/);
        } finally {
            await srv.close();
        }
        const port = await closedPort();
        const r = await cli(["drain", "--node", "backup-a-g0", "--timeout", "10"], `https://ops:s3cret-pw@127.0.0.1:${port}`);
        assert.equal(r.code, EXIT_CODES.api, r.stderr);
        assert.match(r.stderr, new RegExp(`GET https://127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED`));
        assert.match(r.stderr, /--endpoint \/ \$SEARCH_ENDPOINT/, "says what to check");
        assert.doesNotMatch(r.stderr, /s3cret|ops:/);
    });

    it("--timeout 10 against a black hole fails at about 10 s as a timeout (exit 4), not after a fixed 30 s", async () => {
        const hole = await blackHole();
        try {
            const endpoint = `http://ops:s3cret-pw@127.0.0.1:${hole.port}`;
            const runs = await Promise.all([
                cli(["drain", "--node", "backup-a-g0", "--timeout", "10"], endpoint),
                cli(["health", "--timeout", "10"], endpoint),
            ]);
            for (const r of runs) {
                assert.equal(r.code, EXIT_CODES.timeout, r.stderr);
                assert.ok(r.seconds >= 9.5 && r.seconds < 13, `returned after ${r.seconds} s`);
                assert.match(r.stderr, new RegExp(`GET http://127\\.0\\.0\\.1:${hole.port}/: request timed out .*--timeout`));
                assert.doesNotMatch(r.stderr, /s3cret/);
            }
        } finally {
            await hole.close();
        }
    });
});
