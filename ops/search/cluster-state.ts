// What the cluster says about itself: the root endpoint (distribution, version, the name of the master-timeout
// parameter), cluster health, and the nodes of the cluster state, read from recorded API responses. Pure.

import { ModelError, asCount, asRecord, asString } from "./responses";

export type Distribution = "elasticsearch" | "opensearch";

export interface EngineInfo {
    distribution: Distribution;
    version: string;
    major: number;
    clusterName: string;
}

/** Reads `GET /`. OpenSearch says `version.distribution: "opensearch"`; Elasticsearch has no such field. */
export function parseRootInfo(body: unknown): EngineInfo {
    const root = asRecord(body, "root endpoint");
    const version = asRecord(root.version, "root endpoint version");
    const number = asString(version.number, "version.number");
    const major = Number.parseInt(number.split(".")[0] ?? "", 10);
    if (!Number.isInteger(major)) throw new ModelError(`unreadable version number ${JSON.stringify(number)}`);
    const distribution: Distribution = version.distribution === "opensearch" ? "opensearch" : "elasticsearch";
    return { distribution, version: number, major, clusterName: typeof root.cluster_name === "string" ? root.cluster_name : "" };
}

/**
 * Elasticsearch and OpenSearch 1.x take `master_timeout`; OpenSearch 2.x deprecates it for
 * `cluster_manager_timeout` and 3.x removes it.
 */
export function masterTimeoutParam(engine: EngineInfo): "master_timeout" | "cluster_manager_timeout" {
    return engine.distribution === "opensearch" && engine.major >= 2 ? "cluster_manager_timeout" : "master_timeout";
}

// Cluster health

export type HealthStatus = "green" | "yellow" | "red";

export interface Health {
    status: HealthStatus;
    /** true when a wait_for_* condition was not met before the timeout (HTTP 408 or `timed_out: true`). */
    timedOut: boolean;
    numberOfNodes: number;
    numberOfDataNodes: number;
    relocatingShards: number;
    initializingShards: number;
    unassignedShards: number;
}

/**
 * Reads `GET _cluster/health`. With `wait_for_*` parameters Elasticsearch and OpenSearch answer HTTP 408 with
 * the same body (`timed_out: true`) when the condition was not met in time: that is "not yet", not an error.
 */
export function parseHealth(body: unknown, httpStatus = 200): Health {
    const h = asRecord(body, "cluster health");
    const status = h.status;
    if (status !== "green" && status !== "yellow" && status !== "red") {
        throw new ModelError(`cluster health has no readable status: ${JSON.stringify(status)}`);
    }
    return {
        status,
        timedOut: httpStatus === 408 || h.timed_out === true,
        numberOfNodes: asCount(h.number_of_nodes, "number_of_nodes"),
        numberOfDataNodes: asCount(h.number_of_data_nodes, "number_of_data_nodes"),
        relocatingShards: asCount(h.relocating_shards, "relocating_shards"),
        initializingShards: asCount(h.initializing_shards, "initializing_shards"),
        unassignedShards: asCount(h.unassigned_shards, "unassigned_shards"),
    };
}

const statusRank: Record<HealthStatus, number> = { red: 0, yellow: 1, green: 2 };

export function statusAtLeast(status: HealthStatus, wanted: HealthStatus): boolean {
    return statusRank[status] >= statusRank[wanted];
}

/** A node absent from the cluster holds nothing only if every copy of every shard is active elsewhere. */
export function absentNodeHoldsNothing(health: Health): boolean {
    return health.status === "green" && health.unassignedShards === 0 && health.initializingShards === 0 && health.relocatingShards === 0;
}

// Nodes

export interface SearchNode {
    id: string;
    name: string;
    /** Changes each time the node process starts: tells a restarted node from one that never left. */
    ephemeralId: string;
    attributes: Record<string, string>;
}

/** Reads `GET _cluster/state/nodes` (the `nodes` map keyed by node id). */
export function parseClusterStateNodes(body: unknown): SearchNode[] {
    const state = asRecord(body, "cluster state");
    const nodes = asRecord(state.nodes, "cluster state nodes");
    return Object.entries(nodes).map(([id, raw]) => {
        const n = asRecord(raw, `node ${id}`);
        const attributes: Record<string, string> = {};
        if (n.attributes !== undefined) {
            for (const [k, v] of Object.entries(asRecord(n.attributes, `node ${id} attributes`))) attributes[k] = String(v);
        }
        return {
            id,
            name: asString(n.name, `node ${id} name`),
            ephemeralId: typeof n.ephemeral_id === "string" ? n.ephemeral_id : "",
            attributes,
        };
    });
}

export function findNode(nodes: readonly SearchNode[], name: string): SearchNode | undefined {
    return nodes.find((n) => n.name === name);
}

/** Whether the cluster has any node whose `node.attr.<attribute>` is `zone` (e.g. any spot node). */
export function hasZone(nodes: readonly SearchNode[], attribute: string, zone: string): boolean {
    return nodes.some((n) => n.attributes[attribute] === zone);
}
