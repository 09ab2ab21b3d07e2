/**
 * Where a host goes among the stack's subnets, shared by every platform that places hosts by name (search nodes,
 * Kraken origins). Pure: no Pulumi, no I/O.
 */
import { createHash } from "node:crypto";

/**
 * A subnet index that depends only on the host's name, so adding or removing a host never moves (and so never
 * replaces) another: the first 4 bytes of sha256(name), modulo the number of subnets.
 */
export function stableSubnetIndex(name: string, count: number): number {
    return createHash("sha256").update(name).digest().readUInt32BE(0) % count;
}
