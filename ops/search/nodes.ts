// The nodes of a search cluster as config declares them: role, OpenSearch node name (`<name>-g<generation>`) and
// zone attribute value, which ones bootstrap the cluster, and which one serves the admin endpoint. Pure.

import { searchNodeName } from "./commands";
import type { SearchClusterConfig } from "./schema";

export type SearchNodeRole = "coordinator" | "cluster-manager" | "backup" | "spot";

/** A node of the cluster with its role and OpenSearch node name. */
export interface PlacedNode {
    role: SearchNodeRole;
    name: string;
    generation: number;
    nodeName: string;
    heap: string;
    zone: string;
}

/** Every node of the cluster, coordinator first. */
export function placedNodes(c: SearchClusterConfig): PlacedNode[] {
    const place = (role: SearchNodeRole, n: { name: string; generation: number; heap: string; zone?: string }, zone: string): PlacedNode => ({
        role,
        name: n.name,
        generation: n.generation,
        nodeName: searchNodeName(n.name, n.generation),
        heap: n.heap,
        zone: n.zone ?? zone,
    });
    return [
        ...(c.coordinator ? [place("coordinator", c.coordinator, c.zones.backup)] : []),
        ...c.masters.map((n) => place("cluster-manager", n, c.zones.backup)),
        ...c.backupNodes.map((n) => place("backup", n, c.zones.backup)),
        ...c.spotNodes.map((n) => place("spot", n, c.zones.spot)),
    ];
}

/** The tier a node runs in: the coordinator (the runbook's node on the FrontEnd) in the frontend tier, the rest in search. */
export function nodeTier(role: SearchNodeRole): "frontend" | "search" {
    return role === "coordinator" ? "frontend" : "search";
}

/** OpenSearch node names of the cluster-manager-eligible nodes (they bootstrap the cluster). */
export function clusterManagerNames(c: SearchClusterConfig): string[] {
    return placedNodes(c)
        .filter((n) => n.role === "cluster-manager" || (n.role === "coordinator" && c.coordinator?.clusterManager))
        .map((n) => n.nodeName);
}

/** The node `pulumi up` talks to (admin endpoint): the coordinator, else the first dedicated cluster-manager node. */
export function endpointNodeName(c: SearchClusterConfig): string | undefined {
    return c.coordinator?.name ?? c.masters[0]?.name;
}
