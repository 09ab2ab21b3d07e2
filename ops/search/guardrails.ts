// The search cluster's guardrails, each rule once: an id, a kind, one function, a message that says what to do
// (the way cdk-nag registers a rule with its level). planSearch (ops/search/plan.ts) runs them. Pure.
//
// - config problems (`config-problem`): the config alone is wrong, whatever is deployed; reported with their path.
// - change refusals (`change-refusal`): the change from the deployed snapshot to this config is one that "Changing
//   Cluster Config" does not allow in one update: one node at a time, each drained first, a drain can only finish if
//   the nodes that stay can hold every copy.

import type { ConfigProblem } from "../config/errors";
import type { GuardrailKind } from "../shared/platform-plan";
import { type NodeChange, type NodeChanges, diffNodes } from "./changes";
import { clusterManagerNames } from "./nodes";
import type { SearchClusterConfig } from "./schema";
import type { DeployedSearch } from "./snapshot";

/** What the config rules read besides the search config. */
export interface SearchConfigContext {
    readonly environment: string;
    /** Number of network.subnets. */
    readonly subnetCount: number;
}

/** The change the change rules judge: the deployed snapshot, the next config, and what the engine will do. */
export interface SearchChange {
    readonly prev: DeployedSearch;
    readonly next: SearchClusterConfig;
    /** From the snapshot to the next node specs (includes machines a cluster-wide setting changes). */
    readonly changes: NodeChanges;
}

export interface SearchConfigRule {
    readonly id: string;
    readonly kind: Extract<GuardrailKind, "config-problem">;
    readonly check: (config: SearchClusterConfig, context: SearchConfigContext) => ConfigProblem[];
}

export interface SearchChangeRule {
    readonly id: string;
    readonly kind: Extract<GuardrailKind, "change-refusal">;
    readonly check: (change: SearchChange) => string[];
}

const NODE_GROUPS = ["masters", "backupNodes", "spotNodes"] as const;

/** Data nodes of a config (backup and spot), in node order. */
const dataNodes = (c: SearchClusterConfig) => [...c.backupNodes, ...c.spotNodes];

/** Every subnet index is an index into network.subnets. */
export function subnetInNetwork(c: SearchClusterConfig, context: SearchConfigContext): ConfigProblem[] {
    const n = context.subnetCount;
    const message = `expected an index into network.subnets (0-${n - 1})`;
    const out: ConfigProblem[] = [];
    if (c.coordinator?.subnet !== undefined && c.coordinator.subnet >= n) out.push({ path: "search.coordinator.subnet", message });
    for (const group of NODE_GROUPS) {
        c[group].forEach((node, i) => {
            if (node.subnet !== undefined && node.subnet >= n) out.push({ path: `search.${group}[${i}].subnet`, message });
        });
    }
    return out;
}

/** A data volume of at least 8 GiB. */
export function dataVolumeSize(c: SearchClusterConfig): ConfigProblem[] {
    return NODE_GROUPS.flatMap((group) =>
        c[group].flatMap((node, i) =>
            node.volumeSizeGiB < 8 ? [{ path: `search.${group}[${i}].volumeSizeGiB`, message: "expected a data volume of at least 8 GiB" }] : [],
        ),
    );
}

/** The cluster needs a node that can be elected cluster manager. */
export function clusterManagerEligibleNode(c: SearchClusterConfig): ConfigProblem[] {
    if (clusterManagerNames(c).length > 0) return [];
    return [{ path: "search.masters", message: "the cluster needs a cluster-manager-eligible node: add masters, or a coordinator with clusterManager: true" }];
}

/** Production needs a quorum that survives the loss of one cluster-manager-eligible node. */
export function prodClusterManagerQuorum(c: SearchClusterConfig, context: SearchConfigContext): ConfigProblem[] {
    const eligible = clusterManagerNames(c).length;
    if (context.environment !== "prod" || eligible >= 3) return [];
    return [
        {
            path: "search.masters",
            message:
                `prod needs at least 3 cluster-manager-eligible nodes (masters plus a cluster-manager coordinator), this config has ${eligible}. ` +
                `Add masters until there are 3 before any other change.`,
        },
    ];
}

/** Every copy of a shard needs its own node: replicas + 1 data nodes at least. */
export function dataNodesHoldEveryCopy(c: SearchClusterConfig): ConfigProblem[] {
    const count = dataNodes(c).length;
    if (count >= c.replicas + 1) return [];
    return [
        {
            path: "search.replicas",
            message:
                `${count} data nodes cannot hold ${c.replicas + 1} copies of each shard (replicas: ${c.replicas}). ` +
                `Keep at least ${c.replicas + 1} data nodes, or lower replicas first in its own update.`,
        },
    ];
}

/** Data nodes replaced or removed by config edits (the drains the operator asked for). */
const leavingByConfig = (change: SearchChange): NodeChange[] =>
    diffNodes(dataNodes(change.prev.config), dataNodes(change.next)).filter((c) => c.kind === "replaced" || c.kind === "removed");

const list = (xs: readonly { nodeName: string; why: string }[]) => xs.map((l) => `${l.nodeName} (${l.why})`).join(", ");

/**
 * At most one data node drained per update: each one is drained, and drains must not overlap. Named by the config
 * edits when several nodes were edited, else by the machines a cluster-wide setting would replace.
 */
export function oneDataNodePerUpdate(change: SearchChange): string[] {
    const edited = leavingByConfig(change);
    if (edited.length > 1) {
        const names = edited.map((c) => `${c.name} (${c.kind}${c.fields.length ? `: ${c.fields.join(", ")}` : ""})`).join(", ");
        return [
            `this update would drain ${edited.length} data nodes at once: ${names}. ` +
                `Change one data node per update: keep the others as they were, run the update, wait for green, then change the next.`,
        ];
    }
    const leaving = change.changes.leavingData;
    if (leaving.length <= 1) return [];
    return [
        `this update would drain ${leaving.length} data nodes at once: ${list(leaving)}. ` +
            `A cluster-wide setting (hosts.imageId, search.image, network.subnets, clusterName, engine, zones, rootVolumeGiB) gives every node a new machine: ` +
            `pin the current value on each node first (e.g. image and subnet per node), then change one data node per update.`,
    ];
}

/**
 * A drain excludes the spot zone first, so while a data node (backup or spot) is drained the backup nodes must hold
 * every copy by themselves. Replacements and additions are created before the old node is drained (Pulumi deletes
 * replaced resources at the end of the update), so the backup nodes of the next config count.
 */
export function drainCanFinish(change: SearchChange): string[] {
    const { prev, next } = change;
    if (prev.config.spotNodes.length === 0 && next.spotNodes.length === 0) return [];
    if (next.backupNodes.length >= next.replicas + 1) return [];
    const edited = leavingByConfig(change);
    const leaving = edited.length > 0 ? edited.map((c) => c.name) : change.changes.leavingData.map((l) => l.nodeName);
    if (leaving.length === 0) return [];
    const start = `draining ${leaving.join(", ")} excludes the ${next.zones.spot} zone, leaving ${next.backupNodes.length} backup nodes for ${next.replicas + 1} copies of each shard: the drain could never finish. Add backup nodes until there are ${next.replicas + 1}`;
    return [edited.length > 0 ? `${start}, in this update or an earlier one.` : `${start}.`];
}

/** Transport TLS cannot be switched by a rolling change. */
export function tlsUnchanged(change: SearchChange): string[] {
    const { prev, next } = change;
    if (prev.config.admin.tls === next.admin.tls) return [];
    return [
        `admin.tls ${prev.config.admin.tls} -> ${next.admin.tls} changes how every node talks to every other (transport TLS): nodes with and ` +
            `without it cannot form one cluster, so no rolling change exists. Build a new cluster with the new setting (another clusterName ` +
            `and stack section), move the data (snapshot and restore), then remove the old one.`,
    ];
}

/** The cluster keeps its quorum only if cluster-manager-eligible nodes go one at a time. */
export function oneClusterManagerPerUpdate(change: SearchChange): string[] {
    const leaving = change.changes.leavingOthers.filter((l) => l.clusterManager);
    if (leaving.length <= 1) return [];
    return [
        `this update would replace or remove ${leaving.length} cluster-manager-eligible nodes at once: ${list(leaving)}. ` +
            `The cluster keeps its quorum only if they go one at a time: change one per update.`,
    ];
}

/** Turning decommission on is an update of its own: it turns every drain into a no-op. */
export function decommissionAlone(change: SearchChange): string[] {
    const { prev, next, changes } = change;
    const touched = changes.joining.length + changes.leavingData.length + changes.leavingOthers.length;
    if (!next.decommission || prev.config.decommission || touched === 0) return [];
    return [
        `decommission: true must be an update of its own (it turns every drain into a no-op): ` +
            `leave the nodes as deployed in this update, then change them or run pulumi destroy.`,
    ];
}

/** While decommissioned a replaced data node would leave undrained while its replacement starts empty. */
export function noReplacementWhileDecommissioned(change: SearchChange): string[] {
    const { prev, next, changes } = change;
    if (!next.decommission || !prev.config.decommission) return [];
    const replaced = changes.leavingData.filter((l) => l.why.startsWith("replaced"));
    if (replaced.length === 0) return [];
    return [
        `decommission is on, so ${list(replaced)} would leave without a drain while its replacement starts empty: ` +
            `set decommission: false in an update of its own first.`,
    ];
}

/** Config rules, in the order their problems are listed (then by node: see planSearch). */
export const SEARCH_CONFIG_RULES: readonly SearchConfigRule[] = [
    { id: "search/subnet-in-network", kind: "config-problem", check: subnetInNetwork },
    { id: "search/data-volume-size", kind: "config-problem", check: dataVolumeSize },
    { id: "search/cluster-manager-eligible-node", kind: "config-problem", check: clusterManagerEligibleNode },
    { id: "search/prod-cluster-manager-quorum", kind: "config-problem", check: prodClusterManagerQuorum },
    { id: "search/data-nodes-hold-every-copy", kind: "config-problem", check: dataNodesHoldEveryCopy },
];

/** The refusal of an unreadable `deployed.search` (the read itself is ops/state's readSnapshot). */
export const SNAPSHOT_READABLE = "search/snapshot-readable";

/** Change rules, in the order their refusals are listed. */
export const SEARCH_CHANGE_RULES: readonly SearchChangeRule[] = [
    { id: "search/one-data-node-per-update", kind: "change-refusal", check: oneDataNodePerUpdate },
    { id: "search/drain-can-finish", kind: "change-refusal", check: drainCanFinish },
    { id: "search/tls-unchanged", kind: "change-refusal", check: tlsUnchanged },
    { id: "search/one-cluster-manager-per-update", kind: "change-refusal", check: oneClusterManagerPerUpdate },
    { id: "search/decommission-alone", kind: "change-refusal", check: decommissionAlone },
    { id: "search/no-replacement-while-decommissioned", kind: "change-refusal", check: noReplacementWhileDecommissioned },
];
