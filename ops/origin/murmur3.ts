/**
 * MurmurHash3 x64_128 with seed 0, keeping only the first 64-bit half (h1):
 * the hash Kraken's origin placement uses (spaolacci/murmur3 `New64`, read
 * back big-endian by lib/hrw, which is exactly h1).
 *
 * Why it is written here rather than taken from npm: `murmurhash3js-revisited`
 * 3.0.0 (the maintained pure-JS x64_128) does give the right h1 over raw bytes
 * (its first 16 hex digits; we checked it against the worked examples of
 * tests/fixtures/kraken-hrw), but it returns a hex string, emulates 64-bit
 * arithmetic with freshly allocated 16-bit limb arrays and re-validates every
 * byte per call: about 2.6 µs per 39-byte hash here, a third of Kraken's Go
 * throughput for 7 origins. Placement needs 7 hashes per key at several million
 * keys per second, with the hash resumable after a key's whole 16-byte blocks so
 * that every origin shares them. Native bindings (murmurhash-native) need a
 * compiler at install time. So this is a small allocation-free port over 32-bit
 * halves with Math.imul; tests check it against a BigInt reference and the
 * fixture's h1 values.
 *
 * A 64-bit value is a pair of int32 (hi, lo). A running hash state is an
 * Int32Array [h1hi, h1lo, h2hi, h2lo].
 */

const C1_HI = 0x87c37b91 | 0;
const C1_LO = 0x114253d5 | 0;
const C2_HI = 0x4cf5ad43 | 0;
const C2_LO = 0x2745937f | 0;
const F1_HI = 0xff51afd7 | 0;
const F1_LO = 0xed558ccd | 0;
const F2_HI = 0xc4ceb9fe | 0;
const F2_LO = 0x1a85ec53 | 0;
const TWO_32 = 4294967296;

/** High 32 bits (as int32) of the unsigned 64-bit product of two uint32 values. */
function mulHi(a: number, b: number): number {
    const a0 = a & 0xffff;
    const a1 = a >>> 16;
    const b0 = b & 0xffff;
    const b1 = b >>> 16;
    const m1 = a1 * b0 + ((a0 * b0) >>> 16); // < 2^32, exact
    const m2 = a0 * b1 + (m1 & 0xffff); // < 2^32, exact
    return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) | 0;
}

/** Reads 4 bytes little-endian as int32. */
function le32(d: Uint8Array, i: number): number {
    return d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24);
}

/** A fresh state for seed 0. */
export function murmur3Start(): Int32Array {
    return new Int32Array(4);
}

/**
 * Mixes `blocks` whole 16-byte blocks of `data`, starting at `offset`, into
 * `state`. Splitting an input at a 16-byte boundary and mixing the parts in
 * turn gives the same state as mixing it whole.
 */
export function murmur3Blocks(state: Int32Array, data: Uint8Array, offset: number, blocks: number): void {
    let h1h = state[0];
    let h1l = state[1];
    let h2h = state[2];
    let h2l = state[3];
    let i = offset;
    for (let b = 0; b < blocks; b++, i += 16) {
        // k1 = block word 0 (little-endian), k2 = block word 1.
        let k1l = le32(data, i);
        let k1h = le32(data, i + 4);
        let k2l = le32(data, i + 8);
        let k2h = le32(data, i + 12);
        let th: number;
        let tl: number;

        // k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1
        th = (mulHi(k1l, C1_LO) + Math.imul(k1l, C1_HI) + Math.imul(k1h, C1_LO)) | 0;
        tl = Math.imul(k1l, C1_LO);
        k1h = (th << 31) | (tl >>> 1);
        k1l = (tl << 31) | (th >>> 1);
        th = (mulHi(k1l, C2_LO) + Math.imul(k1l, C2_HI) + Math.imul(k1h, C2_LO)) | 0;
        tl = Math.imul(k1l, C2_LO);
        h1h ^= th;
        h1l ^= tl;

        // h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
        th = (h1h << 27) | (h1l >>> 5);
        tl = (h1l << 27) | (h1h >>> 5);
        let s = (tl >>> 0) + (h2l >>> 0);
        tl = s | 0;
        th = (th + h2h + (s >= TWO_32 ? 1 : 0)) | 0;
        s = (tl >>> 0) * 5;
        const m1h = (Math.floor(s / TWO_32) + Math.imul(th, 5)) | 0;
        s = (s % TWO_32) + 0x52dce729;
        h1l = s | 0;
        h1h = (m1h + (s >= TWO_32 ? 1 : 0)) | 0;

        // k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2
        th = (mulHi(k2l, C2_LO) + Math.imul(k2l, C2_HI) + Math.imul(k2h, C2_LO)) | 0;
        tl = Math.imul(k2l, C2_LO);
        k2h = (tl << 1) | (th >>> 31);
        k2l = (th << 1) | (tl >>> 31);
        th = (mulHi(k2l, C1_LO) + Math.imul(k2l, C1_HI) + Math.imul(k2h, C1_LO)) | 0;
        tl = Math.imul(k2l, C1_LO);
        h2h ^= th;
        h2l ^= tl;

        // h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
        th = (h2h << 31) | (h2l >>> 1);
        tl = (h2l << 31) | (h2h >>> 1);
        s = (tl >>> 0) + (h1l >>> 0);
        tl = s | 0;
        th = (th + h1h + (s >= TWO_32 ? 1 : 0)) | 0;
        s = (tl >>> 0) * 5;
        const m2h = (Math.floor(s / TWO_32) + Math.imul(th, 5)) | 0;
        s = (s % TWO_32) + 0x38495ab5;
        h2l = s | 0;
        h2h = (m2h + (s >= TWO_32 ? 1 : 0)) | 0;
    }
    state[0] = h1h;
    state[1] = h1l;
    state[2] = h2h;
    state[3] = h2l;
}

/**
 * Finishes a hash: mixes the last `tailLength` (< 16) bytes of the input, found
 * at `data[offset..]`, and the finalisation for an input of `totalLength`
 * bytes, then writes h1 to out[0] (high 32 bits) and out[1] (low 32 bits), as
 * int32. `state` is left untouched, so a shared prefix state can be reused.
 */
export function murmur3FinishH1(state: Int32Array, data: Uint8Array, offset: number, tailLength: number, totalLength: number, out: Int32Array): void {
    let h1h = state[0];
    let h1l = state[1];
    let h2h = state[2];
    let h2l = state[3];
    let th: number;
    let tl: number;

    if (tailLength > 8) {
        // k2 from tail bytes 8..14, little-endian.
        let k2l = 0;
        let k2h = 0;
        for (let j = tailLength - 1; j >= 12; j--) k2h = (k2h << 8) | data[offset + j];
        for (let j = Math.min(tailLength, 12) - 1; j >= 8; j--) k2l = (k2l << 8) | data[offset + j];
        th = (mulHi(k2l, C2_LO) + Math.imul(k2l, C2_HI) + Math.imul(k2h, C2_LO)) | 0;
        tl = Math.imul(k2l, C2_LO);
        k2h = (tl << 1) | (th >>> 31);
        k2l = (th << 1) | (tl >>> 31);
        th = (mulHi(k2l, C1_LO) + Math.imul(k2l, C1_HI) + Math.imul(k2h, C1_LO)) | 0;
        tl = Math.imul(k2l, C1_LO);
        h2h ^= th;
        h2l ^= tl;
    }
    if (tailLength > 0) {
        // k1 from tail bytes 0..7, little-endian.
        let k1l = 0;
        let k1h = 0;
        for (let j = Math.min(tailLength, 8) - 1; j >= 4; j--) k1h = (k1h << 8) | data[offset + j];
        for (let j = Math.min(tailLength, 4) - 1; j >= 0; j--) k1l = (k1l << 8) | data[offset + j];
        th = (mulHi(k1l, C1_LO) + Math.imul(k1l, C1_HI) + Math.imul(k1h, C1_LO)) | 0;
        tl = Math.imul(k1l, C1_LO);
        k1h = (th << 31) | (tl >>> 1);
        k1l = (tl << 31) | (th >>> 1);
        th = (mulHi(k1l, C2_LO) + Math.imul(k1l, C2_HI) + Math.imul(k1h, C2_LO)) | 0;
        tl = Math.imul(k1l, C2_LO);
        h1h ^= th;
        h1l ^= tl;
    }

    // h1 ^= len; h2 ^= len (lengths stay below 2^32 here)
    h1l ^= totalLength;
    h2l ^= totalLength;
    // h1 += h2; h2 += h1
    let s = (h1l >>> 0) + (h2l >>> 0);
    h1l = s | 0;
    h1h = (h1h + h2h + (s >= TWO_32 ? 1 : 0)) | 0;
    s = (h2l >>> 0) + (h1l >>> 0);
    h2l = s | 0;
    h2h = (h2h + h1h + (s >= TWO_32 ? 1 : 0)) | 0;

    // fmix64(h1)
    h1l ^= h1h >>> 1;
    th = (mulHi(h1l, F1_LO) + Math.imul(h1l, F1_HI) + Math.imul(h1h, F1_LO)) | 0;
    h1l = Math.imul(h1l, F1_LO);
    h1h = th;
    h1l ^= h1h >>> 1;
    th = (mulHi(h1l, F2_LO) + Math.imul(h1l, F2_HI) + Math.imul(h1h, F2_LO)) | 0;
    h1l = Math.imul(h1l, F2_LO);
    h1h = th;
    h1l ^= h1h >>> 1;

    // fmix64(h2)
    h2l ^= h2h >>> 1;
    th = (mulHi(h2l, F1_LO) + Math.imul(h2l, F1_HI) + Math.imul(h2h, F1_LO)) | 0;
    h2l = Math.imul(h2l, F1_LO);
    h2h = th;
    h2l ^= h2h >>> 1;
    th = (mulHi(h2l, F2_LO) + Math.imul(h2l, F2_HI) + Math.imul(h2h, F2_LO)) | 0;
    h2l = Math.imul(h2l, F2_LO);
    h2h = th;
    h2l ^= h2h >>> 1;

    // h1 += h2 (h2 += h1 is not needed: only h1 is returned)
    s = (h1l >>> 0) + (h2l >>> 0);
    out[0] = (h1h + h2h + (s >= TWO_32 ? 1 : 0)) | 0;
    out[1] = s | 0;
}

/** h1 of `data[offset .. offset+length)` into out[0] (high) and out[1] (low), as int32. */
export function murmur3H1Into(data: Uint8Array, offset: number, length: number, out: Int32Array, state = new Int32Array(4)): void {
    state.fill(0);
    const blocks = length >>> 4;
    murmur3Blocks(state, data, offset, blocks);
    murmur3FinishH1(state, data, offset + blocks * 16, length & 15, length, out);
}

/** h1 of MurmurHash3 x64_128 (seed 0) over `data`, as an unsigned 64-bit bigint. */
export function murmur3H1(data: Uint8Array): bigint {
    const out = new Int32Array(2);
    murmur3H1Into(data, 0, data.length, out);
    return (BigInt(out[0] >>> 0) << 32n) | BigInt(out[1] >>> 0);
}
