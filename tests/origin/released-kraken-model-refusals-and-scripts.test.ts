// origin.kraken: released, decided without a cluster: Kraken's ring model (members host:port, weight 100), the
// change classes and refusals in that model, the single update plan, and the scripts (rendered ring file,
// rollout, fill-and-cleanup) that must pass shellcheck. The same scripts run on real Kraken in
// tests/origin-cluster/released-kraken-add-remove-replace-on-real-origins.test.ts.
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { Hashstate } from "../../ops/origin/hashstate";
import { fillScript } from "../../ops/origin/fill";
import { classifyReleasedChange, clusterStatic, releasedRefusals, ringHashstate } from "../../ops/origin/kraken";
import { originUpdatePlan } from "../../ops/origin/plan";
import { clusterDocument, releasedRolloutScript } from "../../ops/origin/rollout";
import { shellcheck } from "../support/scripts";

const hs = (...hosts: [string, string, number?][]): Hashstate => Object.fromEntries(hosts.map(([h, label, w]) => [h, { label, weight: w ?? 100 }]));
const three = hs(["o1", "a"], ["o2", "b"], ["o3", "c"]);

describe("origin.kraken: released", () => {
    it("keys ring members by host:port with weight 100, in hashstate order (cluster.static)", () => {
        assert.deepEqual(ringHashstate(three, "released", 15002), hs(["o1", "o1:15002"], ["o2", "o2:15002"], ["o3", "o3:15002"]));
        assert.deepEqual(clusterStatic(three, 15002), ["o1:15002", "o2:15002", "o3:15002"]);
        assert.equal(ringHashstate(three, "runbook", 15002), three);
    });

    it("renders only what Kraken reads: extends, cluster.static and hashring.max_replica", () => {
        assert.deepEqual(parse(clusterDocument(three, 2, 15002, "base.yaml")), {
            extends: "base.yaml",
            cluster: { static: ["o1:15002", "o2:15002", "o3:15002"] },
            hashring: { max_replica: 2 },
        });
    });

    it("classifies add, remove and host replacement by members; labels and uniform weights do not count", () => {
        assert.equal(classifyReleasedChange(three, { ...three, o4: { label: "d", weight: 100 } }).kind, "add");
        assert.equal(classifyReleasedChange(three, hs(["o1", "a"], ["o3", "c"])).kind, "remove");
        assert.deepEqual(classifyReleasedChange(three, hs(["o1", "a"], ["o9", "z"], ["o3", "c"])), {
            kind: "replace-host",
            from: "o2",
            to: "o9",
            label: "z",
            weight: 100,
        });
        assert.equal(classifyReleasedChange(three, hs(["o1", "x", 5], ["o2", "y", 5], ["o3", "w", 5])).kind, "none");
        const two = classifyReleasedChange(three, { ...three, o4: { label: "d", weight: 100 }, o5: { label: "e", weight: 100 } });
        assert.equal(two.kind, "refused");
        assert.match((two as { message: string }).message, /1\. add origin host o4[^\n]*\n {2}2\. add origin host o5/);
    });

    it("refuses non-uniform weights and a same-label replacement, saying why and what happens instead", () => {
        const [w] = releasedRefusals(undefined, hs(["o1", "a", 30000], ["o2", "b", 15000]), 15002);
        assert.match(w, /^origin\.hashstate: weights differ \(o1: 30000, o2: 15000\)/);
        assert.match(w, /weight 100 \(lib\/hashring\/ring\.go\)[^]*Nothing is deployed[^]*origin\.kraken: runbook/);
        const [r] = releasedRefusals(three, hs(["o1", "a"], ["o9", "b"], ["o3", "c"]), 15002);
        assert.match(r, /^origin\.hashstate: o9 replaces o2 keeping label b/);
        assert.match(r, /keys members by host:port, so o9:15002 is a new member[^]*Nothing is deployed[^]*give o9 a label of its own/);
        assert.deepEqual(releasedRefusals(three, hs(["o1", "a"], ["o9", "z"], ["o3", "c"]), 15002), []);
    });

    it("plans the rolling restart older first, new last, then one fill over the changed shards; needs the inventory", () => {
        const next = { ...three, o4: { label: "d", weight: 100 } };
        const p = originUpdatePlan({ previous: three, next, replicas: 2, port: 15002, target: "released", repairMode: "full", hasInventory: true });
        assert.deepEqual(p.refusals, []);
        assert.deepEqual(p.rollingRestart, ["o1", "o2", "o3", "o4"]);
        assert.equal(p.repairs.length, 1);
        const fill = p.repairs[0];
        assert.equal(fill.kind, "fill");
        if (fill.kind !== "fill") return;
        assert.equal(fill.plan.shards.length, p.movement!.changedShards);
        // Adding a member only moves shards to it: every changed shard is owned by o4 now.
        assert.ok(fill.plan.shards.every((s) => s.owners.includes("o4") && s.stale.length === 1));
        const without = originUpdatePlan({ previous: three, next, replicas: 2, port: 15002, target: "released", repairMode: "full", hasInventory: false });
        assert.match(without.refusals.join("\n"), /^origin\.inventory: this update changes the owners of \d+ shards[^]*Nothing is deployed/);
    });

    it("renders rollout and fill-and-cleanup scripts that pass shellcheck", () => {
        const next = { ...three, o4: { label: "d", weight: 100 } };
        const p = originUpdatePlan({ previous: three, next, replicas: 2, port: 15002, target: "released", repairMode: "full", hasInventory: true });
        const fill = p.repairs[0];
        if (fill.kind !== "fill") throw new Error("expected a fill");
        const script = fillScript({
            origins: Object.keys(next).map((h, i) => ({ host: h, member: `${h}:15002`, url: `http://10.0.0.${i + 1}:15002` })),
            plan: fill.plan,
            namespace: "library/x",
            listUrl: "http://backend:14000/list/blobs/",
            timeoutSeconds: 60,
        });
        assert.equal(shellcheck(script), "");
        const rollout = releasedRolloutScript({
            hashstate: next,
            replicas: 2,
            port: 15002,
            host: "o4",
            configPath: "/etc/kraken/origin/cluster.yaml",
            baseConfig: "base.yaml",
            serviceName: "kraken-origin",
            healthPath: "/health",
            timeoutSeconds: 60,
        });
        assert.equal(shellcheck(rollout), "");
        assert.match(rollout, /curl --silent --fail --max-time 5 -o \/dev\/null 'http:\/\/o4:15002\/health'/);
    });
});
