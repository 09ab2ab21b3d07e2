/**
 * Weighted rendezvous (highest-random-weight) hashing exactly as Kraken's
 * lib/hrw with `hrw.Murmur3Hash` and `hrw.UInt64ToFloat64`, the way Kraken's
 * origin cluster places content:
 *
 *   input  = hex-decode(key) ++ utf8(label)
 *   h1     = MurmurHash3 x64_128 (seed 0), first half
 *   v      = h1 & (2^53 - 1); if v == 0, v = murmur3(h1 as 8 big-endian bytes) & (2^53 - 1)
 *   score  = -weight / ln(v / 2^53)            (highest score first)
 *
 * Differences from Kraken, on purpose: an invalid hex key throws (Kraken scores
 * NaN and sorts garbage); equal scores keep node insertion order (Go's unstable
 * sort leaves it unspecified; no tie occurs in the reference vectors); each node
 * is scored once per key (Kraken scores inside its sort comparator); the
 * murmur3 state after the key's whole 16-byte blocks is computed once per key
 * and shared by every node.
 */
import { goLog } from "./golog";
import { murmur3Blocks, murmur3FinishH1 } from "./murmur3";

/** One rendezvous node: an origin's logical label and its weight. */
export interface HrwNode {
    readonly label: string;
    readonly weight: number;
}

export interface PlacementOptions {
    /** Natural logarithm used for scores; defaults to Go's math.Log (bit-exact with Kraken). */
    readonly log?: (x: number) => number;
}

/** Placement of keys over a fixed set of nodes (Kraken's RendezvousHash with its nodes added). */
export interface Placement {
    readonly nodes: readonly HrwNode[];
    /** Kraken's `node.Score(key)` for every node, in node order. */
    scores(key: string, out?: Float64Array): Float64Array;
    /** Node indices ordered by score, highest first; fills `out` (length = node count) and returns it. */
    orderedIndices(key: string, out?: Int32Array): Int32Array;
    /** Labels of the first `n` nodes by score (all nodes by default): Kraken's GetOrderedNodes. */
    orderedLabels(key: string, n?: number): string[];
}

const TWO_53_INV = 1 / 9007199254740992;
const TWO_32 = 4294967296;

/** Hex digit value by char code, -1 where not a hex digit (Go's hex.DecodeString accepts both cases). */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
    HEX[65 + c] = 10 + c;
    HEX[97 + c] = 10 + c;
}

function nibble(key: string, i: number): number {
    const c = key.charCodeAt(i);
    const v = c < 128 ? HEX[c] : -1;
    if (v < 0) {
        throw new Error(`invalid hex key ${JSON.stringify(key)}: ${JSON.stringify(key[i])} at offset ${i} is not a hex digit`);
    }
    return v;
}

/** Hex-decodes `key` into `into` (which must hold key.length / 2 bytes); returns the byte count. */
function decodeHexKey(key: string, into: Uint8Array): number {
    if (key.length % 2 !== 0) {
        throw new Error(`invalid hex key ${JSON.stringify(key)}: odd length ${key.length}`);
    }
    const n = key.length >>> 1;
    for (let i = 0; i < n; i++) {
        into[i] = (nibble(key, 2 * i) << 4) | nibble(key, 2 * i + 1);
    }
    return n;
}

function checkNodes(nodes: readonly HrwNode[]): void {
    const seen = new Set<string>();
    nodes.forEach((node, i) => {
        if (typeof node.label !== "string") throw new Error(`node ${i}: label must be a string`);
        if (!Number.isSafeInteger(node.weight) || node.weight <= 0) {
            throw new Error(`node ${i} (${JSON.stringify(node.label)}): weight must be a positive integer, got ${node.weight}`);
        }
        if (seen.has(node.label)) throw new Error(`node ${i}: duplicate label ${JSON.stringify(node.label)}`);
        seen.add(node.label);
    });
}

/** Builds the placement for `nodes` (labels unique, weights positive integers). */
export function rendezvousHash(nodes: readonly HrwNode[], options: PlacementOptions = {}): Placement {
    checkNodes(nodes);
    const log = options.log ?? goLog;
    const frozen: readonly HrwNode[] = Object.freeze(nodes.map((n) => Object.freeze({ label: n.label, weight: n.weight })));
    const count = frozen.length;
    const labelBytes = frozen.map((n) => new TextEncoder().encode(n.label));
    const weights = Float64Array.from(frozen, (n) => n.weight);
    const maxLabel = labelBytes.reduce((m, b) => Math.max(m, b.length), 0);

    let keyBuf = new Uint8Array(64);
    let scratch = new Uint8Array(64 + maxLabel);
    const shared = new Int32Array(4);
    const work = new Int32Array(4);
    const h = new Int32Array(2);
    const rehashInput = new Uint8Array(8);
    const scoreBuf = new Float64Array(count);
    const indexBuf = new Int32Array(count);

    function scoresInto(key: string, out: Float64Array): Float64Array {
        if (key.length > 2 * keyBuf.length) {
            keyBuf = new Uint8Array(key.length);
            scratch = new Uint8Array(key.length + maxLabel);
        }
        const keyLen = decodeHexKey(key, keyBuf);
        // Whole blocks of the key are the same for every node: mix them once.
        const sharedBlocks = keyLen >>> 4;
        shared.fill(0);
        murmur3Blocks(shared, keyBuf, 0, sharedBlocks);
        const rest = keyLen - sharedBlocks * 16;
        for (let i = 0; i < rest; i++) scratch[i] = keyBuf[sharedBlocks * 16 + i];

        for (let n = 0; n < count; n++) {
            const label = labelBytes[n];
            const len = label.length;
            // The bytes after the shared blocks: the label alone when the key ends on a block boundary.
            let data = label;
            if (rest > 0) {
                for (let i = 0; i < len; i++) scratch[rest + i] = label[i];
                data = scratch;
            }
            const tail = rest + len;
            const blocks = tail >>> 4;
            work[0] = shared[0];
            work[1] = shared[1];
            work[2] = shared[2];
            work[3] = shared[3];
            murmur3Blocks(work, data, 0, blocks);
            murmur3FinishH1(work, data, blocks * 16, tail & 15, keyLen + len, h);
            let hi = h[0] & 0x1fffff;
            let lo = h[1];
            if (hi === 0 && lo === 0) {
                // Kraken rehashes once the 8 big-endian bytes of the full h1.
                writeBigEndian(rehashInput, h[0], h[1]);
                work.fill(0);
                murmur3FinishH1(work, rehashInput, 0, 8, 8, h);
                hi = h[0] & 0x1fffff;
                lo = h[1];
            }
            const u = (hi * TWO_32 + (lo >>> 0)) * TWO_53_INV;
            out[n] = -weights[n] / log(u);
        }
        return out;
    }

    function orderedInto(key: string, out: Int32Array): Int32Array {
        const s = scoresInto(key, scoreBuf);
        // Insertion sort, highest first; stable, so ties keep node order. Node
        // counts are small (origin clusters), where this beats Array#sort.
        for (let i = 0; i < count; i++) {
            const si = s[i];
            let j = i;
            while (j > 0 && s[out[j - 1]] < si) {
                out[j] = out[j - 1];
                j--;
            }
            out[j] = i;
        }
        return out;
    }

    return {
        nodes: frozen,
        scores: (key, out = new Float64Array(count)) => scoresInto(key, out),
        orderedIndices: (key, out = new Int32Array(count)) => orderedInto(key, out),
        orderedLabels(key, n = count) {
            const order = orderedInto(key, indexBuf);
            const take = Math.max(0, Math.min(n, count));
            const labels = new Array<string>(take);
            for (let i = 0; i < take; i++) labels[i] = frozen[order[i]].label;
            return labels;
        },
    };
}

function writeBigEndian(into: Uint8Array, hi: number, lo: number): void {
    into[0] = hi >>> 24;
    into[1] = (hi >>> 16) & 0xff;
    into[2] = (hi >>> 8) & 0xff;
    into[3] = hi & 0xff;
    into[4] = lo >>> 24;
    into[5] = (lo >>> 16) & 0xff;
    into[6] = (lo >>> 8) & 0xff;
    into[7] = lo & 0xff;
}

/** Kraken's `node.Score(key)`: the rendezvous score of one node for one key. */
export function score(key: string, node: HrwNode, options?: PlacementOptions): number {
    return rendezvousHash([node], options).scores(key)[0];
}

/** The first `n` nodes (all by default) for `key`, highest score first: Kraken's GetOrderedNodes. */
export function orderedNodes(key: string, nodes: readonly HrwNode[], n = nodes.length, options?: PlacementOptions): HrwNode[] {
    const p = rendezvousHash(nodes, options);
    const order = p.orderedIndices(key);
    return Array.from(order.subarray(0, Math.max(0, Math.min(n, nodes.length))), (i) => p.nodes[i]);
}

/** Labels of the `replicas` nodes holding `key` (Kraken's origin replica set), owner first. */
export function replicaSet(key: string, nodes: readonly HrwNode[], replicas: number, options?: PlacementOptions): string[] {
    return rendezvousHash(nodes, options).orderedLabels(key, replicas);
}
