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
