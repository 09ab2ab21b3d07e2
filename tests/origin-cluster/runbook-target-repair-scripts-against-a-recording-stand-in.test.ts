/**
 * The repair commands the OriginCluster registers, run for real, in their dependency order, against a
 * recording stand-in for the origin's repair endpoint (not Kraken: it records calls and can fail).
 * Each origin's instance gets a loopback address (127.0.0.x) in the mock, so the exact registered
 * scripts reach the stand-ins.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as net from "node:net";
import { StackGraph } from "../../stacks/offline/evaluate";
import { RecordedCall, RepairStandin, startRepairStandin } from "../origin/runbook-repair-recording-standin";
import { evaluateDoc, ofType, stackDoc } from "../support/graph";

const HOSTS = [
    "kraken-origin-master01-sjc1",
    "kraken-origin-master02-sjc1",
    "kraken-origin-master03-sjc1",
    "kraken-origin-master04-sjc1",
    "kraken-origin-master05-sjc1",
];
const ADDR = Object.fromEntries(HOSTS.map((h, i) => [h, `127.0.0.${i + 2}`]));

async function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

/** Runs a command without blocking the event loop (the stand-ins answer from this process). */
function run(file: string, args: string[]): Promise<{ status: number; stderr: string }> {
    return new Promise((resolve) => {
        execFile(file, args, { encoding: "utf8", timeout: 60000 }, (err, _stdout, stderr) =>
            resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stderr }),
        );
    });
}

/** Runs the repair commands in chain order, stopping at the first failure, as the engine would. */
async function runRepairs(g: StackGraph): Promise<{ ran: string[]; failed?: string; stderr?: string }> {
    const rs = ofType(g, "command:local:Command").filter((r) => r.name.includes("-origin-repair-"));
    const ordered = [...rs].sort((a, b) => Number(a.name.match(/-repair-(\d+)-/)![1]) - Number(b.name.match(/-repair-(\d+)-/)![1]));
    const ran: string[] = [];
    for (const r of ordered) {
        const [interp, flag] = r.inputs.interpreter as string[];
        const res = await run(interp, [flag, String(r.inputs.create)]);
        ran.push(r.name);
        if (res.status !== 0) return { ran, failed: r.name, stderr: res.stderr };
    }
    return { ran };
}

describe("origin.kraken: runbook: registered repair scripts against a recording stand-in (not Kraken)", function () {
    this.timeout(120000);
    let port: number;
    let log: RecordedCall[];
    let standins: RepairStandin[];
    let g: StackGraph;

    before(async () => {
        port = await freePort();
        const base = stackDoc("prod");
        base.config["dataplat:origin"].port = port;
        base.config["dataplat:origin"].repair.timeoutSeconds = 20;
        const next = stackDoc("prod");
        next.config["dataplat:origin"].port = port;
        next.config["dataplat:origin"].repair.timeoutSeconds = 20;
        next.config["dataplat:origin"].hashstate["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 };
        g = await evaluateDoc(next, base, "prod", Object.fromEntries(HOSTS.map((h) => [`activedata-origin-${h}`, ADDR[h]])));
    });
    beforeEach(async () => {
        log = [];
        standins = await Promise.all(HOSTS.map((h) => startRepairStandin(h, log, port, ADDR[h])));
    });
    afterEach(async () => Promise.all(standins.map((s) => s.close())));

    it("calls POST /repair on each origin in the planned order: older origins first, the new one last", async () => {
        const { failed, stderr } = await runRepairs(g);
        assert.equal(failed, undefined, stderr);
        assert.deepEqual(
            log.map((c) => `${c.method} ${c.origin} ${c.path}`),
            HOSTS.map((h) => `POST ${h} /repair`),
        );
    });

    it("a 500 from one origin stops the sequence with a non-zero exit; later origins are not called", async () => {
        standins[2].failWith500("/repair");
        const { ran, failed } = await runRepairs(g);
        assert.match(failed ?? "", /-repair-2-kraken-origin-master03-sjc1$/);
        assert.equal(ran.length, 3);
        assert.deepEqual(
            log.map((c) => c.origin),
            HOSTS.slice(0, 3),
        );
    });
});
