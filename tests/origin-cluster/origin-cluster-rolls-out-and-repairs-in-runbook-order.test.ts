import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { repairScript } from "../../ops/origin/scripts";
import { originRolloutScript } from "../../ops/origin/rollout";
import { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { byUrn, committedStack, deepClone, depNames, evaluateDoc, named, ofType, stackDoc } from "../support/graph";

const ROLLOUT = "command:remote:Command";
const REPAIR = "command:local:Command";
const INSTANCE = "aws:ec2/instance:Instance";
const H = (n: number) => `kraken-origin-master0${n}-sjc1`;

const rollouts = (g: StackGraph) => ofType(g, ROLLOUT).filter((r) => r.name.startsWith("activedata-origin-"));
const repairs = (g: StackGraph) => ofType(g, REPAIR).filter((r) => r.name.startsWith("activedata-origin-repair-"));

/** Resources of a dependsOn chain, first to last (each depends on the one before). */
function chain(g: StackGraph, members: GraphResource[]): string[] {
    const inChain = new Set(members.map((m) => m.urn));
    const prevOf = new Map(members.map((m) => [m.urn, m.explicitDependsOn.filter((u) => inChain.has(u))]));
    const first = members.filter((m) => prevOf.get(m.urn)!.length === 0);
    assert.equal(first.length, members.length ? 1 : 0, "exactly one chain start");
    const out: string[] = [];
    let cur = first[0];
    while (cur) {
        out.push(cur.name);
        const next = members.filter((m) => prevOf.get(m.urn)!.includes(cur!.urn));
        assert.ok(next.length <= 1, "a chain, not a fan-out");
        cur = next[0];
    }
    assert.equal(out.length, members.length);
    return out;
}

function prodWith(edit: (hs: Record<string, { label: string; weight: number }>, origin: Record<string, any>) => void) {
    const doc = stackDoc("prod");
    edit(doc.config["dataplat:origin"].hashstate, doc.config["dataplat:origin"]);
    return doc;
}

describe("OriginCluster: first deployment", () => {
    let g: StackGraph;
    before(async () => (g = await committedStack("prod")));

    it("builds one origin host per hashstate entry with the platform's instance defaults", () => {
        for (const n of [1, 2, 3, 4]) {
            const i = named(g, INSTANCE, `activedata-origin-${H(n)}`);
            assert.equal((i.inputs.metadataOptions as any).httpTokens, "required");
            assert.equal(i.inputs.associatePublicIpAddress, false);
            assert.deepEqual(
                (i.inputs.ebsBlockDevices as any[]).map((v) => [v.deviceName, v.volumeSize, v.encrypted]),
                [["/dev/sdf", 15000, true]],
            );
            assert.ok(depNames(g, i).includes("activedata-tiers-origin"));
        }
    });

    it("rolls the hashstate out one origin at a time, each after its host, with the exact script", () => {
        const rs = rollouts(g);
        assert.deepEqual(
            chain(g, rs),
            [1, 2, 3, 4].map((n) => `activedata-origin-${H(n)}-rollout`),
        );
        const cfg = stackDoc("prod").config["dataplat:origin"];
        const expected = originRolloutScript({
            hashstate: cfg.hashstate,
            replicas: 3,
            port: 15002,
            configPath: "/etc/kraken/origin/hashstate.yaml",
            serviceName: "kraken-origin",
            healthPath: "/health",
            timeoutSeconds: 600,
        });
        for (const r of rs) {
            assert.equal(r.inputs.create, "bash -s");
            assert.equal(r.inputs.stdin, expected);
            const host = r.name.replace(/^activedata-origin-|-rollout$/g, "");
            assert.ok(depNames(g, r).includes(`activedata-origin-${host}`), "reaches its own host");
            // The connection carries the private key, so Pulumi keeps the whole connection secret.
            assert.equal(r.inputs.connection, "[secret]");
        }
    });

    it("runs no repair on the first deployment", () => {
        assert.equal(repairs(g).length, 0);
        assert.deepEqual((g.outputs.plan as any).origin.repairs, []);
    });
});

describe("OriginCluster: one change per update, repairs in the runbook's order", () => {
    let base: StackGraph;
    before(async () => (base = await committedStack("prod")));

    async function update(edit: Parameters<typeof prodWith>[0]) {
        return evaluateDoc(prodWith(edit), stackDoc("prod"), "prod");
    }

    function repairOrder(g: StackGraph): string[] {
        return chain(g, repairs(g)).map((n) => n.replace(/^activedata-origin-repair-\d+-/, ""));
    }

    it("add: the new origin is rolled out last, then every origin is repaired, older first, the new one last", async () => {
        const g = await update((hs) => (hs["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 }));
        assert.deepEqual(
            chain(g, rollouts(g)).map((n) => n.replace(/^activedata-origin-|-rollout$/g, "")),
            [H(1), H(2), H(3), H(4), "kraken-origin-master05-sjc1"],
        );
        assert.deepEqual(repairOrder(g), [H(1), H(2), H(3), H(4), "kraken-origin-master05-sjc1"]);
        const firstRepair = repairs(g).find((r) => r.name.includes("-repair-0-"))!;
        assert.ok(
            firstRepair.explicitDependsOn.some((u) => byUrn(g, u).name === "activedata-origin-kraken-origin-master05-sjc1-rollout"),
            "repairs start after the last rollout",
        );
        const plan = (g.outputs.plan as any).origin;
        assert.equal(plan.change, "add");
        assert.ok(plan.movedFraction > 0 && Math.abs(plan.movedFraction - plan.minimumFraction) < 1e-12, JSON.stringify(plan));
    });

    it("each repair runs the exact repair script against its origin's address", async () => {
        const g = await update((hs) => (hs["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 }));
        const digest = createHash("sha256")
            .update(
                JSON.stringify([
                    prodWith((hs) => (hs["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 })).config["dataplat:origin"].hashstate,
                    3,
                ]),
            )
            .digest("hex")
            .slice(0, 16);
        for (const r of repairs(g)) {
            const host = r.name.replace(/^activedata-origin-repair-\d+-/, "");
            const ip = named(g, INSTANCE, `activedata-origin-${host}`);
            const ipValue = (g.outputs.origin as any).hostIps[host];
            assert.equal(r.inputs.create, repairScript({ host: ipValue, port: 15002, timeoutSeconds: 7200 }));
            assert.deepEqual(r.inputs.interpreter, ["/bin/bash", "-c"]);
            assert.deepEqual(r.inputs.triggers, [digest]);
            assert.ok(r.dependsOn.includes(ip.urn));
        }
    });

    it("re-weight: every origin is repaired; remove: the remaining ones; replace-host: only the new host", async () => {
        const reweight = await update((hs) => (hs[H(4)].weight = 15000));
        assert.deepEqual(repairOrder(reweight), [H(1), H(2), H(3), H(4)]);
        const remove = await update((hs) => delete hs[H(4)]);
        assert.deepEqual(repairOrder(remove), [H(1), H(2), H(3)]);
        const replace = await update((hs) => {
            hs["kraken-origin-master09-sjc1"] = hs[H(3)];
            delete hs[H(3)];
        });
        assert.deepEqual(repairOrder(replace), ["kraken-origin-master09-sjc1"]);
        assert.equal((replace.outputs.plan as any).origin.change, "replace-host");
    });

    it("an update that leaves the hashstate alone changes nothing and repairs nothing", async () => {
        const g = await update(() => undefined);
        assert.equal(repairs(g).length, 0);
        for (const r of rollouts(base)) assert.deepEqual(named(g, ROLLOUT, r.name).inputs, r.inputs);
    });

    it("an add leaves the existing hosts untouched (only the rollouts see the new hashstate)", async () => {
        const g = await update((hs) => (hs["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 }));
        for (const n of [1, 2, 3, 4])
            assert.deepEqual(named(g, INSTANCE, `activedata-origin-${H(n)}`).inputs, named(base, INSTANCE, `activedata-origin-${H(n)}`).inputs);
    });

    it("refuses two changes in one update at preview, with the single steps in order", async () => {
        await assert.rejects(
            update((hs) => {
                hs["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 };
                hs[H(1)].weight = 20000;
            }),
            (e: Error) => {
                assert.match(e.message, /Refused by guardrails/);
                assert.match(e.message, /origin\.hashstate: /);
                assert.match(e.message, /re-?weight[\s\S]*add/i);
                return true;
            },
        );
    });

    it("refuses removing the whole origin cluster in one update", async () => {
        const doc = stackDoc("prod");
        delete doc.config["dataplat:origin"];
        await assert.rejects(evaluateDoc(doc, stackDoc("prod"), "prod"), /origin: removing the whole section would delete everything it deployed/);
    });

    it("refuses a replica-count or port change", async () => {
        await assert.rejects(
            update((_, o) => (o.replicas = 2)),
            /origin\.replicas: /,
        );
        await assert.rejects(
            update((_, o) => (o.port = 15003)),
            /origin\.port: changing the origin port/,
        );
    });

    it("shard mode repairs only the shards whose replica set changed, on the origins that held them", async () => {
        const doc = stackDoc("staging");
        doc.config["dataplat:origin"].kraken = "runbook";
        const next = deepClone(doc);
        next.config["dataplat:origin"].hashstate["kraken-origin-stg04"] = { label: "origin3", weight: 500 };
        const g = await evaluateDoc(next, doc, "staging");
        const rs = ofType(g, REPAIR).filter((r) => r.name.includes("-origin-repair-"));
        assert.ok(rs.length >= 1);
        for (const r of rs) {
            assert.match(String(r.inputs.create), /shards=\([0-9a-f]{4}( [0-9a-f]{4})*\)/);
            assert.doesNotMatch(r.name, /stg04/, "the new origin holds nothing to push");
        }
    });

    it("requires an SSH key when an origin cluster is configured", async () => {
        const doc = stackDoc("staging");
        delete doc.config["dataplat:sshPrivateKey"];
        await assert.rejects(evaluateDoc(doc), /sshPrivateKey: required by origin[^\n]*pulumi up reaches those hosts over SSH/);
    });
});
