// What an update changes in the search cluster, seen two ways. Pure.
// - diffNodes: config against config, node by node (what the operator edited);
// - nodeChanges: the deployed snapshot against the next node specs (what the engine will replace, remove, create
//   and bounce, including machines that a cluster-wide setting changes without any node being edited).

import { replacingDifferences } from "./identity";
import type { SearchNodeConfig } from "./schema";
import type { DeployedSearch } from "./snapshot";
import type { SearchNodeSpec } from "./specs";

export type NodeChangeKind = "added" | "removed" | "replaced" | "reconfigured" | "unchanged";

export interface NodeChange {
    name: string;
    kind: NodeChangeKind;
    /** Fields that differ (for replaced/reconfigured). */
    fields: string[];
}

/** Changing one of these means a new machine: the node is drained and replaced. */
export const REPLACING_FIELDS = ["instanceType", "image", "generation"] as const;

/** Classifies each node by name: a replacement keeps the name and changes instanceType, image or generation. */
export function diffNodes(prev: readonly SearchNodeConfig[], next: readonly SearchNodeConfig[]): NodeChange[] {
    const before = new Map(prev.map((n) => [n.name, n]));
    const after = new Map(next.map((n) => [n.name, n]));
    const changes: NodeChange[] = [];
    for (const p of prev) {
        const n = after.get(p.name);
        if (!n) {
            changes.push({ name: p.name, kind: "removed", fields: [] });
            continue;
        }
        const keys = [...new Set([...Object.keys(p), ...Object.keys(n)])] as (keyof SearchNodeConfig)[];
        const fields = keys.filter((k) => p[k] !== n[k]).sort();
        const replaced = fields.some((f) => (REPLACING_FIELDS as readonly string[]).includes(f));
        changes.push({ name: p.name, kind: replaced ? "replaced" : fields.length ? "reconfigured" : "unchanged", fields });
    }
    for (const n of next) if (!before.has(n.name)) changes.push({ name: n.name, kind: "added", fields: [] });
    return changes;
}

export interface NodeChanges {
    /** Data nodes whose machine goes away at the end of the update (replaced or removed), in node order. */
    readonly leavingData: { readonly name: string; readonly nodeName: string; readonly why: string }[];
    /** Coordinator and cluster-manager nodes that go away (nothing to drain). */
    readonly leavingOthers: { readonly name: string; readonly nodeName: string; readonly why: string; readonly clusterManager: boolean }[];
    /** Nodes created by this update (added or replaced). */
    readonly joining: readonly SearchNodeSpec[];
    /** Nodes whose bounce runs (a heap that differs from the boot heap, or changed again). */
    readonly bounced: readonly { readonly spec: SearchNodeSpec; readonly why: string }[];
}

/** What this update changes, node by node, from the deployed snapshot to the next specs. */
export function nodeChanges(prev: DeployedSearch | undefined, next: readonly SearchNodeSpec[]): NodeChanges {
    const before = new Map((prev?.nodes ?? []).map((n) => [n.name, n]));
    const after = new Map(next.map((n) => [n.name, n]));
    const leaving = (prev?.nodes ?? []).flatMap((p) => {
        const n = after.get(p.name);
        if (!n) return [{ node: p, why: "removed from config" }];
        if (n.replacementKey !== p.replacementKey)
            return [{ node: p, why: `replaced: ${replacingDifferences(p.replacing, n.replacing).join(", ") || "machine inputs"}` }];
        return [];
    });
    const joining = next.filter((n) => before.get(n.name)?.replacementKey !== n.replacementKey);
    // A bounce runs when its Command is created or replaced: declared now and not before (a first heap change), or
    // declared before with a changed config hash (its trigger). A new machine boots with its heap: no bounce.
    const bounced = next.flatMap((n) => {
        const p = before.get(n.name);
        if (!n.bounce || !p || p.replacementKey !== n.replacementKey) return [];
        const declared = p.bounce ?? p.bootHeap === undefined;
        if (declared && p.configKey === n.configKey) return [];
        return [{ spec: n, why: p.heap !== n.heap ? `heap ${p.heap} -> ${n.heap}` : "config changed" }];
    });
    const pick = (data: boolean) =>
        leaving
            .filter((l) => l.node.data === data)
            .map((l) => ({ name: l.node.name, nodeName: l.node.nodeName, why: l.why, clusterManager: l.node.clusterManager }));
    return { leavingData: pick(true), leavingOthers: pick(false), joining, bounced };
}

/**
 * Nodes deployed before node identities whose machine does not change: their resources keep the old names through
 * aliases. A node whose machine changes gets new resources under its identity, and the old ones are deleted.
 */
export function legacyNamedNodes(prev: DeployedSearch | undefined, next: readonly SearchNodeSpec[]): string[] {
    const before = new Map((prev?.nodes ?? []).map((n) => [n.name, n]));
    return next
        .filter((n) => {
            const p = before.get(n.name);
            return p !== undefined && p.identity === undefined && p.replacementKey === n.replacementKey;
        })
        .map((n) => n.name);
}
