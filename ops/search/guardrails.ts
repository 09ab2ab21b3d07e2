// Refusals before an update of the search cluster, comparing the previous and next node configs. Pure.
// "Changing Cluster Config": one node at a time, each drained first; a drain can only finish if the nodes that
// stay can hold every copy. Each message says what to do instead.

import type { SearchClusterConfig, SearchNodeConfig } from "./schema";
import { clusterManagerNames } from "./nodes";

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

/** At most one data node replaced or removed per update: each one is drained, and drains must not overlap. */
export function refuseManyDataNodeChanges(prev: readonly SearchNodeConfig[], next: readonly SearchNodeConfig[]): string[] {
  const leaving = diffNodes(prev, next).filter((c) => c.kind === "replaced" || c.kind === "removed");
  if (leaving.length <= 1) return [];
  const list = leaving.map((c) => `${c.name} (${c.kind}${c.fields.length ? `: ${c.fields.join(", ")}` : ""})`).join(", ");
  return [
    `this update would drain ${leaving.length} data nodes at once: ${list}. ` +
      `Change one data node per update: keep the others as they were, run the update, wait for green, then change the next.`,
  ];
}

/** Every copy of a shard needs its own node: replicas + 1 data nodes at least. */
export function refuseTooFewDataNodes(next: readonly { name: string }[], replicas: number): string[] {
  if (next.length >= replicas + 1) return [];
  return [
    `${next.length} data nodes cannot hold ${replicas + 1} copies of each shard (replicas: ${replicas}). ` +
      `Keep at least ${replicas + 1} data nodes, or lower replicas first in its own update.`,
  ];
}

/**
 * A drain excludes the spot zone first, so while a data node (backup or spot) is drained the backup nodes
 * must hold every copy by themselves. Replacements and additions are created before the old node is drained
 * (Pulumi deletes replaced resources at the end of the update), so the backup nodes of `next` count.
 */
export function refuseUndrainableChange(prev: SearchClusterConfig, next: SearchClusterConfig): string[] {
  if (prev.spotNodes.length === 0 && next.spotNodes.length === 0) return [];
  const leaving = diffNodes([...prev.backupNodes, ...prev.spotNodes], [...next.backupNodes, ...next.spotNodes]).filter(
    (c) => c.kind === "replaced" || c.kind === "removed",
  );
  if (leaving.length === 0 || next.backupNodes.length >= next.replicas + 1) return [];
  return [
    `draining ${leaving.map((c) => c.name).join(", ")} excludes the ${next.zones.spot} zone, leaving ${next.backupNodes.length} backup nodes ` +
      `for ${next.replicas + 1} copies of each shard: the drain could never finish. Add backup nodes until there are ${next.replicas + 1}, ` +
      `in this update or an earlier one.`,
  ];
}

/** Production needs a quorum that survives the loss of one cluster-manager-eligible node. */
export function refuseTooFewClusterManagers(next: SearchClusterConfig, environment: string): string[] {
  const eligible = clusterManagerNames(next).length;
  if (environment !== "prod" || eligible >= 3) return [];
  return [
    `prod needs at least 3 cluster-manager-eligible nodes (masters plus a cluster-manager coordinator), this config has ${eligible}. ` +
      `Add masters until there are 3 before any other change.`,
  ];
}

/** All refusals for going from `prev` (undefined on first deploy) to `next`; empty means go ahead. */
export function searchClusterRefusals(prev: SearchClusterConfig | undefined, next: SearchClusterConfig, environment: string): string[] {
  const nextData = [...next.backupNodes, ...next.spotNodes];
  const problems = [...refuseTooFewDataNodes(nextData, next.replicas), ...refuseTooFewClusterManagers(next, environment)];
  if (prev) {
    problems.push(
      ...refuseManyDataNodeChanges([...prev.backupNodes, ...prev.spotNodes], nextData),
      ...refuseUndrainableChange(prev, next),
    );
  }
  return problems;
}
