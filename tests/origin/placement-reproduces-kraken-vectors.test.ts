import assert from "node:assert/strict";
import { goLog } from "../../ops/origin/golog";
import { orderedNodes, rendezvousHash, replicaSet, score } from "../../ops/origin/hrw";
import { murmur3H1 } from "../../ops/origin/murmur3";
import { loadScenarios, loadWorkedExamples } from "./fixtures";

const scenarios = loadScenarios();
const examples = loadWorkedExamples();

describe("origin placement reproduces Kraken lib/hrw reference vectors", () => {
    it("reads all six scenarios of 209 keys", () => {
        assert.deepEqual(
            scenarios.map((s) => [s.name, s.vectors.length]),
            ["A", "B", "C", "D", "E", "F"].map((n) => [n, 209]),
        );
    });

    for (const s of scenarios) {
        describe(`scenario ${s.name}: ${s.nodes.map((n) => `${n.label}:${n.weight}`).join(", ")}`, () => {
            const placement = rendezvousHash(s.nodes);
            const withMathLog = rendezvousHash(s.nodes, { log: Math.log });

            it("orders every key's nodes exactly as Kraken's GetOrderedNodes", () => {
                for (const v of s.vectors) assert.deepEqual(placement.orderedLabels(v.key), v.ordered, `key ${v.key}`);
            });

            it("gives the same replica set (first `replicas` labels) through replicaSet and orderedNodes", () => {
                for (const v of s.vectors) {
                    const want = v.ordered.slice(0, s.replicas);
                    assert.deepEqual(replicaSet(v.key, s.nodes, s.replicas), want);
                    assert.deepEqual(
                        orderedNodes(v.key, s.nodes, s.replicas).map((n) => n.label),
                        want,
                    );
                }
            });

            it("scores every node bit for bit like Kraken with Go's log", () => {
                for (const v of s.vectors) {
                    const got = placement.scores(v.key);
                    s.nodes.forEach((n, i) => assert.equal(got[i], Number(v.scores[n.label]), `key ${v.key} label ${n.label}`));
                }
            });

            it("scores within 1e-14 relative with JavaScript's Math.log, with the same order", () => {
                for (const v of s.vectors) {
                    const got = withMathLog.scores(v.key);
                    s.nodes.forEach((n, i) => {
                        const want = Number(v.scores[n.label]);
                        assert.ok(Math.abs(got[i] - want) <= 1e-14 * Math.abs(want), `key ${v.key} label ${n.label}: ${got[i]} vs ${want}`);
                    });
                    assert.deepEqual(withMathLog.orderedLabels(v.key), v.ordered);
                }
            });
        });
    }

    it("needs the Go log port: Math.log alone misses some fixture scores by an ulp", () => {
        let differing = 0;
        for (const s of scenarios) {
            const withMathLog = rendezvousHash(s.nodes, { log: Math.log });
            for (const v of s.vectors) {
                const got = withMathLog.scores(v.key);
                s.nodes.forEach((n, i) => {
                    if (got[i] !== Number(v.scores[n.label])) differing++;
                });
            }
        }
        assert.ok(differing > 0);
    });

    it("the score function agrees with a node's standalone score", () => {
        const e = scenarios.find((s) => s.name === "E")!;
        for (const v of e.vectors.slice(0, 20)) {
            for (const n of e.nodes) assert.equal(score(v.key, n), Number(v.scores[n.label]));
        }
    });

    describe("rehash-on-zero keys (low 53 bits of h1 are zero)", () => {
        const cases = [
            { key: "7aa6a59ad80d50093ffb6e76e2cc3a368ac285dc464f49e43bc4901dadc104e7", label: "origin0", scenarios: ["A", "B", "C", "F"] },
            { key: "e20864e7dc5488b3fbb37dec5b8a895721e9d9a4672799553fb070e785b217f7", label: "2", scenarios: ["D"] },
            { key: "4d5a5bb1befe4c3a8fa15e0c1ac9433331d78d2079848f018b2258bb892b5373", label: "kraken-origin-master04-sjc1", scenarios: ["E"] },
        ];
        for (const c of cases) {
            it(`${c.key.slice(0, 8)}… rehashes for ${c.label} and matches scenarios ${c.scenarios.join(", ")}`, () => {
                const h1 = murmur3H1(Buffer.concat([Buffer.from(c.key, "hex"), Buffer.from(c.label)]));
                assert.equal(h1 & ((1n << 53n) - 1n), 0n, "the fixture key really hits the rehash branch");
                for (const name of c.scenarios) {
                    const s = scenarios.find((x) => x.name === name)!;
                    const v = s.vectors.find((x) => x.key === c.key)!;
                    const node = s.nodes.find((n) => n.label === c.label)!;
                    const got = score(c.key, node);
                    assert.equal(got, Number(v.scores[c.label]));
                    assert.ok(got > 0, "a missing rehash would score 0");
                    assert.deepEqual(rendezvousHash(s.nodes).orderedLabels(c.key), v.ordered);
                }
            });
        }
    });

    describe("README worked examples", () => {
        it("has the seven rows", () => assert.equal(examples.length, 7));
        for (const ex of examples) {
            it(`${ex.key.slice(0, 16)}… / ${ex.label}: h1 ${ex.h1}, u, ln(u) and score`, () => {
                const input = Buffer.concat([Buffer.from(ex.key, "hex"), Buffer.from(ex.label)]);
                assert.equal(input.toString("hex"), ex.input);
                const h1 = murmur3H1(input);
                assert.equal(h1.toString(16).padStart(16, "0"), ex.h1);
                const mask = (1n << 53n) - 1n;
                assert.equal((h1 & mask).toString(16).padStart(14, "0"), ex.low53);
                let v = h1 & mask;
                if (ex.rehash !== undefined) {
                    assert.equal(v, 0n);
                    const again = Buffer.from(ex.rehash.input, "hex");
                    assert.equal(again.readBigUInt64BE(), h1, "the rehash input is h1 big-endian");
                    const h1b = murmur3H1(again);
                    assert.equal(h1b.toString(16).padStart(16, "0"), ex.rehash.h1);
                    v = h1b & mask;
                    assert.equal(v.toString(16).padStart(14, "0"), ex.rehash.low53);
                }
                const u = Number(v) / 2 ** 53;
                assert.equal(u, Number(ex.u));
                assert.equal(goLog(u), Number(ex.ln));
                assert.equal(score(ex.key, { label: ex.label, weight: ex.weight }), Number(ex.score));
            });
        }
    });

    describe("keys", () => {
        const nodes = [{ label: "origin0", weight: 1 }];
        it("accepts upper-case hex as Go's hex.DecodeString does (CAS volume keys such as 0A)", () => {
            assert.equal(score("0A", nodes[0]), score("0a", nodes[0]));
        });
        it("throws a clear error for an odd-length key", () => {
            assert.throws(() => score("abc", nodes[0]), /invalid hex key "abc": odd length 3/);
        });
        it("throws a clear error for a non-hex character, naming its offset", () => {
            assert.throws(() => score("00zz", nodes[0]), /invalid hex key "00zz": "z" at offset 2 is not a hex digit/);
            assert.throws(() => score("0é", nodes[0]), /at offset 1 is not a hex digit/);
        });
        it("rejects duplicate labels and non-positive or fractional weights", () => {
            assert.throws(() => rendezvousHash([nodes[0], nodes[0]]), /duplicate label "origin0"/);
            assert.throws(() => rendezvousHash([{ label: "a", weight: 0 }]), /positive integer/);
            assert.throws(() => rendezvousHash([{ label: "a", weight: 1.5 }]), /positive integer/);
        });
        it("handles keys longer than the initial buffer", () => {
            const long = "ab".repeat(300);
            const manual = murmur3H1(Buffer.concat([Buffer.from(long, "hex"), Buffer.from("origin0")]));
            const u = Number(manual & ((1n << 53n) - 1n)) / 2 ** 53;
            assert.equal(score(long, nodes[0]), -1 / goLog(u));
        });
    });
});
