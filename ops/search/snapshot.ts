// `deployed.search`: what an update records of the search cluster for the next one to compare with (the config,
// the nodes that bootstrapped the cluster, and each node's replacing inputs and config hash), and its one reader,
// the fail-closed readSnapshot with its schema (ops/state). Pure.

import { searchSnapshotSchema } from "../state/schemas";
import { type SnapshotRead, readSnapshot } from "../state/snapshot";
import type { ReplacingInputs } from "./identity";
import type { SearchNodeRole } from "./nodes";
import type { SearchClusterConfig } from "./schema";
import type { SearchNodeSpec } from "./specs";

/** What one node was deployed with: enough to tell a replacement (new machine) from a bounce. */
export interface DeployedSearchNode {
    readonly name: string;
    readonly nodeName: string;
    readonly role: SearchNodeRole;
    readonly data: boolean;
    readonly clusterManager: boolean;
    readonly heap: string;
    readonly replacing: ReplacingInputs;
    readonly replacementKey: string;
    readonly configKey: string;
    /** The node's resource identity (SearchNodeSpec.identity); absent in snapshots of dataplat before node identities. */
    readonly identity?: string;
    /** The heap the machine booted with (its `dataplat-heap` tag); absent for machines that booted on a default heap. */
    readonly bootHeap?: string;
    /** Whether the node's bounce Command is declared; absent (declared) for machines that booted on a default heap. */
    readonly bounce?: boolean;
}

/** `deployed.search`. */
export interface DeployedSearch {
    readonly config: SearchClusterConfig;
    /** OpenSearch node names that bootstrapped the cluster (cluster.initial_cluster_manager_nodes), kept forever. */
    readonly bootstrap: readonly string[];
    readonly nodes: readonly DeployedSearchNode[];
}

/**
 * Reads `deployed.search` (the section's entry of the previous `deployed` output) with its schema: first deployment,
 * ok, or refused with a message naming deployed.search and what to do.
 */
export function readSearchSnapshot(previous: unknown): SnapshotRead<DeployedSearch> {
    return readSnapshot<DeployedSearch>("search", searchSnapshotSchema, previous);
}

/** The snapshot recorded as `deployed.search`. */
export function deployedSearch(config: SearchClusterConfig, bootstrap: readonly string[], specs: readonly SearchNodeSpec[]): DeployedSearch {
    return {
        config,
        bootstrap: [...bootstrap],
        nodes: specs.map((n) => ({
            name: n.name,
            nodeName: n.nodeName,
            role: n.role,
            data: n.data,
            clusterManager: n.clusterManager,
            heap: n.heap,
            replacing: n.replacing,
            replacementKey: n.replacementKey,
            configKey: n.configKey,
            identity: n.identity,
            ...(n.bootHeap !== undefined ? { bootHeap: n.bootHeap, bounce: n.bounce } : {}),
        })),
    };
}
