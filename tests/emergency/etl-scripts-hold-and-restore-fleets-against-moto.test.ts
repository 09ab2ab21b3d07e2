// Real peers: the exact ETL stop and resume scripts the switch registers (prod, switch on, read from the offline
// synth) run with bash and the venv's aws CLI against real EC2 Fleets in moto. moto has no ModifyFleet, so
// tests/peers/moto/modify-fleet-standin.ts answers that one call (recording it) and passes every other call to moto.
// The resume's gate (node dist/cli/emergency.js gate, "the recent indexes are green") asks a small local stand-in
// for OpenSearch's `_cat/indices` (startRecentIndexesStandIn below) instead of a real cluster: the gate's decisions
// are proven against real OpenSearch in registered-scripts-stop-and-resume-real-peers.test.ts; here only its
// verdict matters. Only the environment differs from a deployment.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import { CreateFleetCommand, CreateLaunchTemplateCommand, DescribeFleetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EMERGENCY_ENV } from "../../ops/emergency/scripts";
import { StackGraph } from "../../stacks/offline/evaluate";
import { startMoto, MotoPeer } from "../peers/moto/harness";
import { startModifyFleetStandIn, ModifyFleetStandIn } from "../peers/moto/modify-fleet-standin";
import { repoRoot } from "../search/cluster";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

interface Run {
    code: number;
    stderr: string;
}

interface RecentIndexesStandIn {
    readonly endpoint: string;
    /** The health the one recent index reports. */
    health: "green" | "yellow";
    close(): Promise<void>;
}

/**
 * The two OpenSearch answers the gate can ask for: `GET /_cluster/health` (always green) and `GET /_cat/indices/...`
 * (one index created a minute ago, at `health`). Anything else is a 404, so a gate that asks more fails loudly.
 */
async function startRecentIndexesStandIn(): Promise<RecentIndexesStandIn> {
    const state = { health: "green" as "green" | "yellow" };
    const server = http.createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0]!;
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        if (req.method === "GET" && path === "/_cluster/health") return send(200, { cluster_name: "standin", status: "green", number_of_nodes: 1 });
        if (req.method === "GET" && path.startsWith("/_cat/indices/")) {
            return send(200, [{ index: "etl-recent", health: state.health, "creation.date": String(Date.now() - 60_000) }]);
        }
        send(404, { error: `the stand-in does not answer ${req.method} ${path}` });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        get health() {
            return state.health;
        },
        set health(h) {
            state.health = h;
        },
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

describe("emergency: the registered ETL scripts hold and restore real EC2 Fleets in moto", function () {
    this.timeout(600_000);
    let moto: MotoPeer;
    let standIn: ModifyFleetStandIn;
    let search: RecentIndexesStandIn;
    let graph: StackGraph;
    let ec2: EC2Client;
    /** Fleet ids: two ETL fleets and one that is not ETL (the switch must never touch it). */
    const fleet: Record<"etlA" | "etlB" | "other", string> = { etlA: "", etlB: "", other: "" };
    const planned = { etlA: 4, etlB: 3, other: 5 };
    const etlLines = () => `etl-a ${fleet.etlA} ${planned.etlA}\netl-b ${fleet.etlB} ${planned.etlB}`;

    const script = (id: string, field: "create" | "delete"): string => {
        const r = graph.resources.find((x) => x.type === "command:local:Command" && x.name.endsWith(`-emergency-${id}`));
        assert.ok(r, `registered ${id}`);
        return r.inputs[field] as string;
    };
    // Asynchronous: the stand-ins answer from this process, so its event loop must keep running while bash does.
    const run = (id: "stop-etl" | "resume-etl", fleets: string): Promise<Run> =>
        new Promise((resolve, reject) => {
            const child = spawn("bash", ["-c", script(id, id === "stop-etl" ? "create" : "delete")], {
                cwd: repoRoot(),
                env: {
                    ...moto.env,
                    AWS_REGION: "us-east-1",
                    AWS_ENDPOINT_URL: standIn.endpoint,
                    [EMERGENCY_ENV.fleets]: fleets,
                    SEARCH_ENDPOINT: search.endpoint,
                },
                stdio: ["ignore", "ignore", "pipe"],
            });
            let stderr = "";
            child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
            const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code: code ?? -1, stderr });
            });
        });
    /** [state, target] of every fleet as a caller of the stand-in sees it (the aws CLI path, through the SDK). */
    const seen = async (endpoint: string): Promise<Record<keyof typeof fleet, [string, number]>> => {
        const client = new EC2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        const out = await client.send(new DescribeFleetsCommand({ FleetIds: Object.values(fleet) }));
        client.destroy();
        const by = new Map(
            (out.Fleets ?? []).map((f) => [f.FleetId!, [f.FleetState!, f.TargetCapacitySpecification!.TotalTargetCapacity!] as [string, number]]),
        );
        return { etlA: by.get(fleet.etlA)!, etlB: by.get(fleet.etlB)!, other: by.get(fleet.other)! };
    };
    const modifies = () => standIn.calls.filter((c) => c.action === "ModifyFleet").map((c) => `${c.fleetId}->${c.target}`);

    before(async () => {
        moto = await startMoto();
        standIn = await startModifyFleetStandIn(moto.endpoint);
        search = await startRecentIndexesStandIn();
        ec2 = new EC2Client({ endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        await ec2.send(
            new CreateLaunchTemplateCommand({ LaunchTemplateName: "etl-node", LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "t3.micro" } }),
        );
        for (const k of Object.keys(fleet) as (keyof typeof fleet)[]) {
            const out = await ec2.send(
                new CreateFleetCommand({
                    Type: "maintain",
                    LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "etl-node", Version: "$Latest" } }],
                    TargetCapacitySpecification: { TotalTargetCapacity: planned[k], DefaultTargetCapacityType: "spot" },
                }),
            );
            fleet[k] = out.FleetId!;
        }
        const doc = deepClone(stackDoc("prod")) as { config: Record<string, any> };
        doc.config["dataplat:emergency"] = {
            active: true,
            reason: "real-peer test",
            gates: { timeoutSeconds: 10, pollSeconds: 1 },
            recentIndexes: { patterns: ["etl-*"], windowHours: 24 },
            processTimeoutSeconds: 10,
        };
        graph = await evaluateDoc(doc, stackDoc("prod"), "prod");
    });

    beforeEach(() => {
        standIn.reset();
        search.health = "green";
    });

    after(async () => {
        ec2?.destroy();
        await search?.close();
        await standIn?.close();
        await moto?.stop();
    });

    it("stop sets every ETL fleet to 0 and nothing else; resume, behind a passing gate, restores the planned targets", async () => {
        assert.deepEqual(await seen(standIn.endpoint), { etlA: ["active", 4], etlB: ["active", 3], other: ["active", 5] });
        const from = standIn.calls.length;
        const stop = await run("stop-etl", etlLines());
        assert.equal(stop.code, 0, stop.stderr);
        assert.deepEqual(modifies(), [`${fleet.etlA}->0`, `${fleet.etlB}->0`]);
        // Each ModifyFleet was followed by polls until the fleet left `modifying` (the stand-in reports it once).
        const order = standIn.calls.slice(from).map((c) => `${c.action} ${c.fleetId ?? ""}`.trim());
        assert.deepEqual(order, [
            `ModifyFleet ${fleet.etlA}`,
            `DescribeFleets ${fleet.etlA}`,
            `DescribeFleets ${fleet.etlA}`,
            `ModifyFleet ${fleet.etlB}`,
            `DescribeFleets ${fleet.etlB}`,
            `DescribeFleets ${fleet.etlB}`,
        ]);
        assert.match(stop.stderr, /stop etl: fleet etl-a is modifying at target 0; waiting/);
        assert.deepEqual(await seen(standIn.endpoint), { etlA: ["active", 0], etlB: ["active", 0], other: ["active", 5] });
        // moto's own record of the fleet that is not ETL, asked directly.
        assert.deepEqual((await seen(moto.endpoint)).other, ["active", 5]);

        const resume = await run("resume-etl", etlLines());
        assert.equal(resume.code, 0, resume.stderr);
        assert.match(resume.stderr, /gate reached: 1 recent index\(es\) green/);
        assert.deepEqual(modifies(), [`${fleet.etlA}->0`, `${fleet.etlB}->0`, `${fleet.etlA}->4`, `${fleet.etlB}->3`]);
        assert.deepEqual(await seen(standIn.endpoint), { etlA: ["active", 4], etlB: ["active", 3], other: ["active", 5] });
    });

    it("a fleet that stays modifying past the timeout: exits non-zero naming the fleet; the later fleet is not touched", async () => {
        standIn.stayModifying(fleet.etlA);
        const r = await run("stop-etl", etlLines());
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, new RegExp(`stop etl: fleet etl-a \\(${fleet.etlA}\\): still modifying at target 0 after 10s`));
        assert.deepEqual(modifies(), [`${fleet.etlA}->0`]);
        assert.deepEqual((await seen(standIn.endpoint)).etlB, ["active", 3]);
    });

    it("a refused ModifyFleet: exits non-zero naming the fleet and leaves the later fleets unchanged (fail closed)", async () => {
        standIn.refuse(fleet.etlA);
        const r = await run("stop-etl", etlLines());
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, new RegExp(`stop etl: fleet etl-a \\(${fleet.etlA}\\): modify-fleet to 0 was refused`));
        assert.match(r.stderr, /UnauthorizedOperation/);
        assert.deepEqual(modifies(), [`${fleet.etlA}->0`], "no ModifyFleet after the refused one");
        assert.deepEqual(await seen(standIn.endpoint), { etlA: ["active", 4], etlB: ["active", 3], other: ["active", 5] });
    });

    it("a resume whose gate does not pass (a recent index yellow) changes no fleet", async () => {
        const stop = await run("stop-etl", etlLines());
        assert.equal(stop.code, 0, stop.stderr);
        search.health = "yellow";
        const r = await run("resume-etl", etlLines());
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /recent indexes not green: etl-recent \(yellow\)/);
        assert.match(r.stderr, /resume etl: the gate was not reached; every fleet stays at 0/);
        assert.deepEqual(modifies(), [`${fleet.etlA}->0`, `${fleet.etlB}->0`], "no ModifyFleet from the resume");
        assert.deepEqual(await seen(standIn.endpoint), { etlA: ["active", 0], etlB: ["active", 0], other: ["active", 5] });
    });
});
