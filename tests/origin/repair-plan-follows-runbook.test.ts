import assert from "node:assert/strict";
import type { Hashstate } from "../../ops/origin/hashstate";
import { hashstateNodes } from "../../ops/origin/hashstate";
import { rendezvousHash } from "../../ops/origin/hrw";
import { SHARD_COUNT, planOriginUpdate, replicasChangeRefusal, shardId, shardMovement, shardRepairPlan } from "../../ops/origin/repair";
import { repairScript } from "../../ops/origin/scripts";

const m = (n: number) => `kraken-origin-master0${n}-sjc1`;
const sjc1: Hashstate = {
    [m(1)]: { label: "origin0", weight: 30000 },
    [m(2)]: { label: "origin1", weight: 30000 },
    [m(3)]: { label: "origin2", weight: 30000 },
};
const added: Hashstate = { ...sjc1, [m(4)]: { label: "origin3", weight: 15000 } };
const reweighted: Hashstate = { ...sjc1, [m(3)]: { label: "origin2", weight: 60000 } };
const replaced: Hashstate = { [m(1)]: sjc1[m(1)], [m(2)]: sjc1[m(2)], [m(5)]: { label: "origin2", weight: 30000 } };
// Larger cluster, where a change touches a minority of shards.
const seven: Hashstate = Object.fromEntries(
    [1, 2, 3, 4, 5, 6, 7].map((i) => [m(i), { label: `origin${i}`, weight: [10, 15, 30, 60, 30, 15, 10][i - 1] * 1000 }]),
);
const sevenPlusOne: Hashstate = { ...seven, "kraken-origin-master08-sjc1": { label: "origin8", weight: 20000 } };

const hostsOf = (plan: ReturnType<typeof planOriginUpdate>) => plan.repairs.map((r) => r.host);

describe("origin update plan follows the runbook", () => {
    it("after an add: restart one at a time, then repair the older origins first and the new one last", () => {
        const p = planOriginUpdate(sjc1, added);
        assert.equal(p.change.kind, "add");
        assert.deepEqual(p.rollingRestart, [m(1), m(2), m(3), m(4)]);
        assert.deepEqual(hostsOf(p), [m(1), m(2), m(3), m(4)]);
        assert.deepEqual(
            p.repairs.map((r) => [r.label, r.path]),
            [
                ["origin0", "/repair"],
                ["origin1", "/repair"],
                ["origin2", "/repair"],
                ["origin3", "/repair"],
            ],
        );
    });

    it("after an add listed first in the file, the new origin is still repaired last", () => {
        const newFirst: Hashstate = { [m(4)]: { label: "origin3", weight: 15000 }, ...sjc1 };
        assert.deepEqual(hostsOf(planOriginUpdate(sjc1, newFirst)), [m(1), m(2), m(3), m(4)]);
    });

    it("after a re-weight: every origin", () => {
        const p = planOriginUpdate(sjc1, reweighted);
        assert.equal(p.change.kind, "reweight");
        assert.deepEqual(hostsOf(p), [m(1), m(2), m(3)]);
        assert.deepEqual(p.rollingRestart, [m(1), m(2), m(3)]);
    });

    it("after a remove: only the remaining origins", () => {
        const p = planOriginUpdate(added, sjc1);
        assert.equal(p.change.kind, "remove");
        assert.deepEqual(hostsOf(p), [m(1), m(2), m(3)]);
        assert.deepEqual(p.rollingRestart, [m(1), m(2), m(3)]);
    });

    it("after a host replacement: only the new host, after restarting all", () => {
        const p = planOriginUpdate(sjc1, replaced);
        assert.equal(p.change.kind, "replace-host");
        assert.deepEqual(p.repairs, [{ host: m(5), label: "origin2", path: "/repair" }]);
        assert.deepEqual(p.rollingRestart, [m(1), m(2), m(5)]);
    });

    it("nothing to restart or repair when nothing changed or the change is refused", () => {
        for (const next of [sjc1, { ...added, [m(6)]: { label: "origin4", weight: 1 } }]) {
            const p = planOriginUpdate(sjc1, next);
            assert.deepEqual([p.rollingRestart, p.repairs], [[], []]);
        }
    });

    it("uses a configured repair path", () => {
        assert.deepEqual(
            planOriginUpdate(sjc1, added, "/x/repair").repairs.map((r) => r.path),
            Array(4).fill("/x/repair"),
        );
    });

    it("refuses a change of the replica count", () => {
        assert.equal(replicasChangeRefusal(3, 3), undefined);
        assert.match(replicasChangeRefusal(3, 2) ?? "", /replicas changes from 3 to 2/);
    });
});

describe("shard movement (beyond the runbook)", () => {
    it("names Kraken's 65536 shard ids as 4 lowercase hex digits", () => {
        assert.equal(SHARD_COUNT, 65536);
        assert.deepEqual([shardId(0), shardId(10), shardId(65535)], ["0000", "000a", "ffff"]);
    });

    for (const [name, prev, next, replicas] of [
        ["an add to 7 origins", seven, sevenPlusOne, 3],
        ["a remove from 8 origins", sevenPlusOne, seven, 3],
        ["a re-weight in 3 origins with 2 replicas", sjc1, reweighted, 2],
    ] as const) {
        it(`${name}: moves exactly the minimum, and every shard's gain matches a direct placement`, () => {
            const mv = shardMovement(prev, next, replicas);
            assert.equal(mv.shards, SHARD_COUNT);
            assert.ok(mv.movedSlots > 0);
            assert.equal(mv.movedFraction, mv.minimumFraction, "rendezvous hashing moves no more than the load change needs");
            const hostsOfLabel = (h: Hashstate) => new Map(Object.entries(h).map(([host, n]) => [n.label, host]));
            const pb = rendezvousHash(hashstateNodes(prev));
            const pa = rendezvousHash(hashstateNodes(next));
            let changed = 0;
            for (let i = 0; i < SHARD_COUNT; i += 97) {
                const s = shardId(i);
                const b = pb.orderedLabels(s, replicas).map((l) => hostsOfLabel(prev).get(l)!);
                const a = pa.orderedLabels(s, replicas).map((l) => hostsOfLabel(next).get(l)!);
                for (const h of a) assert.equal(mv.gained[h].includes(s), !b.includes(h), `shard ${s} host ${h}`);
                if (a.some((h) => !b.includes(h)) || b.some((h) => !a.includes(h))) changed++;
            }
            assert.ok(changed > 0);
        });
    }

    it("an add gives shards only to the new origin, which gains its weight share of slots", () => {
        const mv = shardMovement(seven, sevenPlusOne, 3);
        const gainers = Object.entries(mv.gained)
            .filter(([, s]) => s.length > 0)
            .map(([h]) => h);
        assert.deepEqual(gainers, ["kraken-origin-master08-sjc1"]);
        assert.equal(mv.changedShards, mv.gained["kraken-origin-master08-sjc1"].length);
        assert.ok(mv.movedFraction > 0.05 && mv.movedFraction < 0.2, `moved ${mv.movedFraction}`);
    });

    it("a host replacement moves every slot of the replaced host to the new one", () => {
        const mv = shardMovement(sjc1, replaced, 3);
        assert.equal(mv.gained[m(5)].length, SHARD_COUNT);
        assert.equal(mv.lost[m(3)].length, SHARD_COUNT);
        assert.equal(mv.gained[m(1)].length, 0);
    });

    it("shard repairs run on the origin leaving each changed shard, never on the one gaining it", () => {
        const mv = shardMovement(seven, sevenPlusOne, 3);
        const plan = shardRepairPlan(sevenPlusOne, mv);
        assert.deepEqual(plan.orphanedShards, []);
        assert.ok(!plan.repairs.some((r) => r.host === "kraken-origin-master08-sjc1"));
        const total = plan.repairs.reduce((n, r) => n + r.shards.length, 0);
        assert.equal(total, mv.changedShards, "one leaving origin per changed shard after an add");
        for (const r of plan.repairs) for (const s of r.shards.slice(0, 50)) assert.ok(mv.lost[r.host].includes(s));
        assert.deepEqual(
            plan.repairs.map((r) => r.host),
            Object.keys(seven).filter((h) => plan.repairs.some((r) => r.host === h)),
        );
    });

    it("after a remove, each changed shard is repaired by its highest-ranked remaining holder", () => {
        const mv = shardMovement(sevenPlusOne, seven, 3);
        const plan = shardRepairPlan(seven, mv);
        const runners = new Map<string, string[]>();
        for (const r of plan.repairs) for (const s of r.shards) runners.set(s, [...(runners.get(s) ?? []), r.host]);
        for (const [shard, { before }] of mv.changes) {
            assert.deepEqual(runners.get(shard), [before.filter((h) => h !== "kraken-origin-master08-sjc1")[0]]);
        }
    });

    it("with one replica, a replaced host's shards have no remaining holder and are reported orphaned", () => {
        const plan = shardRepairPlan(replaced, shardMovement(sjc1, replaced, 1));
        assert.ok(plan.orphanedShards.length > 15000 && plan.orphanedShards.length < 30000);
    });
});

describe("repair script", () => {
    it("calls the full repair by default and the shard path per shard", () => {
        const full = repairScript({ host: "o1.example", port: 15002, timeoutSeconds: 60 });
        assert.match(full, /repair '\/repair' 1\/1/);
        assert.match(full, /--fail-with-body/);
        assert.match(full, /--max-time "\$timeout"/);
        const sharded = repairScript({ host: "o1.example", port: 15002, timeoutSeconds: 60, shards: ["00ab", "ffff"] });
        assert.match(sharded, /shards=\(00ab ffff\)/);
        assert.match(sharded, /repair '\/repair\/shard\/'"\$shard"/);
    });

    it("refuses values that could break out of the script", () => {
        assert.throws(() => repairScript({ host: "o1; rm -rf /", port: 1, timeoutSeconds: 1 }), /invalid origin host/);
        assert.throws(() => repairScript({ host: "o1", port: 1, timeoutSeconds: 1, path: "/repair'$(x)" }), /invalid path/);
        assert.throws(() => repairScript({ host: "o1", port: 1, timeoutSeconds: 1, shards: ["0g00"] }), /invalid shard id/);
        assert.throws(() => repairScript({ host: "o1", port: 70000, timeoutSeconds: 1 }), /port/);
        assert.throws(() => repairScript({ host: "o1", port: 1, timeoutSeconds: 0 }), /timeoutSeconds/);
    });
});
