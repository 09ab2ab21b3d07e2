/**
 * The rollout script the OriginCluster registers (taken from the evaluated program), run for real with
 * stand-ins for what only an origin host has: `sudo` and `systemctl` are recording stubs on PATH, and
 * the origin's health endpoint is a small HTTP stand-in on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { evaluateDoc, named, stackDoc } from "../support/graph";

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stderr: string }> {
    return new Promise((resolve) => {
        const child = execFile("bash", ["-s"], { env, encoding: "utf8", timeout: 60000 }, (err, _o, stderr) =>
            resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stderr }),
        );
        child.stdin!.end(script);
    });
}

describe("registered origin rollout script", function () {
    this.timeout(120000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-rollout-"));
    const calls = path.join(tmp, "systemctl.log");
    let server: http.Server;
    let port: number;
    let healthy = true;
    let script: string;
    const env = () => ({ ...process.env, PATH: `${path.join(tmp, "bin")}:${process.env.PATH}` });

    before(async () => {
        fs.mkdirSync(path.join(tmp, "bin"));
        fs.writeFileSync(path.join(tmp, "bin", "sudo"), '#!/bin/bash\nexec "$@"\n', { mode: 0o755 });
        fs.writeFileSync(path.join(tmp, "bin", "systemctl"), `#!/bin/bash\necho "$*" >> '${calls}'\n`, { mode: 0o755 });
        server = http.createServer((req, res) => {
            res.statusCode = req.url === "/health" && healthy ? 200 : 503;
            res.end();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as net.AddressInfo).port;
        const doc = stackDoc("prod");
        Object.assign(doc.config["dataplat:origin"], { port, configPath: path.join(tmp, "etc", "kraken", "hashstate.yaml"), restart: { timeoutSeconds: 10 } });
        const g = await evaluateDoc(doc, undefined, "prod");
        script = String(named(g, "command:remote:Command", "activedata-origin-kraken-origin-master02-sjc1-rollout").inputs.stdin);
    });
    after(() => {
        server.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("writes the hashstate, restarts the origin and returns once it is healthy", async () => {
        healthy = true;
        const r = await run(script, env());
        assert.equal(r.status, 0, r.stderr);
        const written = parse(fs.readFileSync(path.join(tmp, "etc", "kraken", "hashstate.yaml"), "utf8"));
        assert.deepEqual(written, { hashstate: stackDoc("prod").config["dataplat:origin"].hashstate, replicas: 3 });
        assert.deepEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), ["restart kraken-origin"]);
    });

    it("exits non-zero when the origin is not healthy in time, which stops the rollout", async () => {
        healthy = false;
        const r = await run(script, env());
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /not healthy within 10s after the restart; stopping the rollout/);
    });
});
