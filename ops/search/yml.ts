// A node's opensearch.yml (elasticsearch.yml for Elasticsearch 7), rendered from the cluster config. Pure.

import { stringify } from "yaml";
import { type SearchNodeRole, clusterManagerNames, placedNodes } from "./nodes";
import type { SearchClusterConfig } from "./schema";

export interface NodeHost {
    /** transport addresses (host or host:port) of the cluster-manager-eligible nodes. */
    seedHosts: string[];
    /** network.host; default "_site_". */
    networkHost?: string;
    /** Any further settings (ports, paths), written last. */
    extra?: Record<string, string | number | boolean | string[]>;
    /**
     * cluster.initial_cluster_manager_nodes. Default: every cluster-manager-eligible node of the config. An empty
     * list leaves the setting out, as it must be for a node joining a cluster that already formed.
     */
    initialClusterManagers?: readonly string[];
}

/** The node's opensearch.yml (elasticsearch.yml for Elasticsearch 7), as YAML text. */
export function renderOpensearchYml(c: SearchClusterConfig, nodeConfigName: string, host: NodeHost): string {
    const node = placedNodes(c).find((n) => n.name === nodeConfigName);
    if (!node) throw new Error(`no node named ${nodeConfigName} in search cluster ${c.clusterName}`);
    const es = c.engine.distribution === "elasticsearch";
    const manager = es ? "master" : "cluster_manager";
    const roles: Record<SearchNodeRole, string[]> = {
        coordinator: c.coordinator?.clusterManager ? [manager] : [],
        "cluster-manager": [manager],
        backup: ["data", "ingest"],
        spot: ["data", "ingest"],
    };
    const settings: Record<string, unknown> = {
        "cluster.name": c.clusterName,
        "node.name": node.nodeName,
        "node.roles": roles[node.role],
        [`node.attr.${c.zones.attribute}`]: node.zone,
        "network.host": host.networkHost ?? "_site_",
        "discovery.seed_hosts": host.seedHosts,
    };
    const initial = host.initialClusterManagers ?? clusterManagerNames(c);
    if (initial.length > 0) settings[es ? "cluster.initial_master_nodes" : "cluster.initial_cluster_manager_nodes"] = [...initial];
    if (c.zones.awareness) settings["cluster.routing.allocation.awareness.attributes"] = c.zones.attribute;
    Object.assign(settings, host.extra ?? {});
    return stringify(settings);
}
