/**
 * Budget-capped spot fleets with SpotManager semantics: the decisions, no Pulumi.
 *  - config.ts     one fleet's settings (budget, utilities, caps), validated with paths in errors
 *  - pricebook.ts  spot price history -> one price per instance type
 *  - allocator.ts  what to buy: exact share-capped allocation, LP bound
 *  - fleet.ts      EC2 Fleet target/overrides/maxTotalPrice and the plan summary (with the share cap's report)
 *  - shrink.ts     shrinking only on purpose: price moves, search tier, minUtility floor, maxRequestsPerType
 *  - rollout.ts    rolling replacement after a launch template change: accounting, batches, recovery
 *  - spotmanager.ts SpotManager's own add_instances, re-implemented faithfully (the benchmark's baseline)
 *  - commands.ts   the command strings the component registers; cliargs.ts the CLI's grammar
 *  - plan.ts       the spotFleets section's plan (refusals, price books, reports, snapshot): import it directly
 */
export * from "./config";
export * from "./pricebook";
export * from "./allocator";
export * from "./fleet";
export * from "./shrink";
export * from "./rollout";
export * from "./commands";
export * from "./spotmanager";
