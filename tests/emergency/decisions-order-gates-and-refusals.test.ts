// The pure decisions of ops/emergency: the two orders fall out of the hold resources' edges (through the engine's
// step model on a bare graph), the gates read answers fail-closed, batches, refusals name the path, and the
// program refuses bad emergency config at preview.
import assert from "node:assert/strict";
import { EmergencyConfigSchema } from "../../ops/emergency/config";
import { parseGateArgs, UsageError } from "../../ops/emergency/cliargs";
import { clusterAtLeast, recentIndexesVerdict } from "../../ops/emergency/gates";
import { emergencyRefusals, holdResources, holdsFleetCapacity, RESUME_ORDER, STOP_ORDER } from "../../ops/emergency/steps";
import { ModelGraph, planUpdate } from "../../ops/engine/steps";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

const graphOf = (ids: string[] | undefined): ModelGraph => ({
    resources: holdResources()
        .filter((h) => ids === undefined || ids.includes(h.id))
        .map((h) => ({
            urn: `urn:${h.id}`,
            type: "command:local:Command",
            name: h.id,
            dependsOn: h.dependsOn.map((d) => `urn:${d}`),
            inputs: {},
            options: {},
        })),
});

describe("emergency decisions", () => {
    it("the hold resources' edges: creates give STOP_ORDER, deletes give RESUME_ORDER, and the two differ", () => {
        const up = planUpdate({ resources: [] }, graphOf(undefined));
        assert.deepEqual(
            up.steps.filter((s) => s.name.startsWith("stop-")).map((s) => s.name.slice(5)),
            [...STOP_ORDER],
        );
        const down = planUpdate(graphOf(undefined), { resources: [] });
        assert.deepEqual(
            down.steps.filter((s) => s.name.startsWith("resume-")).map((s) => s.name.slice(7)),
            [...RESUME_ORDER],
        );
        assert.notDeepEqual([...RESUME_ORDER], [...STOP_ORDER].reverse());
    });

    it("a resume that failed leaves the later ones; the next update deletes them in the same order", () => {
        const left = ["stop-balancer", "stop-frontend", "stop-etl", "stop-ingestion", "resume-etl", "resume-ingestion"];
        const down = planUpdate(graphOf(left), { resources: [] });
        assert.deepEqual(
            down.steps.filter((s) => s.name.startsWith("resume-")).map((s) => s.name),
            ["resume-ingestion", "resume-etl"],
        );
    });

    it("gates: yellow is reached by yellow and green, never by red or an unreadable status", () => {
        assert.equal(clusterAtLeast("yellow", "yellow"), true);
        assert.equal(clusterAtLeast("green", "yellow"), true);
        assert.equal(clusterAtLeast("red", "yellow"), false);
        assert.equal(clusterAtLeast(undefined, "yellow"), false);
        assert.equal(clusterAtLeast("yellow", "green"), false);
    });

    it("gates: only indexes created within the window count; any not green keeps the gate closed; unreadable rows too", () => {
        const now = Date.parse("2024-05-02T00:00:00Z");
        const h = 3600_000;
        const rows = [
            { index: "old", health: "red", "creation.date": String(now - 30 * h) },
            { index: "new-a", health: "green", "creation.date": String(now - 2 * h) },
            { index: "new-b", health: "yellow", "creation.date": String(now - h) },
            { index: ".hidden", health: "red", "creation.date": String(now) },
        ];
        assert.deepEqual(recentIndexesVerdict(rows, now, 24), { kind: "waiting", notGreen: ["new-b (yellow)"], recent: ["new-a", "new-b"] });
        assert.deepEqual(recentIndexesVerdict(rows.slice(0, 2), now, 24), { kind: "green", recent: ["new-a"] });
        assert.equal(recentIndexesVerdict([{ index: "x", health: "green" }], now, 24).kind, "unreadable");
        assert.equal(recentIndexesVerdict({ error: "x" }, now, 24).kind, "unreadable");
    });

    it("what active means for a fleet: held while on and in the update that turns it off, only the ETL fleets", () => {
        const on = EmergencyConfigSchema.parse({ active: true, reason: "red" });
        const off = EmergencyConfigSchema.parse({ active: false });
        const was = { active: true, since: null, reason: "red", etlFleets: ["etl"] };
        assert.equal(holdsFleetCapacity("etl", on, undefined, ["etl"]), true);
        assert.equal(holdsFleetCapacity("es", on, undefined, ["etl"]), false);
        assert.equal(holdsFleetCapacity("etl", off, was, []), true);
        assert.equal(holdsFleetCapacity("etl", undefined, was, []), true);
        assert.equal(holdsFleetCapacity("etl", off, { ...was, active: false, etlFleets: [] }, []), false);
    });

    it("config: a reason is required while active; refusals name the path of hosts, nodes and fleets the stack does not have", () => {
        assert.equal(EmergencyConfigSchema.safeParse({ active: true }).success, false);
        const c = EmergencyConfigSchema.parse({
            active: true,
            reason: "red",
            balancer: { host: "manger" },
            frontend: { hosts: ["frontend", "web"] },
            ingestion: { nodes: ["spot-z"] },
            etl: { fleets: ["es", "nope"] },
        });
        const world = { hosts: ["frontend", "manager", "logger"], spotNodes: ["spot-a"], fleets: { etl: "etl", es: "search" } };
        const r = emergencyRefusals(c, world).map((f) => f.message);
        assert.equal(r.length, 5, r.join("\n"));
        assert.match(r[0], /^emergency\.balancer\.host: "manger"/);
        assert.match(r[1], /^emergency\.frontend\.hosts\[1\]: "web"/);
        assert.match(r[2], /^emergency\.ingestion\.nodes\[0\]: "spot-z"/);
        assert.match(r[3], /^emergency\.etl\.fleets\[0\]: "es" is a search fleet/);
        assert.match(r[4], /^emergency\.etl\.fleets\[1\]: "nope"/);
    });

    it("the gate CLI's grammar: exactly one of --status and --recent, values within bounds", () => {
        assert.deepEqual(parseGateArgs(["gate", "--step", "resume frontend", "--timeout", "60", "--poll", "5", "--status", "yellow"]), {
            command: "gate",
            step: "resume frontend",
            timeoutSeconds: 60,
            pollSeconds: 5,
            want: { kind: "cluster", status: "yellow" },
        });
        assert.throws(() => parseGateArgs(["gate", "--step", "s", "--timeout", "60", "--poll", "5"]), UsageError);
        assert.throws(() => parseGateArgs(["gate", "--step", "s", "--timeout", "0", "--poll", "5", "--status", "yellow"]), UsageError);
        assert.throws(() => parseGateArgs(["gate", "--step", "s", "--timeout", "9", "--poll", "5", "--recent", "A,b"]), UsageError);
    });

    it("the program refuses, at preview and before any resource, emergency config naming hosts that do not exist", async () => {
        const doc = deepClone(stackDoc("prod")) as { config: Record<string, any> };
        doc.config["dataplat:emergency"] = { active: true, reason: "red", balancer: { host: "nowhere" } };
        await assert.rejects(evaluateDoc(doc, stackDoc("prod"), "prod"), /emergency\.balancer\.host: "nowhere" is not one of the hosts of the stack/);
    });
});
