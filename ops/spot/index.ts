/**
 * Budget-capped spot fleets with SpotManager semantics: the decisions, no Pulumi.
 *  - config.ts     one fleet's settings (budget, utilities, caps), validated with paths in errors
 *  - pricebook.ts  spot price history -> one price per instance type
 *  - allocator.ts  what to buy: exact share-capped allocation, LP bound, SpotManager's greedy
 *  - fleet.ts      EC2 Fleet target/overrides/maxTotalPrice and the plan summary
 */
export * from "./config";
export * from "./pricebook";
export * from "./allocator";
export * from "./fleet";
