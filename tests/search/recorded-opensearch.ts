// Responses recorded from a real OpenSearch 2.19.6 cluster (tests/search/cluster.ts topology) with curl,
// verbatim except that the include_defaults settings answer was cut down to the keys the drain reads.
// Do not edit by hand: re-record instead.

export const osRoot = {
    name: "cm-g0",
    cluster_name: "dataplat-test",
    cluster_uuid: "dIJgFllgQcOuUiMdthLUgQ",
    version: {
        distribution: "opensearch",
        number: "2.19.6",
        build_type: "zip",
        build_hash: "97d3c13bf22a4a72ac11dc503fe44c97662b9161",
        build_date: "2026-07-01T04:27:16.038403104Z",
        build_snapshot: false,
        lucene_version: "9.12.3",
        minimum_wire_compatibility_version: "7.10.0",
        minimum_index_compatibility_version: "7.0.0",
    },
    tagline: "The OpenSearch Project: https://opensearch.org/",
} as const;

export const osStateNodes = {
    cluster_name: "dataplat-test",
    cluster_uuid: "dIJgFllgQcOuUiMdthLUgQ",
    nodes: {
        "i5IoJA1uQ-ulYgmPjYHCjw": {
            name: "cm-g0",
            ephemeral_id: "6MshyzKITUKxXIiFZczoug",
            transport_address: "127.0.0.1:33019",
            attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
        },
        YbbGrzSnRDC8r5Z0o9JLJA: {
            name: "backup-a-g0",
            ephemeral_id: "6mnaqrnJQ8S5zHluUuvlOg",
            transport_address: "127.0.0.1:40361",
            attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
        },
        i_vawkcFRqKRrwQdIeMcAw: {
            name: "spot-a-g0",
            ephemeral_id: "UjurqWnKRhGca4BSnUpDLQ",
            transport_address: "127.0.0.1:32851",
            attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
        },
        "yW2LbDs5QE-7yJJuy3hE-Q": {
            name: "backup-b-g0",
            ephemeral_id: "Q5oKC5PoRyC1DFXxOWpntw",
            transport_address: "127.0.0.1:41523",
            attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
        },
    },
} as const;

export const osCatShardsRelocating = [
    {
        index: "big",
        shard: "0",
        prirep: "p",
        state: "RELOCATING",
        node: "backup-a-g0 -> 127.0.0.1 yW2LbDs5QE-7yJJuy3hE-Q backup-b-g0",
    },
    {
        index: "big",
        shard: "1",
        prirep: "p",
        state: "STARTED",
        node: "spot-a-g0",
    },
    {
        index: "idx1",
        shard: "0",
        prirep: "r",
        state: "STARTED",
        node: "spot-a-g0",
    },
    {
        index: "idx1",
        shard: "0",
        prirep: "p",
        state: "STARTED",
        node: "backup-b-g0",
    },
    {
        index: "idx1",
        shard: "1",
        prirep: "p",
        state: "STARTED",
        node: "spot-a-g0",
    },
    {
        index: "idx1",
        shard: "1",
        prirep: "r",
        state: "STARTED",
        node: "backup-b-g0",
    },
    {
        index: "idx1",
        shard: "2",
        prirep: "p",
        state: "RELOCATING",
        node: "backup-a-g0 -> 127.0.0.1 yW2LbDs5QE-7yJJuy3hE-Q backup-b-g0",
    },
    {
        index: "idx1",
        shard: "2",
        prirep: "r",
        state: "STARTED",
        node: "spot-a-g0",
    },
] as const;

export const osRoutingTableRelocating = {
    nodes: {
        "i5IoJA1uQ-ulYgmPjYHCjw": {
            name: "cm-g0",
            ephemeral_id: "6MshyzKITUKxXIiFZczoug",
            transport_address: "127.0.0.1:33019",
            attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
        },
        YbbGrzSnRDC8r5Z0o9JLJA: {
            name: "backup-a-g0",
            ephemeral_id: "6mnaqrnJQ8S5zHluUuvlOg",
            transport_address: "127.0.0.1:40361",
            attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
        },
        i_vawkcFRqKRrwQdIeMcAw: {
            name: "spot-a-g0",
            ephemeral_id: "UjurqWnKRhGca4BSnUpDLQ",
            transport_address: "127.0.0.1:32851",
            attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
        },
        "yW2LbDs5QE-7yJJuy3hE-Q": {
            name: "backup-b-g0",
            ephemeral_id: "Q5oKC5PoRyC1DFXxOWpntw",
            transport_address: "127.0.0.1:41523",
            attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
        },
    },
    routing_table: {
        indices: {
            big: {
                shards: {
                    "0": [
                        {
                            state: "RELOCATING",
                            primary: true,
                            node: "YbbGrzSnRDC8r5Z0o9JLJA",
                            relocating_node: "yW2LbDs5QE-7yJJuy3hE-Q",
                            shard: 0,
                            index: "big",
                            allocation_id: {
                                id: "LmcZ5IlXQVqrnNNwRVDiBg",
                                relocation_id: "Q7DMqyC9TxuF73MrJiKifg",
                            },
                        },
                    ],
                    "1": [
                        {
                            state: "STARTED",
                            primary: true,
                            node: "i_vawkcFRqKRrwQdIeMcAw",
                            relocating_node: null,
                            shard: 1,
                            index: "big",
                            allocation_id: {
                                id: "MW5ctnW7QbyN4tJl8xsaGw",
                            },
                        },
                    ],
                },
            },
            idx1: {
                shards: {
                    "0": [
                        {
                            state: "STARTED",
                            primary: false,
                            node: "i_vawkcFRqKRrwQdIeMcAw",
                            relocating_node: null,
                            shard: 0,
                            index: "idx1",
                            allocation_id: {
                                id: "2jBcJl1kTgGmmev5eJz12w",
                            },
                        },
                        {
                            state: "STARTED",
                            primary: true,
                            node: "yW2LbDs5QE-7yJJuy3hE-Q",
                            relocating_node: null,
                            shard: 0,
                            index: "idx1",
                            allocation_id: {
                                id: "saUxu-sgT1GNGPTmtqnaxA",
                            },
                        },
                    ],
                    "1": [
                        {
                            state: "STARTED",
                            primary: true,
                            node: "i_vawkcFRqKRrwQdIeMcAw",
                            relocating_node: null,
                            shard: 1,
                            index: "idx1",
                            allocation_id: {
                                id: "crx0iNrsRTSAWQvBp7SfmA",
                            },
                        },
                        {
                            state: "STARTED",
                            primary: false,
                            node: "yW2LbDs5QE-7yJJuy3hE-Q",
                            relocating_node: null,
                            shard: 1,
                            index: "idx1",
                            allocation_id: {
                                id: "bunT3b0OQSSvniwXwrZS0Q",
                            },
                        },
                    ],
                    "2": [
                        {
                            state: "RELOCATING",
                            primary: true,
                            node: "YbbGrzSnRDC8r5Z0o9JLJA",
                            relocating_node: "yW2LbDs5QE-7yJJuy3hE-Q",
                            shard: 2,
                            index: "idx1",
                            allocation_id: {
                                id: "ioE2wgbsRzW9KbUBknly3w",
                                relocation_id: "dubGCCzCSyqrsTWaNnZsEA",
                            },
                        },
                        {
                            state: "STARTED",
                            primary: false,
                            node: "i_vawkcFRqKRrwQdIeMcAw",
                            relocating_node: null,
                            shard: 2,
                            index: "idx1",
                            allocation_id: {
                                id: "CBFJXHkHRoyISPLON20Ktw",
                            },
                        },
                    ],
                },
            },
        },
    },
} as const;

export const osHealthRelocating = {
    cluster_name: "dataplat-test",
    status: "green",
    timed_out: false,
    number_of_nodes: 4,
    number_of_data_nodes: 3,
    discovered_master: true,
    discovered_cluster_manager: true,
    active_primary_shards: 5,
    active_shards: 8,
    relocating_shards: 2,
    initializing_shards: 0,
    unassigned_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
} as const;

export const osHealth408 = {
    cluster_name: "dataplat-test",
    status: "green",
    timed_out: true,
    number_of_nodes: 4,
    number_of_data_nodes: 3,
    discovered_master: true,
    discovered_cluster_manager: true,
    active_primary_shards: 5,
    active_shards: 8,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
} as const;

export const osSettingsTransientAndPersistent = {
    persistent: {
        "cluster.routing.allocation.cluster_concurrent_rebalance": "0",
        "cluster.routing.allocation.exclude._name": "backup-b-g0,retired-g1",
        "cluster.routing.allocation.exclude.zone": "spot",
        "cluster.routing.allocation.node_concurrent_recoveries": "1",
        "indices.recovery.max_bytes_per_sec": "1kb",
    },
    transient: {
        "cluster.routing.allocation.exclude._name": "old-node-g3",
    },
    defaults: {
        "cluster.routing.allocation.enable": "all",
    },
} as const;

export const osExplainCannotMove = {
    index: "stuck",
    shard: 0,
    primary: true,
    current_state: "started",
    current_node: {
        id: "YbbGrzSnRDC8r5Z0o9JLJA",
        name: "backup-a-g0",
        transport_address: "127.0.0.1:40361",
        attributes: {
            zone: "reliable",
            shard_indexing_pressure_enabled: "true",
        },
    },
    can_remain_on_current_node: "no",
    can_remain_decisions: [
        {
            decider: "filter",
            decision: "NO",
            explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-a-g0"]',
        },
    ],
    can_move_to_other_node: "no",
    move_explanation: "cannot move shard to another node, even though it is not allowed to remain on its current node",
    node_allocation_decisions: [
        {
            node_id: "i_vawkcFRqKRrwQdIeMcAw",
            node_name: "spot-a-g0",
            transport_address: "127.0.0.1:32851",
            node_attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "filter",
                    decision: "NO",
                    explanation: 'node matches index setting [index.routing.allocation.exclude.] filters [_name:"spot-a-g0"]',
                },
            ],
        },
        {
            node_id: "yW2LbDs5QE-7yJJuy3hE-Q",
            node_name: "backup-b-g0",
            transport_address: "127.0.0.1:41523",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 2,
            deciders: [
                {
                    decider: "same_shard",
                    decision: "NO",
                    explanation:
                        "a copy of this shard is already allocated to this node [[stuck][0], node[yW2LbDs5QE-7yJJuy3hE-Q], [R], s[STARTED], a[id=o7g0jjXaQiOmS9LsV_l3iQ]]",
                },
            ],
        },
    ],
} as const;

export const osExplainCanRemain = {
    index: "stuck",
    shard: 0,
    primary: true,
    current_state: "started",
    current_node: {
        id: "YbbGrzSnRDC8r5Z0o9JLJA",
        name: "backup-a-g0",
        transport_address: "127.0.0.1:40361",
        attributes: {
            zone: "reliable",
            shard_indexing_pressure_enabled: "true",
        },
        weight_ranking: 1,
    },
    can_remain_on_current_node: "yes",
    can_rebalance_cluster: "yes",
    can_rebalance_to_other_node: "no",
    rebalance_explanation: "cannot rebalance as no target node exists that can both allocate this shard and improve the cluster balance",
    node_allocation_decisions: [
        {
            node_id: "i_vawkcFRqKRrwQdIeMcAw",
            node_name: "spot-a-g0",
            transport_address: "127.0.0.1:32851",
            node_attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "filter",
                    decision: "NO",
                    explanation: 'node matches index setting [index.routing.allocation.exclude.] filters [_name:"spot-a-g0"]',
                },
            ],
        },
        {
            node_id: "yW2LbDs5QE-7yJJuy3hE-Q",
            node_name: "backup-b-g0",
            transport_address: "127.0.0.1:41523",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "same_shard",
                    decision: "NO",
                    explanation:
                        "a copy of this shard is already allocated to this node [[stuck][0], node[yW2LbDs5QE-7yJJuy3hE-Q], [R], s[STARTED], a[id=o7g0jjXaQiOmS9LsV_l3iQ]]",
                },
            ],
        },
    ],
} as const;

export const osExplainAllocationDisabled = {
    index: "movable",
    shard: 0,
    primary: true,
    current_state: "started",
    current_node: {
        id: "yW2LbDs5QE-7yJJuy3hE-Q",
        name: "backup-b-g0",
        transport_address: "127.0.0.1:41523",
        attributes: {
            zone: "reliable",
            shard_indexing_pressure_enabled: "true",
        },
    },
    can_remain_on_current_node: "no",
    can_remain_decisions: [
        {
            decider: "filter",
            decision: "NO",
            explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-b-g0"]',
        },
    ],
    can_move_to_other_node: "no",
    move_explanation: "cannot move shard to another node, even though it is not allowed to remain on its current node",
    node_allocation_decisions: [
        {
            node_id: "i_vawkcFRqKRrwQdIeMcAw",
            node_name: "spot-a-g0",
            transport_address: "127.0.0.1:32851",
            node_attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "enable",
                    decision: "NO",
                    explanation: "no allocations are allowed due to cluster setting [cluster.routing.allocation.enable=none]",
                },
            ],
        },
        {
            node_id: "YbbGrzSnRDC8r5Z0o9JLJA",
            node_name: "backup-a-g0",
            transport_address: "127.0.0.1:40361",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 2,
            deciders: [
                {
                    decider: "enable",
                    decision: "NO",
                    explanation: "no allocations are allowed due to cluster setting [cluster.routing.allocation.enable=none]",
                },
            ],
        },
    ],
} as const;

export const osExplainRelocating = {
    index: "m3",
    shard: 0,
    primary: true,
    current_state: "relocating",
    current_node: {
        id: "yW2LbDs5QE-7yJJuy3hE-Q",
        name: "backup-b-g0",
        transport_address: "127.0.0.1:41523",
        attributes: {
            zone: "reliable",
            shard_indexing_pressure_enabled: "true",
        },
    },
    explanation: "the shard is in the process of relocating from node [backup-b-g0] to node [backup-a-g0], wait until relocation has completed",
} as const;

export const osExplainThrottled = {
    index: "m4",
    shard: 0,
    primary: true,
    current_state: "started",
    current_node: {
        id: "yW2LbDs5QE-7yJJuy3hE-Q",
        name: "backup-b-g0",
        transport_address: "127.0.0.1:41523",
        attributes: {
            zone: "reliable",
            shard_indexing_pressure_enabled: "true",
        },
    },
    can_remain_on_current_node: "no",
    can_remain_decisions: [
        {
            decider: "filter",
            decision: "NO",
            explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-b-g0"]',
        },
    ],
    can_move_to_other_node: "no",
    move_explanation: "shard cannot remain on this node but is throttled on moving to another node",
    node_allocation_decisions: [
        {
            node_id: "i_vawkcFRqKRrwQdIeMcAw",
            node_name: "spot-a-g0",
            transport_address: "127.0.0.1:32851",
            node_attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "throttled",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "throttling",
                    decision: "THROTTLE",
                    explanation:
                        "reached the limit of outgoing shard recoveries [1] on the node [yW2LbDs5QE-7yJJuy3hE-Q] which holds the primary, cluster setting [cluster.routing.allocation.node_concurrent_outgoing_recoveries=1] (can also be set via [cluster.routing.allocation.node_concurrent_recoveries])",
                },
            ],
        },
        {
            node_id: "YbbGrzSnRDC8r5Z0o9JLJA",
            node_name: "backup-a-g0",
            transport_address: "127.0.0.1:40361",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "throttled",
            weight_ranking: 2,
            deciders: [
                {
                    decider: "throttling",
                    decision: "THROTTLE",
                    explanation:
                        "reached the limit of incoming shard recoveries [1], cluster setting [cluster.routing.allocation.node_concurrent_incoming_recoveries=1] (can also be set via [cluster.routing.allocation.node_concurrent_recoveries])",
                },
            ],
        },
    ],
} as const;

// Recorded from OpenSearch 2.19 (tests/search/cluster.ts shape) for the ownership predicates (ops/search/ownership.ts).

/** A replica of a new index while zone spot and backup-a-g0 are excluded: only the cluster exclude keeps it off spot-a-g0 and backup-a-g0. */
export const osExplainUnassignedOnlyDrainExclusion = {
    index: "events",
    shard: 0,
    primary: false,
    current_state: "unassigned",
    unassigned_info: {
        reason: "INDEX_CREATED",
        at: "2026-12-01T14:05:02.705Z",
        last_allocation_status: "no_attempt",
    },
    can_allocate: "no",
    allocate_explanation: "cannot allocate because allocation is not permitted to any of the nodes",
    node_allocation_decisions: [
        {
            node_id: "m8dGJFmHQ6eoHSRHxkCeeA",
            node_name: "spot-a-g0",
            transport_address: "127.0.0.1:39425",
            node_attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "filter",
                    decision: "NO",
                    explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-a-g0",zone:"spot"]',
                },
            ],
        },
        {
            node_id: "_meqJmYvTpy0G21Cwd8xzw",
            node_name: "backup-a-g0",
            transport_address: "127.0.0.1:35907",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 2,
            deciders: [
                {
                    decider: "filter",
                    decision: "NO",
                    explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-a-g0",zone:"spot"]',
                },
            ],
        },
        {
            node_id: "4oZTyFqlTq2PiSSPvaPL7A",
            node_name: "backup-b-g0",
            transport_address: "127.0.0.1:36851",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 3,
            deciders: [
                {
                    decider: "same_shard",
                    decision: "NO",
                    explanation:
                        "a copy of this shard is already allocated to this node [[events][0], node[4oZTyFqlTq2PiSSPvaPL7A], [P], s[STARTED], a[id=TqqECQNjR5i_0RvRpf0S9A]]",
                },
            ],
        },
    ],
} as const;

/** A replica that its own index filter (require._name = the node holding the primary) keeps unassigned. */
export const osExplainUnassignedIndexFilter = {
    index: "pinned",
    shard: 0,
    primary: false,
    current_state: "unassigned",
    unassigned_info: {
        reason: "INDEX_CREATED",
        at: "2026-12-01T14:05:06.123Z",
        last_allocation_status: "no_attempt",
    },
    can_allocate: "no",
    allocate_explanation: "cannot allocate because allocation is not permitted to any of the nodes",
    node_allocation_decisions: [
        {
            node_id: "m8dGJFmHQ6eoHSRHxkCeeA",
            node_name: "spot-a-g0",
            transport_address: "127.0.0.1:39425",
            node_attributes: {
                zone: "spot",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 1,
            deciders: [
                {
                    decider: "filter",
                    decision: "NO",
                    explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-a-g0",zone:"spot"]',
                },
            ],
        },
        {
            node_id: "_meqJmYvTpy0G21Cwd8xzw",
            node_name: "backup-a-g0",
            transport_address: "127.0.0.1:35907",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 2,
            deciders: [
                {
                    decider: "filter",
                    decision: "NO",
                    explanation: 'node matches cluster setting [cluster.routing.allocation.exclude] filters [_name:"backup-a-g0",zone:"spot"]',
                },
            ],
        },
        {
            node_id: "4oZTyFqlTq2PiSSPvaPL7A",
            node_name: "backup-b-g0",
            transport_address: "127.0.0.1:36851",
            node_attributes: {
                zone: "reliable",
                shard_indexing_pressure_enabled: "true",
            },
            node_decision: "no",
            weight_ranking: 3,
            deciders: [
                {
                    decider: "same_shard",
                    decision: "NO",
                    explanation:
                        "a copy of this shard is already allocated to this node [[pinned][0], node[4oZTyFqlTq2PiSSPvaPL7A], [P], s[STARTED], a[id=Ccw3phvsSFO4TaWMkik8LQ]]",
                },
            ],
        },
    ],
} as const;

/** GET .dataplat-drains/_doc/lock */
export const osDrainLockDocument = {
    _index: ".dataplat-drains",
    _id: "lock",
    _version: 1,
    _seq_no: 0,
    _primary_term: 1,
    found: true,
    _source: {
        holder: {
            operation: "drain backup-a-g0",
            host: "runner-7",
            pid: 4242,
            acquiredAt: "2026-12-01T13:00:00.000Z",
            expiresAt: 1796130120000,
        },
    },
} as const;

/** GET .dataplat-drains/_doc/drain-backup-a-g0 (a drain that raised the transient and persistent bandwidth) */
export const osDrainRecord = {
    _index: ".dataplat-drains",
    _id: "drain-backup-a-g0",
    _version: 1,
    _seq_no: 1,
    _primary_term: 1,
    found: true,
    _source: {
        node: "backup-a-g0",
        state: "draining",
        holder: "drain backup-a-g0 pid 4242 on runner-7 at 2026-12-01T13:00:00.000Z",
        updatedAt: "2026-12-01T13:00:05.000Z",
        exclusions: [
            {
                key: "cluster.routing.allocation.exclude._name",
                value: "backup-a-g0",
                layers: ["persistent"],
            },
        ],
        throttles: [
            {
                key: "indices.recovery.max_bytes_per_sec",
                layer: "transient",
                previous: "20kb",
                applied: "100kb",
            },
            {
                key: "indices.recovery.max_bytes_per_sec",
                layer: "persistent",
                previous: null,
                applied: "100kb",
            },
        ],
        relies: [
            {
                key: "cluster.routing.allocation.exclude.zone",
                value: "spot",
            },
            {
                key: "cluster.routing.allocation.exclude._name",
                value: "backup-a-g0",
            },
        ],
    },
} as const;

/** POST .dataplat-drains/_search (the lock and one record) */
export const osDrainRecordsSearch = {
    took: 74,
    timed_out: false,
    _shards: {
        total: 1,
        successful: 1,
        skipped: 0,
        failed: 0,
    },
    hits: {
        total: {
            value: 2,
            relation: "eq",
        },
        max_score: 1,
        hits: [
            {
                _index: ".dataplat-drains",
                _id: "lock",
                _score: 1,
                _source: {
                    holder: {
                        operation: "drain backup-a-g0",
                        host: "runner-7",
                        pid: 4242,
                        acquiredAt: "2026-12-01T13:00:00.000Z",
                        expiresAt: 1796130120000,
                    },
                },
            },
            {
                _index: ".dataplat-drains",
                _id: "drain-backup-a-g0",
                _score: 1,
                _source: {
                    node: "backup-a-g0",
                    state: "draining",
                    holder: "drain backup-a-g0 pid 4242 on runner-7 at 2026-12-01T13:00:00.000Z",
                    updatedAt: "2026-12-01T13:00:05.000Z",
                    exclusions: [
                        {
                            key: "cluster.routing.allocation.exclude._name",
                            value: "backup-a-g0",
                            layers: ["persistent"],
                        },
                    ],
                    throttles: [
                        {
                            key: "indices.recovery.max_bytes_per_sec",
                            layer: "transient",
                            previous: "20kb",
                            applied: "100kb",
                        },
                        {
                            key: "indices.recovery.max_bytes_per_sec",
                            layer: "persistent",
                            previous: null,
                            applied: "100kb",
                        },
                    ],
                    relies: [
                        {
                            key: "cluster.routing.allocation.exclude.zone",
                            value: "spot",
                        },
                        {
                            key: "cluster.routing.allocation.exclude._name",
                            value: "backup-a-g0",
                        },
                    ],
                },
            },
        ],
    },
} as const;
