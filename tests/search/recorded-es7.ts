// Elasticsearch 7.17 and OpenSearch 1.x answers, in the shapes of their reference documentation (no such
// cluster is reachable from this machine: the OpenSearch 2.19 answers in recorded-opensearch.ts are real).
// They differ from OpenSearch 2.x where the drain cares: no `version.distribution`, master_timeout,
// `can_move_to_other_node: "throttled"`, settings answered nested when flat_settings is not set.

export const es7Root = {
    name: "es7-backup-1",
    cluster_name: "active-data",
    cluster_uuid: "x3KQ2gDAQ8mN4gZzA2v5ZQ",
    version: {
        number: "7.17.9",
        build_flavor: "default",
        build_type: "tar",
        build_hash: "ef48222227ee6b9e70e502f0f0daa52435ee634d",
        build_date: "2023-01-31T05:34:43.305517834Z",
        build_snapshot: false,
        lucene_version: "8.11.1",
        minimum_wire_compatibility_version: "6.8.0",
        minimum_index_compatibility_version: "6.0.0-beta1",
    },
    tagline: "You Know, for Search",
};

export const os1Root = {
    name: "os1-backup-1",
    cluster_name: "active-data",
    cluster_uuid: "Qq3aW2gDAQ8mN4gZzA2v5Z",
    version: {
        distribution: "opensearch",
        number: "1.3.14",
        build_type: "tar",
        build_hash: "4d2b6e3e0d7cd8d8c8a6f9c3c1f0b9b6a8d7e6f5",
        build_date: "2023-12-14T23:55:44.926563Z",
        build_snapshot: false,
        lucene_version: "8.10.1",
        minimum_wire_compatibility_version: "6.8.0",
        minimum_index_compatibility_version: "6.0.0-beta1",
    },
    tagline: "The OpenSearch Project: https://opensearch.org/",
};

/** HTTP 408 body of `_cluster/health?wait_for_no_relocating_shards=true&timeout=30s` on ES 7. */
export const es7Health408 = {
    cluster_name: "active-data",
    status: "green",
    timed_out: true,
    number_of_nodes: 7,
    number_of_data_nodes: 6,
    active_primary_shards: 120,
    active_shards: 240,
    relocating_shards: 2,
    initializing_shards: 0,
    unassigned_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
};

export const es7HealthRed = { ...es7Health408, status: "red", timed_out: false, active_primary_shards: 119, unassigned_shards: 2, relocating_shards: 0 };

/** `_cat/shards?format=json&h=index,shard,prirep,state,node` during a relocation away from backup-1-g0. */
export const es7CatShards = [
    { index: "unittest20240101", shard: "0", prirep: "p", state: "STARTED", node: "backup-2-g0" },
    { index: "unittest20240101", shard: "0", prirep: "r", state: "RELOCATING", node: "backup-1-g0 -> 172.31.0.40 dZ0qBBN4QyqpqsZw5GjCvQ spot-17-g0" },
    { index: "unittest20240101", shard: "1", prirep: "p", state: "STARTED", node: "spot-17-g0" },
    { index: "unittest20240101", shard: "1", prirep: "r", state: "STARTED", node: "backup-2-g0" },
    { index: "repo", shard: "0", prirep: "p", state: "STARTED", node: "backup-3-g0" },
    { index: "repo", shard: "0", prirep: "r", state: "UNASSIGNED", node: null },
];

/** `GET _cluster/settings` without flat_settings: the runbook's `transient ""` shadowing a persistent list. */
export const es7SettingsNested = {
    persistent: {
        cluster: { routing: { allocation: { exclude: { _name: "retired-4-g2", zone: "spot" }, node_concurrent_recoveries: "2" } } },
    },
    transient: { cluster: { routing: { allocation: { exclude: { _name: "" } } } } },
};

/** Allocation explain on ES 7 for a copy of an excluded node waiting on recovery throttles. */
export const es7ExplainThrottled = {
    index: "unittest20240101",
    shard: 1,
    primary: false,
    current_state: "started",
    current_node: { id: "aX3mQ", name: "backup-1-g0", transport_address: "172.31.0.39:9300", attributes: { zone: "reliable" } },
    can_remain_on_current_node: "no",
    can_remain_decisions: [
        { decider: "filter", decision: "NO", explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-1-g0"]' },
    ],
    can_move_to_other_node: "throttled",
    move_explanation: "shard cannot remain on this node but is throttled on moving to another node",
    node_allocation_decisions: [
        {
            node_id: "dZ0qBBN4QyqpqsZw5GjCvQ",
            node_name: "spot-17-g0",
            transport_address: "172.31.0.40:9300",
            node_decision: "throttled",
            weight_ranking: 1,
            deciders: [{ decider: "throttling", decision: "THROTTLE", explanation: "reached the limit of incoming shard recoveries [2]" }],
        },
    ],
};

/** Allocation explain on ES 7 when awareness forbids every other node. */
export const es7ExplainAwareness = {
    index: "repo",
    shard: 0,
    primary: true,
    current_state: "started",
    current_node: { id: "q9Yb1", name: "backup-3-g0", transport_address: "172.31.0.41:9300", attributes: { zone: "reliable" } },
    can_remain_on_current_node: "no",
    can_remain_decisions: [
        { decider: "filter", decision: "NO", explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-3-g0"]' },
    ],
    can_move_to_other_node: "no",
    move_explanation: "cannot move shard to another node, even though it is not allowed to remain on its current node",
    node_allocation_decisions: [
        {
            node_id: "dZ0qBBN4QyqpqsZw5GjCvQ",
            node_name: "spot-17-g0",
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "awareness",
                    decision: "NO",
                    explanation:
                        "there are too many copies of the shard allocated to nodes with attribute [zone], there are [2] total configured shard copies for this shard id and [2] total attribute values, expected the allocated shard count per attribute [2] to be less than or equal to the upper bound of the required number of shards per attribute [1]",
                },
            ],
        },
    ],
};
