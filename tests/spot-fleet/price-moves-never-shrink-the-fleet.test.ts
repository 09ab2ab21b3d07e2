/**
 * Issue 11, points 1 and 4: a price move never empties a fleet without the operator saying so, minUtility is
 * a floor, and a search-tier fleet is never cut. All refused before the first resource is registered.
 */
import assert from "node:assert/strict";
import { parseSpotFleetConfig } from "../../ops/spot/config";
import { spotSection } from "../../stacks/sections/spot";
import { evaluateDoc, ofType } from "../support/graph";
import { fleetInputs, prodWith, spotDoc } from "./support";

const base = spotDoc("prod");
const REFUSED = /Refused by guardrails, nothing was changed:/;
const pricesUp = (factor: number) => (etl: Record<string, any>) => {
    for (const t of Object.keys(etl.prices)) etl.prices[t] = Math.round(etl.prices[t] * factor * 1e6) / 1e6;
};

describe("spot fleet: shrinking only on purpose", function () {
    this.timeout(60000);

    it("refuses every price up 20% on the running prod fleet (the plan would be empty), naming the moves, the loss and the ways out", async () => {
        const next = prodWith(pricesUp(1.2));
        await assert.rejects(evaluateDoc(next, base), (e: Error) => {
            assert.match(e.message, REFUSED);
            assert.match(e.message, /spotFleets\.etl: prices moved \(c5\.xlarge \$0\.068 -> \$0\.0816 \(\+20%, over its cap \$0\.08\);/);
            assert.match(e.message, /the fleet would go from 30 to 0 units of utility/);
            assert.match(e.message, /raise spotFleets\.etl\.budget or spotFleets\.etl\.maxUtilityPrice/);
            assert.match(e.message, /set spotFleets\.etl\.allowShrinkFrom: 30 to accept this shrink for this one update/);
            return true;
        });
        // The same check runs in plan(), before any resource: the section's own entry point says so.
        const deployed = (await evaluateDoc(base)).outputs.deployed as any;
        const cfg = { network: base.config["dataplat:network"] } as any;
        const refused = spotSection.plan!(deployed.spotFleets, { etl: parseSpotFleetConfig(next.config["dataplat:spotFleets"].etl) }, cfg).refusals;
        assert.equal(refused.length, 1);
    });

    it("lets the operator's own budget cut shrink it, and a price fall never shrinks it", async () => {
        const cut = await evaluateDoc(
            prodWith((etl) => (etl.budget = 0.3)),
            base,
        );
        assert.ok(fleetInputs(cut).targetCapacitySpecification.totalTargetCapacity < 30);
        const cheaper = await evaluateDoc(prodWith(pricesUp(0.8)), base);
        assert.ok(fleetInputs(cheaper).targetCapacitySpecification.totalTargetCapacity >= 30);
    });

    it("refuses a price rise hidden behind a budget cut: only the part the edit explains is the operator's", async () => {
        const both = prodWith((etl) => {
            pricesUp(1.2)(etl);
            etl.budget = 1;
        });
        await assert.rejects(
            evaluateDoc(both, base),
            /spotFleets\.etl: prices moved .*your config edits alone plan|spotFleets\.etl: prices moved .*with the prices the deployed plan used/,
        );
    });

    it("takes allowShrinkFrom equal to the deployed target as the one-update acknowledgement, and refuses a stale one", async () => {
        const ack = await evaluateDoc(
            prodWith((etl) => {
                pricesUp(1.2)(etl);
                etl.allowShrinkFrom = 30;
            }),
            base,
        );
        assert.equal(fleetInputs(ack).targetCapacitySpecification.totalTargetCapacity, 0);
        await assert.rejects(
            evaluateDoc(
                prodWith((etl) => (etl.allowShrinkFrom = 60)),
                base,
            ),
            /spotFleets\.etl\.allowShrinkFrom: 60 acknowledges a shrink from a deployed target of 60 units, but the deployed target is 30: it was for an earlier update; remove it/,
        );
    });

    it("keeps minUtility as a floor the plan never goes under, except budget 0", async () => {
        await assert.rejects(
            evaluateDoc(
                prodWith((etl) => ((etl.minUtility = 24), (etl.budget = 0.3))),
                base,
            ),
            /spotFleets\.etl\.minUtility: the plan buys \d+ units of utility, under the floor of 24 \(minUtility 24\)/,
        );
        const stopped = await evaluateDoc(
            prodWith((etl) => ((etl.minUtility = 24), (etl.budget = 0))),
            base,
        );
        assert.equal(fleetInputs(stopped).targetCapacitySpecification.totalTargetCapacity, 0);
        // A new fleet's first update is growth-capped (maxNewUtility 30): the floor is min(minUtility, 30).
        await evaluateDoc(prodWith((etl) => (etl.minUtility = 60)));
    });

    it("fails closed on a snapshot without recorded prices: a shrink needs the acknowledgement", async () => {
        const old = { etl: { targetCapacity: 30, budget: 2, spendCeiling: 4, interruptionBehavior: "terminate" } };
        const cfg = { network: base.config["dataplat:network"] } as any;
        const up = parseSpotFleetConfig(prodWith(pricesUp(1.2)).config["dataplat:spotFleets"].etl);
        const [msg] = spotSection.plan!(old, { etl: up }, cfg).refusals;
        assert.match(msg, /does not record the prices its plan used.*allowShrinkFrom: 30/);
        assert.deepEqual(spotSection.plan!(old, { etl: { ...up, allowShrinkFrom: 30 } }, cfg).refusals, []);
    });
});

describe("spot fleet: tier search is never cut by the fleet", function () {
    this.timeout(60000);
    const search = prodWith((etl) => (etl.tier = "search"));

    it("refuses a budget cut, budget 0 and a price-driven shrink, pointing at the drain path; allowShrinkFrom does not help", async () => {
        for (const edit of [(etl: any) => (etl.budget = 0.3), (etl: any) => (etl.budget = 0), (etl: any) => (etl.targetUtility = 16), pricesUp(1.2)]) {
            const next = prodWith((etl) => {
                etl.tier = "search";
                edit(etl);
            });
            await assert.rejects(
                evaluateDoc(next, search),
                /spotFleets\.etl: tier search: the fleet would go from 30 to \d+ units .*with no drain.*search cluster's drain path/,
            );
        }
        await assert.rejects(
            evaluateDoc(
                prodWith((etl) => ((etl.tier = "search"), (etl.budget = 0.3), (etl.allowShrinkFrom = 30))),
                search,
            ),
            /spotFleets\.etl\.allowShrinkFrom: a tier search fleet is never shrunk by the fleet/,
        );
        // The same cut on the ETL tier is the operator's to make.
        await evaluateDoc(
            prodWith((etl) => (etl.budget = 0.3)),
            base,
        );
    });

    it("lets a search fleet grow or hold, and registers no rollout for it (its instances leave only through drains)", async () => {
        const g = await evaluateDoc(search, search);
        assert.equal(fleetInputs(g).targetCapacitySpecification.totalTargetCapacity, 60);
        assert.equal(ofType(g, "command:local:Command").filter((c) => c.name.includes("etl-fleet-rollout")).length, 0);
        const etl = await evaluateDoc(base);
        assert.equal(ofType(etl, "command:local:Command").filter((c) => c.name === "activedata-etl-fleet-rollout").length, 1);
    });
});
