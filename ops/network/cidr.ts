/**
 * CIDR parsing for config validation. Node's `net.BlockList` checks membership but does not parse or
 * validate a CIDR string, and no small well-kept package does exactly "valid network address with host
 * bits zero" for both families, so these few lines live here.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface Cidr {
    readonly family: 4 | 6;
    readonly prefix: number;
    readonly text: string;
}

function ipv4ToBigInt(addr: string): bigint {
    return addr.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(addr: string): bigint {
    const [head, tail] = addr.includes("::") ? addr.split("::") : [addr, undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

/** Parses `a.b.c.d/n` or `x::/n`; returns undefined when invalid or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
    if (!m) return undefined;
    const [, addr, p] = m;
    const prefix = Number(p);
    if (isIPv4(addr)) {
        if (prefix > 32) return undefined;
        const hostBits = ipv4ToBigInt(addr) & ((1n << BigInt(32 - prefix)) - 1n);
        return hostBits === 0n ? { family: 4, prefix, text } : undefined;
    }
    if (isIPv6(addr) && !addr.includes(".")) {
        if (prefix > 128) return undefined;
        const hostBits = ipv6ToBigInt(addr) & ((1n << BigInt(128 - prefix)) - 1n);
        return hostBits === 0n ? { family: 6, prefix, text } : undefined;
    }
    return undefined;
}

/** True for 0.0.0.0/0 and ::/0: "anyone on the internet". */
export function isOpenToWorld(c: Cidr): boolean {
    return c.prefix === 0;
}

/** First and last address of a CIDR, as integers of its family. */
function range(c: Cidr): { readonly first: bigint; readonly last: bigint } {
    const bits = c.family === 4 ? 32 : 128;
    const addr = c.text.slice(0, c.text.indexOf("/"));
    const first = c.family === 4 ? ipv4ToBigInt(addr) : ipv6ToBigInt(addr);
    return { first, last: first + (1n << BigInt(bits - c.prefix)) - 1n };
}

/**
 * True when the CIDRs of one family, taken together, cover every address of that family: the union
 * is the whole internet even if no single entry is 0.0.0.0/0 (0.0.0.0/1 plus 128.0.0.0/1).
 */
export function unionCoversWorld(cidrs: readonly Cidr[], family: 4 | 6): boolean {
    const end = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    const ranges = cidrs
        .filter((c) => c.family === family)
        .map(range)
        .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    let next = 0n;
    for (const r of ranges) {
        if (r.first > next) return false;
        if (r.last + 1n > next) next = r.last + 1n;
        if (next > end) return true;
    }
    return false;
}
