// The spot fleets' plan (ops/spot/plan.ts) called directly, without evaluating the program: every guardrail
// fires with its id and kind on a small change of the committed prod config, and passes without it.
import assert from "node:assert/strict";
import type { SpotFleetConfig } from "../../ops/spot/config";
import { parseSpotFleetConfig } from "../../ops/spot/config";
import { priceFilesToRead, readDeployedSpotFleets, spotPlan, type PriceFileContent, type SpotFleetsSnapshot } from "../../ops/spot/plan";
import type { SnapshotRead } from "../../ops/state/snapshot";
import { committedConfig, finding, ids, passes } from "../support/plans";

const cfg = committedConfig("prod");
const etl = cfg.spotFleets!.etl;
const subnets = cfg.network.subnets;
const first: SnapshotRead<SpotFleetsSnapshot> = { kind: "first" };
const fleet = (over: Record<string, unknown>): SpotFleetConfig => parseSpotFleetConfig({ ...etl, ...over });
const plan = (fleets: Record<string, SpotFleetConfig>, deployed: SnapshotRead<SpotFleetsSnapshot> = first, priceFiles: Record<string, PriceFileContent> = {}) =>
    spotPlan(fleets, deployed, { subnets, priceFiles });
/** What the committed prod fleet records after its first update: running, with its prices. */
const running = plan({ etl }).snapshot;
const ok = (s: SpotFleetsSnapshot): SnapshotRead<SpotFleetsSnapshot> => ({ kind: "ok", value: s });
const scaled = (factor: number) => Object.fromEntries(Object.entries(etl.prices!).map(([t, p]) => [t, Math.round(p * factor * 1e6) / 1e6]));
const history = (zone: string) => JSON.stringify([{ instance_type: "c5.xlarge", availability_zone: zone, price: 0.06, timestamp: 1700000000 }]);

describe("spot plan (ops/spot/plan.ts): each guardrail by id and kind", () => {
    it("the committed prod fleet plans without findings: a target, a report, a snapshot, and a rollout outside tier search", () => {
        const p = plan({ etl });
        assert.deepEqual([ids(p.problems), ids(p.refusals)], [[], []]);
        assert.equal(p.plan.etl.plan.fleet.targetCapacity, running.etl.targetCapacity);
        assert.match(p.plan.etl.report.text, /^spot fleet etl: /);
        assert.ok(p.plan.etl.rolloutCommand !== undefined);
        assert.equal(plan({ etl: fleet({ tier: "search" }) }).plan.etl.rolloutCommand, undefined);
        assert.deepEqual(ids(plan({ etl }, ok(running)).refusals), []);
    });

    it("spot/deployed-snapshot: an unreadable snapshot is refused", () => {
        const read = readDeployedSpotFleets({ etl: { targetCapacity: "30" } });
        finding(plan({ etl }, read).refusals, "spot/deployed-snapshot", "change-refusal");
        passes(plan({ etl }, readDeployedSpotFleets(running)).refusals, "spot/deployed-snapshot");
    });

    it("spot/remove-running-fleet: removing a running fleet, not a stopped one", () => {
        finding(plan({}, ok(running)).refusals, "spot/remove-running-fleet", "change-refusal");
        passes(plan({}, ok({ etl: { ...running.etl, targetCapacity: 0 } })).refusals, "spot/remove-running-fleet");
    });

    it("spot/fixed-setting-change: a spend ceiling change on a running fleet, not with budget 0", () => {
        finding(plan({ etl: fleet({ spendCeiling: 6 }) }, ok(running)).refusals, "spot/fixed-setting-change", "change-refusal");
        passes(plan({ etl: fleet({ spendCeiling: 6, budget: 0 }) }, ok(running)).refusals, "spot/fixed-setting-change");
    });

    it("spot/subnet-outside-network, spot/too-many-overrides, spot/no-buyable-type", () => {
        finding(plan({ etl: fleet({ subnets: ["subnet-0123456789abcdef0"] }) }).refusals, "spot/subnet-outside-network", "change-refusal");
        const many = Array.from({ length: 17 }, (_, i) => ({ type: `c${i + 5}.xlarge`, utility: 4 }));
        finding(plan({ etl: fleet({ instanceTypes: many, prices: { "c5.xlarge": 0.06 } }) }).refusals, "spot/too-many-overrides", "change-refusal");
        finding(plan({ etl: fleet({ maxUtilityPrice: 0.0005 }) }).refusals, "spot/no-buyable-type", "change-refusal");
        const p = plan({ etl });
        for (const id of ["spot/subnet-outside-network", "spot/too-many-overrides", "spot/no-buyable-type"]) passes(p.refusals, id);
    });

    it("spot/price-source and spot/no-price-for-any-type: a budget needs prices for a listed type; budget 0 needs none", () => {
        const none = plan({ etl: fleet({ prices: undefined }) });
        assert.equal(finding(none.problems, "spot/price-source", "config-problem").message.startsWith("give prices or priceFile"), true);
        const otherTypes = JSON.stringify([{ instance_type: "x9.huge", availability_zone: "us-west-2a", price: 1, timestamp: 1700000000 }]);
        const unpriced = plan({ etl: fleet({ prices: undefined, priceFile: "p.json" }) }, first, { etl: { where: "/p.json", text: otherTypes } });
        assert.equal(
            finding(unpriced.problems, "spot/no-price-for-any-type", "config-problem").message,
            "no price for any of c5.xlarge, c5.2xlarge, c6i.xlarge, m5.xlarge, m5.2xlarge, r5.xlarge",
        );
        assert.deepEqual(ids(plan({ etl: fleet({ prices: undefined, budget: 0 }) }).problems), []);
    });

    it("price files: only a budget above 0 without config prices reads one; each problem names the file", () => {
        const withFile = fleet({ prices: undefined, priceFile: "prices.json" });
        assert.deepEqual(priceFilesToRead({ etl: withFile }), [{ fleet: "etl", file: "prices.json" }]);
        assert.deepEqual(priceFilesToRead({ etl: fleet({ prices: undefined, priceFile: "prices.json", budget: 0 }) }), []);
        const read = (content: Omit<PriceFileContent, "where">) =>
            plan({ etl: withFile }, first, { etl: { where: "/p.json", ...content } as PriceFileContent }).problems;
        assert.match(
            finding(read({ unreadable: "ENOENT" }), "spot/price-file-unreadable", "config-problem").message,
            /cannot read price file \/p\.json: ENOENT/,
        );
        finding(read({ text: "not json" }), "spot/price-file-not-json", "config-problem");
        assert.match(finding(read({ text: "[{}]" }), "spot/price-file-invalid", "config-problem").message, /\(in \/p\.json\)$/);
        finding(read({ text: history("eu-west-1a") }), "spot/price-file-no-prices", "config-problem");
        const good = plan({ etl: withFile }, first, { etl: { where: "/p.json", text: history("us-west-2a") } });
        assert.deepEqual(ids(good.problems), []);
        assert.match(good.plan.etl.report.prices, /^\/p\.json as of 2023-11-14T22:13:20\.000Z$/);
    });

    it("spot/price-move-shrinks and spot/shrink-without-recorded-prices: a shrink the config does not explain", () => {
        finding(plan({ etl: fleet({ prices: scaled(1.2) }) }, ok(running)).refusals, "spot/price-move-shrinks", "change-refusal");
        passes(plan({ etl: fleet({ prices: scaled(0.8) }) }, ok(running)).refusals, "spot/price-move-shrinks");
        const { prices: _, ...unpriced } = running.etl;
        finding(plan({ etl: fleet({ prices: scaled(1.2) }) }, ok({ etl: unpriced })).refusals, "spot/shrink-without-recorded-prices", "change-refusal");
        const ack = running.etl.targetCapacity;
        passes(plan({ etl: fleet({ prices: scaled(1.2), allowShrinkFrom: ack }) }, ok({ etl: unpriced })).refusals, "spot/shrink-without-recorded-prices");
    });

    it("spot/stale-shrink-ack and spot/min-utility-floor", () => {
        finding(plan({ etl: fleet({ allowShrinkFrom: 30 }) }).refusals, "spot/stale-shrink-ack", "change-refusal");
        passes(plan({ etl }).refusals, "spot/stale-shrink-ack");
        finding(plan({ etl: fleet({ minUtility: 100, budget: 0.1 }) }).refusals, "spot/min-utility-floor", "change-refusal");
        passes(plan({ etl: fleet({ minUtility: 100, budget: 0 }) }).refusals, "spot/min-utility-floor");
    });

    it("spot/search-tier-shrink-ack and spot/search-tier-never-shrinks", () => {
        const search = ok({ etl: { ...running.etl, tier: "search" } });
        finding(plan({ etl: fleet({ tier: "search", allowShrinkFrom: 30 }) }).refusals, "spot/search-tier-shrink-ack", "change-refusal");
        finding(plan({ etl: fleet({ tier: "search", budget: 0 }) }, search).refusals, "spot/search-tier-never-shrinks", "change-refusal");
        passes(plan({ etl: fleet({ tier: "search" }) }, search).refusals, "spot/search-tier-never-shrinks");
    });
});
