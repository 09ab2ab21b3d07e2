// Real peers: the exact stop and resume scripts the switch registers (prod, switch on, read from the offline synth)
// run with bash against a real supervisord reached over a real sshd on loopback (key auth), the resumes gated on a
// real OpenSearch cluster made red, yellow and green on demand. The order of stops and starts is read from
// supervisord's log. Only the environment differs from a deployment: loopback addresses, the test key, the test
// cluster's endpoint. The ETL scripts (aws ec2 modify-fleet) run against real EC2 Fleets in moto in
// etl-scripts-hold-and-restore-fleets-against-moto.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EMERGENCY_ENV } from "../../ops/emergency/scripts";
import { StackGraph } from "../../stacks/offline/evaluate";
import { startSshd, makeKeyPair, SshdPeer, KeyPair } from "../peers/sshd/harness";
import { startSupervisor, SupervisorPeer } from "../peers/supervisor/harness";
import { repoRoot, TestCluster } from "../search/cluster";
import { resetCluster, sharedCluster } from "../search/shared-cluster";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

interface Run {
    code: number;
    stderr: string;
}

describe("emergency: registered scripts against real supervisord over real sshd, gated on real OpenSearch", function () {
    this.timeout(600_000);
    let sshd: SshdPeer;
    let key: KeyPair;
    let sup: SupervisorPeer;
    let cluster: TestCluster;
    let graph: StackGraph;
    let keyDir: string;

    const script = (id: string, field: "create" | "delete"): string => {
        const r = graph.resources.find((x) => x.type === "command:local:Command" && x.name.endsWith(`-emergency-${id}`));
        assert.ok(r, `registered ${id}`);
        return r.inputs[field] as string;
    };
    const run = (id: string, field: "create" | "delete", targets: string): Run => {
        const r = spawnSync("bash", ["-c", script(id, field)], {
            cwd: repoRoot(),
            encoding: "utf8",
            env: { ...process.env, [EMERGENCY_ENV.sshKey]: key.privateKey, [EMERGENCY_ENV.targets]: targets, SEARCH_ENDPOINT: cluster.endpoint },
            timeout: 300_000,
        });
        return { code: r.status ?? -1, stderr: r.stderr };
    };
    const put = (p: string, body: unknown) => cluster.client().json("PUT", p, body);

    before(async () => {
        keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-emergency-"));
        key = makeKeyPair(keyDir, "emergency");
        sshd = await startSshd([key.publicKey]);
        sup = startSupervisor([{ name: "esShardBalancer" }, { name: "gunicorn" }, { name: "push-to-es" }]);
        cluster = await sharedCluster();
        await resetCluster(cluster);
        const doc = deepClone(stackDoc("prod")) as { config: Record<string, any> };
        doc.config["dataplat:emergency"] = {
            active: true,
            reason: "real-peer test",
            ssh: { user: sshd.user, port: sshd.port, sudo: false, supervisorConfig: sup.config },
            gates: { timeoutSeconds: 10, pollSeconds: 1 },
            recentIndexes: { patterns: ["emerg-*"], windowHours: 24 },
            processTimeoutSeconds: 5,
        };
        graph = await evaluateDoc(doc, stackDoc("prod"), "prod");
    });

    after(() => {
        sup?.stop();
        void sshd?.stop();
        if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
    });

    it("stops in the runbook's order, fails closed at red and on recent indexes not green, resumes in the resume order", async () => {
        const here = "127.0.0.1";
        for (const id of ["stop-balancer", "stop-frontend", "stop-ingestion"]) {
            const r = run(
                id,
                "create",
                id === "stop-balancer" ? `manager ${here}` : id === "stop-frontend" ? `frontend ${here}` : `spot-a ${here}\nspot-b ${here}`,
            );
            assert.equal(r.code, 0, `${id}: ${r.stderr}`);
        }
        assert.deepEqual(
            sup.events().filter((e) => e.startsWith("stop")),
            ["stop esShardBalancer", "stop gunicorn", "stop push-to-es"],
        );

        // Red: an index whose primary cannot be allocated. The balancer's gate times out; nothing is started.
        await put("/emerg-red", { settings: { number_of_shards: 1, number_of_replicas: 0, "index.routing.allocation.require._name": "no-such-node" } });
        for (let i = 0; (await cluster.client().health()).status !== "red"; i++) {
            assert.ok(i < 120, "the cluster turned red");
            await new Promise((r) => setTimeout(r, 500));
        }
        const red = run("resume-balancer", "delete", `manager ${here}`);
        assert.notEqual(red.code, 0);
        assert.match(red.stderr, /resume balancer: the gate was not reached; nothing was started/);
        assert.deepEqual(
            sup.events().filter((e) => e.startsWith("start")),
            initialStarts(sup),
            "nothing started",
        );

        // Yellow: a recent index with more replicas than nodes. Balancer then frontend start; ingestion waits on it.
        await cluster.client().json("DELETE", "/emerg-red");
        await put("/emerg-recent", { settings: { number_of_shards: 1, number_of_replicas: 10 } });
        await cluster.waitFor({ nodes: cluster.nodes.length, status: "yellow" }, 60);
        for (const [id, t] of [
            ["resume-balancer", `manager ${here}`],
            ["resume-frontend", `frontend ${here}`],
        ] as const) {
            const r = run(id, "delete", t);
            assert.equal(r.code, 0, `${id}: ${r.stderr}`);
        }
        const notGreen = run("resume-ingestion", "delete", `spot-a ${here}`);
        assert.notEqual(notGreen.code, 0);
        assert.match(notGreen.stderr, /recent indexes not green: emerg-recent \(yellow\)/);
        assert.match(sup.ctl("status", "push-to-es"), /STOPPED/);

        // Green: the recent index fully allocated. Ingestion resumes.
        await put("/emerg-recent/_settings", { index: { number_of_replicas: 0 } });
        await cluster.waitFor({ nodes: cluster.nodes.length, status: "green" }, 60);
        const green = run("resume-ingestion", "delete", `spot-a ${here}\nspot-b ${here}`);
        assert.equal(green.code, 0, green.stderr);
        const starts = sup
            .events()
            .filter((e) => e.startsWith("start"))
            .slice(initialStarts(sup).length);
        assert.deepEqual(starts, ["start esShardBalancer", "start gunicorn", "start push-to-es"]);
    });

    it("fails closed naming host and step: an unreachable host; a failed batch leaves the later hosts untouched", () => {
        const unreachable = run("stop-frontend", "create", "frontend 127.0.0.9");
        assert.notEqual(unreachable.code, 0);
        assert.match(unreachable.stderr, /stop frontend: host frontend \(127\.0\.0\.9\): cannot reach it over ssh/);
        const before = sup.events().length;
        // A batch of one: the first host fails, the second is never touched.
        const r = run("stop-balancer", "create", `manager 127.0.0.9\nmanager-2 127.0.0.1`);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /stop balancer: failed on host\(s\) manager; the hosts after this batch were not touched/);
        assert.doesNotMatch(r.stderr, /manager-2/);
        assert.equal(sup.events().length, before, "nothing changed after the failure");
    });
});

/** The starts supervisord logged when it started every program (autostart). */
function initialStarts(sup: SupervisorPeer): string[] {
    const all = sup.events();
    const firstStop = all.findIndex((e) => e.startsWith("stop"));
    return all.slice(0, firstStop === -1 ? all.length : firstStop).filter((e) => e.startsWith("start"));
}
