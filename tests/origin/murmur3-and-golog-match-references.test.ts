import assert from "node:assert/strict";
import fc from "fast-check";
import { goLog } from "../../ops/origin/golog";
import { murmur3Blocks, murmur3FinishH1, murmur3H1, murmur3Start } from "../../ops/origin/murmur3";

// A plain BigInt transcription of the reference MurmurHash3_x64_128 (seed 0), slow and obviously correct.
const M = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M;
const fmix = (k: bigint) => {
    k ^= k >> 33n;
    k = (k * 0xff51afd7ed558ccdn) & M;
    k ^= k >> 33n;
    k = (k * 0xc4ceb9fe1a85ec53n) & M;
    return k ^ (k >> 33n);
};
function referenceH1(data: Uint8Array): bigint {
    const word = (i: number) => {
        let w = 0n;
        for (let j = 7; j >= 0; j--) w = (w << 8n) | BigInt(data[i + j]);
        return w;
    };
    let h1 = 0n;
    let h2 = 0n;
    const blocks = Math.floor(data.length / 16);
    for (let b = 0; b < blocks; b++) {
        let k1 = word(b * 16);
        let k2 = word(b * 16 + 8);
        k1 = (rotl((k1 * C1) & M, 31n) * C2) & M;
        h1 ^= k1;
        h1 = (((rotl(h1, 27n) + h2) & M) * 5n + 0x52dce729n) & M;
        k2 = (rotl((k2 * C2) & M, 33n) * C1) & M;
        h2 ^= k2;
        h2 = (((rotl(h2, 31n) + h1) & M) * 5n + 0x38495ab5n) & M;
    }
    const tail = data.subarray(blocks * 16);
    let k1 = 0n;
    let k2 = 0n;
    for (let i = tail.length - 1; i >= 8; i--) k2 = (k2 << 8n) | BigInt(tail[i]);
    for (let i = Math.min(tail.length, 8) - 1; i >= 0; i--) k1 = (k1 << 8n) | BigInt(tail[i]);
    if (tail.length > 8) h2 ^= (rotl((k2 * C2) & M, 33n) * C1) & M;
    if (tail.length > 0) h1 ^= (rotl((k1 * C1) & M, 31n) * C2) & M;
    const len = BigInt(data.length);
    h1 ^= len;
    h2 ^= len;
    h1 = (h1 + h2) & M;
    h2 = (h2 + h1) & M;
    h1 = fmix(h1);
    h2 = fmix(h2);
    return (h1 + h2) & M;
}

describe("MurmurHash3 x64_128 h1 matches a BigInt reference", () => {
    it("on the empty input and every tail length 1..47 of a fixed byte pattern", () => {
        const bytes = Uint8Array.from({ length: 47 }, (_, i) => (i * 37 + 11) & 0xff);
        assert.equal(murmur3H1(new Uint8Array(0)), referenceH1(new Uint8Array(0)));
        for (let n = 1; n <= bytes.length; n++) assert.equal(murmur3H1(bytes.subarray(0, n)), referenceH1(bytes.subarray(0, n)), `length ${n}`);
    });

    it("on random byte strings (property)", () => {
        fc.assert(
            fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => murmur3H1(bytes) === referenceH1(bytes)),
            { numRuns: 500 },
        );
    });

    it("on all-0xff bytes, where every carry propagates", () => {
        const ff = new Uint8Array(64).fill(0xff);
        for (const n of [8, 15, 16, 17, 31, 32, 64]) assert.equal(murmur3H1(ff.subarray(0, n)), referenceH1(ff.subarray(0, n)));
    });

    it("gives the same h1 when whole blocks are mixed first and the rest finished separately (property)", () => {
        fc.assert(
            fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(5), (bytes, cut) => {
                const blocks = Math.min(cut, bytes.length >>> 4);
                const state = murmur3Start();
                murmur3Blocks(state, bytes, 0, blocks);
                const restStart = blocks * 16;
                const restBlocks = (bytes.length - restStart) >>> 4;
                murmur3Blocks(state, bytes, restStart, restBlocks);
                const out = new Int32Array(2);
                const tailStart = restStart + restBlocks * 16;
                murmur3FinishH1(state, bytes, tailStart, bytes.length - tailStart, bytes.length, out);
                const h1 = (BigInt(out[0] >>> 0) << 32n) | BigInt(out[1] >>> 0);
                return h1 === referenceH1(bytes);
            }),
            { numRuns: 300 },
        );
    });
});

describe("goLog follows Go's math.Log", () => {
    it("has Go's special cases", () => {
        assert.equal(goLog(0), -Infinity);
        assert.equal(goLog(-0), -Infinity);
        assert.ok(Number.isNaN(goLog(-1)));
        assert.ok(Number.isNaN(goLog(NaN)));
        assert.equal(goLog(Infinity), Infinity);
        assert.equal(goLog(1), 0);
        assert.equal(goLog(2), Math.LN2);
    });

    it("stays within one ulp of Math.log on positive doubles, subnormals included (property)", () => {
        const ulp = (x: number) => {
            const b = new Float64Array([Math.abs(x)]);
            const w = new BigUint64Array(b.buffer);
            w[0] += 1n;
            return b[0] - Math.abs(x);
        };
        fc.assert(
            fc.property(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }), (x) => {
                const want = Math.log(x);
                return want === 0 ? goLog(x) === 0 : Math.abs(goLog(x) - want) <= ulp(want);
            }),
            { numRuns: 2000 },
        );
    });
});
