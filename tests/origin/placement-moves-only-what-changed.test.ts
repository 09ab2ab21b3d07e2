import assert from "node:assert/strict";
import fc from "fast-check";
import { type HrwNode, rendezvousHash } from "../../ops/origin/hrw";

const hexKey = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => Buffer.from(b).toString("hex"));
const keys = fc.array(hexKey, { minLength: 50, maxLength: 150 });
const weight = fc.integer({ min: 1, max: 100_000 });
const nodeSet = (min: number, max: number) =>
    fc
        .uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { minLength: min, maxLength: max })
        .chain((labels) => fc.tuple(...labels.map((label) => weight.map((w): HrwNode => ({ label, weight: w })))));

const without = (list: readonly string[], label: string) => list.filter((l) => l !== label);
const runs = { numRuns: 60 };

describe("weighted rendezvous placement moves only what a change requires", () => {
    it("adding a node only moves keys to it: the others keep their relative order", () => {
        fc.assert(
            fc.property(nodeSet(1, 8), fc.string({ minLength: 1, maxLength: 30 }), weight, keys, (nodes, label, w, ks) => {
                fc.pre(!nodes.some((n) => n.label === label));
                const before = rendezvousHash(nodes);
                const after = rendezvousHash([...nodes, { label, weight: w }]);
                for (const k of ks) assert.deepEqual(without(after.orderedLabels(k), label), before.orderedLabels(k));
            }),
            runs,
        );
    });

    it("removing a node only moves its keys: the others keep their relative order", () => {
        fc.assert(
            fc.property(nodeSet(2, 8), fc.nat(), keys, (nodes, pick, ks) => {
                const gone = nodes[pick % nodes.length].label;
                const before = rendezvousHash(nodes);
                const after = rendezvousHash(nodes.filter((n) => n.label !== gone));
                for (const k of ks) assert.deepEqual(after.orderedLabels(k), without(before.orderedLabels(k), gone));
            }),
            runs,
        );
    });

    for (const direction of ["raising", "lowering"] as const) {
        it(`${direction} a weight only moves keys ${direction === "raising" ? "to" : "away from"} that node`, () => {
            fc.assert(
                fc.property(nodeSet(2, 8), fc.nat(), weight, keys, (nodes, pick, w2, ks) => {
                    const i = pick % nodes.length;
                    const changed = nodes[i];
                    fc.pre(direction === "raising" ? w2 > changed.weight : w2 < changed.weight);
                    const before = rendezvousHash(nodes);
                    const after = rendezvousHash(nodes.map((n, j) => (j === i ? { label: n.label, weight: w2 } : n)));
                    for (const k of ks) {
                        const b = before.orderedLabels(k);
                        const a = after.orderedLabels(k);
                        assert.deepEqual(without(a, changed.label), without(b, changed.label));
                        const moved = a.indexOf(changed.label) - b.indexOf(changed.label);
                        assert.ok(direction === "raising" ? moved <= 0 : moved >= 0, `key ${k}: position moved by ${moved}`);
                    }
                }),
                runs,
            );
        });
    }

    it("a replica set changes by at most one member after a single add (the runbook's promise)", () => {
        fc.assert(
            fc.property(nodeSet(3, 8), weight, keys, (nodes, w, ks) => {
                const before = rendezvousHash(nodes);
                const after = rendezvousHash([...nodes, { label: "\u0000new", weight: w }]);
                for (const k of ks) {
                    const b = new Set(before.orderedLabels(k, 3));
                    const changed = after.orderedLabels(k, 3).filter((l) => !b.has(l));
                    assert.ok(changed.length <= 1 && changed.every((l) => l === "\u0000new"));
                }
            }),
            runs,
        );
    });

    it("top-1 share converges to weight / total weight", () => {
        // 20 000 keys per weight draw: the standard deviation of a share is at most 0.0036, the tolerance is 0.02.
        fc.assert(
            fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 5 }), fc.nat(), (weights, seed) => {
                const nodes = weights.map((w, i) => ({ label: `origin${i}`, weight: w }));
                const total = weights.reduce((a, b) => a + b, 0);
                const p = rendezvousHash(nodes);
                const wins = new Array<number>(nodes.length).fill(0);
                const order = new Int32Array(nodes.length);
                const n = 20_000;
                for (let i = 0; i < n; i++) {
                    const key = ((seed + i) >>> 0).toString(16).padStart(8, "0") + "c0ffee";
                    wins[p.orderedIndices(key, order)[0]]++;
                }
                weights.forEach((w, i) => {
                    const share = wins[i] / n;
                    assert.ok(Math.abs(share - w / total) < 0.02, `origin${i}: share ${share} vs ${w / total}`);
                });
            }),
            { numRuns: 5 },
        );
    });

    it("a heavier node wins more keys than a lighter one (the share test can tell weights apart)", () => {
        const p = rendezvousHash([
            { label: "light", weight: 100 },
            { label: "heavy", weight: 300 },
        ]);
        let heavy = 0;
        for (let i = 0; i < 10_000; i++) if (p.orderedLabels(i.toString(16).padStart(8, "0"), 1)[0] === "heavy") heavy++;
        assert.ok(heavy > 7_000 && heavy < 8_000, `heavy won ${heavy} of 10000`);
    });
});
