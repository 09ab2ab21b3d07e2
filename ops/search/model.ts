// The predicates of the "Changing Cluster Config" / "Fixing Cluster" runbooks over recorded Elasticsearch 7 /
// OpenSearch 1-3 API responses (in the manner of ECK's migration package and client model), one file per idea:
// responses.ts (fail-closed readers), cluster-state.ts (root, health, nodes), shards.ts (copies, drained),
// settings.ts (exclusions, throttles) and explain.ts (allocation explain). This file only re-exports them as one
// import for their readers: the runners (runners/search), the status checks and the search CLI.

export * from "./cluster-state";
export * from "./explain";
export * from "./responses";
export * from "./settings";
export * from "./shards";
