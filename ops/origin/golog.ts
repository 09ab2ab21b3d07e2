/**
 * Go's portable math.Log (the FreeBSD/fdlibm e_log.c algorithm as written in
 * Go's src/math/log.go), so that rendezvous scores match Kraken bit for bit.
 *
 * V8's Math.log is also fdlibm-derived but reduces the argument differently and
 * differs from Go in the last bit for about 2% of the hash values Kraken feeds
 * it (see tests/fixtures/kraken-hrw/README.md). No npm package ports Go's
 * variant, hence this file. Every operation below is a single IEEE-754 double
 * operation in the same order as Go's source, which the Go compiler does not
 * fuse on amd64.
 */

const LN2_HI = 6.9314718036912381649e-1; /* 3fe62e42 fee00000 */
const LN2_LO = 1.90821492927058770002e-10; /* 3dea39ef 35793c76 */
const L1 = 6.66666666666673513e-1; /* 3FE55555 55555593 */
const L2 = 3.999999999940941908e-1; /* 3FD99999 9997FA04 */
const L3 = 2.857142874366239149e-1; /* 3FD24924 94229359 */
const L4 = 2.222219843214978396e-1; /* 3FCC71C5 1D8E78AF */
const L5 = 1.818357216161805012e-1; /* 3FC74664 96CB03DE */
const L6 = 1.531383769920937332e-1; /* 3FC39A09 D078C69F */
const L7 = 1.479819860511658591e-1; /* 3FC2F112 DF3E5244 */
const SQRT2_OVER_2 = Math.SQRT2 / 2;
const TWO_52 = 4503599627370496;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
/** Index of the word holding sign, exponent and the top of the mantissa. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Go's math.Log(x). */
export function goLog(x: number): number {
    if (Number.isNaN(x) || x === Infinity) return x;
    if (x < 0) return NaN;
    if (x === 0) return -Infinity;

    // reduce: Frexp(x) = f1 * 2^ki with f1 in [0.5, 1)
    let ki = 0;
    bits[0] = x;
    if ((words[HI] & 0x7ff00000) === 0) {
        // subnormal: normalise first, as Go's Frexp does
        bits[0] = x * TWO_52;
        ki = -52;
    }
    const hi = words[HI];
    ki += ((hi >>> 20) & 0x7ff) - 1022;
    words[HI] = (hi & 0x800fffff) | (1022 << 20);
    let f1 = bits[0];
    if (f1 < SQRT2_OVER_2) {
        f1 *= 2;
        ki--;
    }
    const f = f1 - 1;
    const k = ki;

    // compute
    const s = f / (2 + f);
    const s2 = s * s;
    const s4 = s2 * s2;
    const t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
    const t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
    const R = t1 + t2;
    const hfsq = 0.5 * f * f;
    return k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
}
