import assert from "node:assert/strict";
import { ConfigError } from "../../ops/config/errors";
import { parseSpotFleetConfig } from "../../ops/spot/config";
import { messages } from "../../ops/shared/platform-plan";
import { fleetChangeRefusals, readDeployedSpotFleets, type SpotFleets } from "../../ops/spot/plan";
import type { DeployedSpotFleet } from "../../ops/spot/shrink";
import { evaluateDoc } from "../support/graph";
import { fleetInputs, prodWith, spotDoc } from "./support";

const doc = spotDoc("prod");
const cfg = { network: { subnets: doc.config["dataplat:network"].subnets } } as any;
const raw = doc.config["dataplat:spotFleets"].etl;
const fleets = (over: Record<string, unknown> = {}) => ({ etl: parseSpotFleetConfig({ ...raw, ...over }) });
const running: DeployedSpotFleet = { targetCapacity: 30, budget: 2, spendCeiling: 4, interruptionBehavior: "terminate" };
const stopped: DeployedSpotFleet = { ...running, targetCapacity: 0, budget: 0 };
/** The change refusals of ops/spot/plan.ts against a raw deployed snapshot, as messages. */
const spotFleetRefusals = (previous: unknown, next: SpotFleets, c: typeof cfg) =>
    messages(fleetChangeRefusals(readDeployedSpotFleets(previous), next, c.network.subnets));

describe("spot fleet growth cap (maxNewUtility)", function () {
    this.timeout(60000);

    it("grows at most maxNewUtility over the deployed target per update, and says so in the plan", async () => {
        const g = await evaluateDoc(doc, doc);
        const plan = (g.outputs.plan as any).spotFleets.etl;
        assert.equal(fleetInputs(g).targetCapacitySpecification.totalTargetCapacity, 60);
        assert.equal(plan.previousTargetCapacity, 30);
        assert.equal(plan.growthCappedFrom, 120);
        assert.match(
            plan.text,
            /target capacity 60 units \(deployed 30\); growth capped by maxNewUtility 30: the budget buys 120 units now; run the update again to continue/,
        );
        assert.equal((g.outputs.deployed as any).spotFleets.etl.targetCapacity, 60);
    });

    it("never caps a shrink, and does not claim a cap that does not bind", async () => {
        const g = await evaluateDoc(
            prodWith((etl) => (etl.targetUtility = 20)),
            doc,
        );
        const plan = (g.outputs.plan as any).spotFleets.etl;
        assert.equal(plan.targetCapacity, 20);
        assert.equal(plan.growthCappedFrom, null);
        assert.doesNotMatch(plan.text, /growth capped/);
    });
});

describe("spot fleet guardrails", function () {
    this.timeout(60000);

    it("refuse removing a running fleet (its instances would be terminated), not a stopped one", () => {
        const [msg] = spotFleetRefusals({ etl: running }, {}, cfg);
        assert.match(
            msg,
            /^spotFleets\.etl: removing the fleet deletes its EC2 Fleet and terminates its instances \(target 30 units\)\. Stop it first: set spotFleets\.etl\.budget to 0/,
        );
        assert.deepEqual(spotFleetRefusals({ etl: stopped }, {}, cfg), []);
    });

    it("refuse changing a setting that replaces the fleet while it runs, and tell how to do it safely", () => {
        const ceiling = spotFleetRefusals({ etl: running }, fleets({ spendCeiling: 6 }), cfg);
        assert.deepEqual(ceiling.length, 1);
        assert.match(
            ceiling[0],
            /^spotFleets\.etl\.spendCeiling: changing it \(4 -> 6\) replaces the EC2 Fleet, which terminates its instances \(target 30 units\)\. Set spotFleets\.etl\.budget to 0 and deploy/,
        );
        const behavior = spotFleetRefusals({ etl: running }, fleets({ interruptionBehavior: "stop" }), cfg);
        assert.match(behavior[0], /^spotFleets\.etl\.interruptionBehavior: changing it \("terminate" -> "stop"\) replaces the EC2 Fleet/);
        const removed = spotFleetRefusals({ etl: running }, fleets({ spendCeiling: undefined }), cfg);
        assert.match(removed[0], /spendCeiling: changing it \(4 -> null\)/);
        // Stopped, or being stopped in the same update: a replacement then terminates nothing that should run.
        assert.deepEqual(spotFleetRefusals({ etl: stopped }, fleets({ spendCeiling: 6 }), cfg), []);
        assert.deepEqual(spotFleetRefusals({ etl: running }, fleets({ spendCeiling: 6, budget: 0 }), cfg), []);
        assert.deepEqual(spotFleetRefusals({ etl: running }, fleets({ budget: 3.5, targetUtility: 200 }), cfg), []);
    });

    it("refuse subnets outside the stack's network", () => {
        const out = spotFleetRefusals(undefined, fleets({ subnets: ["subnet-0a1b2c3d4e5f60711", "subnet-0123456789abcdef0"] }), cfg);
        assert.equal(out.length, 1);
        assert.match(out[0], /^spotFleets\.etl\.subnets\[1\]: subnet-0123456789abcdef0 is not one of network\.subnets \(subnet-0a1b2c3d4e5f60711, /);
    });

    it("refuse more overrides than a launch template config takes, and a fleet that can buy nothing", () => {
        const many = Array.from({ length: 17 }, (_, i) => ({ type: `c${i + 5}.xlarge`, utility: 4 }));
        const [tooMany] = spotFleetRefusals(undefined, fleets({ instanceTypes: many, prices: undefined }), cfg);
        assert.match(
            tooMany,
            /^spotFleets\.etl: 17 instance types x 3 subnets = 51 launch template overrides; an EC2 Fleet launch template config takes at most 50/,
        );
        const [none] = spotFleetRefusals(undefined, fleets({ maxUtilityPrice: 0.0005 }), cfg);
        assert.match(none, /^spotFleets\.etl: no instance type has a price cap above EC2's minimum/);
    });

    it("fail closed on a deployed snapshot they cannot read", () => {
        const [msg] = spotFleetRefusals({ etl: { targetCapacity: "30" } }, fleets(), cfg);
        assert.match(
            msg,
            /^deployed\.spotFleets: the snapshot the last update recorded cannot be read \(at etl\.targetCapacity: .*pulumi stack output deployed --show-secrets/,
        );
        assert.deepEqual(spotFleetRefusals(undefined, fleets(), cfg), []);
        // A null spendCeiling that came back absent is read as "no ceiling", not as unreadable.
        const { spendCeiling: _, ...noCeiling } = running;
        assert.deepEqual(readDeployedSpotFleets({ etl: noCeiling }), { kind: "ok", value: { etl: { ...running, spendCeiling: null } } });
        assert.match(spotFleetRefusals({ etl: noCeiling }, fleets(), cfg)[0], /spendCeiling: changing it \(null -> 4\)/);
    });

    it("run before anything is registered: the whole program refuses a ceiling change on the running prod fleet", async () => {
        await assert.rejects(
            evaluateDoc(
                prodWith((etl) => (etl.spendCeiling = 6)),
                doc,
            ),
            /Refused by guardrails, nothing was changed:\n {2}- spotFleets\.etl\.spendCeiling: changing it \(4 -> 6\)/,
        );
    });

    it("reject a budget above the spend ceiling as a config error naming the path", () => {
        assert.throws(
            () => parseSpotFleetConfig({ ...raw, budget: 5 }, ["spotFleets", "etl"]),
            (e: Error) => e instanceof ConfigError && /spotFleets\.etl\.budget: budget \(5 \$\/h\) must be <= spendCeiling \(4 \$\/h\)/.test(e.message),
        );
        assert.throws(() => parseSpotFleetConfig({ ...raw, tier: "frontend" }), /tier: tier must be one of: etl, search/);
        assert.throws(() => parseSpotFleetConfig({ ...raw, rootVolumeGiB: 4 }), /rootVolumeGiB: rootVolumeGiB must be a whole number of GiB >= 8/);
        assert.equal(parseSpotFleetConfig({ ...raw, tier: undefined, rootVolumeGiB: undefined }).tier, "etl");
    });
});
