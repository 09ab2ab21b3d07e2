import assert from "node:assert/strict";
import {
    FLEET_IGNORED_INPUTS,
    FLEET_IN_PLACE_INPUTS,
    FLEET_REPLACE_FORCING_INPUTS,
    REBALANCE_TERMINATION_DELAY_SECONDS,
} from "../../components/spot/SpotFleet";
import { StackGraph } from "../../stacks/offline/evaluate";
import { depNames, evaluateDoc, named, ofType } from "../support/graph";
import { FLEET, fleetInputs, prodWith, T, spotDoc } from "./support";

describe("SpotFleet (prod etl fleet under mocks)", () => {
    let g: StackGraph;
    before(async () => (g = await evaluateDoc(spotDoc("prod"))));

    it("is one SpotFleet component holding a HostTemplate and an EC2 Fleet of type maintain, and no legacy Spot Fleet request", () => {
        const [component] = ofType(g, T.spotFleet);
        assert.equal(ofType(g, T.spotFleet).length, 1);
        assert.equal(component.name, FLEET);
        const template = named(g, T.hostTemplate, `${FLEET}-template`);
        const fleet = named(g, T.fleet, FLEET);
        assert.equal(template.parent, component.urn);
        assert.equal(fleet.parent, component.urn);
        assert.equal(named(g, T.lt, `${FLEET}-template`).parent, template.urn);
        assert.equal(fleet.inputs.type, "maintain");
        assert.equal(ofType(g, T.legacySpotFleet).length, 0);
    });

    it("offers every instance type in every subnet, weighted by utility, capped per unit of utility", () => {
        const [ltc] = fleetInputs(g).launchTemplateConfigs;
        const subnets = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713"];
        const types: [string, number, string][] = [
            ["c5.xlarge", 4, "0.02"],
            ["c5.2xlarge", 8, "0.02"],
            ["c6i.xlarge", 4, "0.02"],
            ["m5.xlarge", 4, "0.02"],
            ["m5.2xlarge", 8, "0.02"],
            // maxPrice 0.072 per instance-hour / 4 units = 0.018 per unit, below maxUtilityPrice 0.02.
            ["r5.xlarge", 4, "0.018"],
        ];
        assert.deepEqual(
            ltc.overrides,
            types.flatMap(([instanceType, weightedCapacity, maxPrice]) => subnets.map((subnetId) => ({ instanceType, subnetId, weightedCapacity, maxPrice }))),
        );
    });

    it("targets, in units of utility, what the budget buys this update, on spot capacity only", () => {
        const spec = fleetInputs(g).targetCapacitySpecification;
        // No spotTargetCapacity/onDemandTargetCapacity: both are ForceNew in the provider.
        assert.deepEqual(spec, { defaultTargetCapacityType: "spot", totalTargetCapacity: 30 });
        assert.equal(spec.totalTargetCapacity, (g.outputs.plan as any).spotFleets.etl.summary.countedUtility);
    });

    it("uses price-capacity-optimized, capacity rebalance and the fixed spend ceiling as maxTotalPrice", () => {
        assert.deepEqual(fleetInputs(g).spotOptions, {
            allocationStrategy: "price-capacity-optimized",
            instanceInterruptionBehavior: "terminate",
            maintenanceStrategies: {
                capacityRebalance: { replacementStrategy: "launch-before-terminate", terminationDelay: REBALANCE_TERMINATION_DELAY_SECONDS },
            },
            maxTotalPrice: "4",
        });
        assert.deepEqual(named(g, T.fleet, FLEET).options.ignoreChanges, [...FLEET_IGNORED_INPUTS]);
    });

    it("terminates excess instances when the target drops, and its instances when the fleet is deleted", () => {
        const f = fleetInputs(g);
        assert.equal(f.excessCapacityTerminationPolicy, "termination");
        assert.equal(f.terminateInstances, true);
        assert.equal(f.terminateInstancesWithExpiration, true);
    });

    it("launches from a template with IMDSv2 only, encrypted gp3 root volume, no public IP, the ETL group and role", () => {
        const lt = named(g, T.lt, `${FLEET}-template`).inputs as any;
        assert.deepEqual(lt.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        assert.deepEqual(lt.blockDeviceMappings, [
            { deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ]);
        assert.equal(lt.networkInterfaces.length, 1);
        assert.equal(lt.networkInterfaces[0].associatePublicIpAddress, "false");
        assert.deepEqual(lt.networkInterfaces[0].securityGroups, [(g.outputs.securityGroups as any).etl]);
        assert.match(lt.iamInstanceProfile.arn, /:instance-profile\/activedata-etl-role-profile/);
        assert.deepEqual(depNames(g, named(g, T.lt, `${FLEET}-template`)), ["activedata-etl-role-profile", "activedata-tiers-etl"]);
        assert.equal(lt.imageId, spotDoc("prod").config["dataplat:hosts"].imageId);
    });

    it("points the fleet at the template's latest version, so an image change is an in-place fleet update", () => {
        const spec = fleetInputs(g).launchTemplateConfigs[0].launchTemplateSpecification;
        assert.equal(spec.version, "1"); // the mock template's latestVersion
        assert.match(spec.launchTemplateId, /^lt-/);
        assert.deepEqual(depNames(g, named(g, T.fleet, FLEET)), [`${FLEET}-template`]);
    });

    it("classifies every input it sets as either fixed at creation or modifiable in place", () => {
        const known = new Set<string>([...FLEET_REPLACE_FORCING_INPUTS, ...FLEET_IN_PLACE_INPUTS]);
        const f = fleetInputs(g);
        const paths = Object.keys(f).flatMap((k) => (k === "targetCapacitySpecification" ? Object.keys(f[k]).map((s) => `${k}.${s}`) : [k]));
        assert.deepEqual(
            paths.filter((p) => !known.has(p)),
            [],
        );
    });

    it("records the deployed target and prints the plan: what it buys at current prices and what it costs", () => {
        const plan = (g.outputs.plan as any).spotFleets.etl;
        const prices = spotDoc("prod").config["dataplat:spotFleets"].etl.prices;
        assert.deepEqual((g.outputs.deployed as any).spotFleets, {
            etl: {
                targetCapacity: 30,
                budget: 2,
                spendCeiling: 4,
                interruptionBehavior: "terminate",
                prices,
                counts: plan.summary.instances.reduce((a: any, i: any) => ({ ...a, [i.type]: i.count }), {}),
                tier: "etl",
            },
        });
        assert.match(plan.text, /^spot fleet etl: .* = 3[0-9] utility \(target 120, 30 this update\) for \$0\.\d{4}\/h of \$2\/h budget/);
        assert.match(plan.text, /over price cap: r5\.xlarge/);
        assert.match(plan.text, /EC2 spend ceiling \$4\/h/);
        const cost = plan.summary.instances.reduce((a: number, i: any) => a + i.cost, 0);
        assert.ok(cost <= 2 && Math.abs(cost - plan.spend.planned) < 1e-9);
        // (30 + 8 - 1) units at $0.02 at most, if every pool climbed to its cap.
        assert.equal(plan.spend.worstCase, 0.74);
        assert.match((g.outputs.spotFleets as any).etl.fleetId, /^fleet-/);
    });

    it("in staging too: a smaller fleet over the two staging subnets", async () => {
        const s = await evaluateDoc(spotDoc("staging"));
        const f = fleetInputs(s, "activedata-stg-etl-fleet");
        assert.equal(f.launchTemplateConfigs[0].overrides.length, 3 * 2);
        assert.equal(f.spotOptions.maxTotalPrice, "0.5");
        assert.equal(f.targetCapacitySpecification.totalTargetCapacity, 8);
    });

    it("takes the tier, image and user data from config (base64 in the template)", async () => {
        const doc = prodWith((etl) => {
            etl.tier = "search";
            etl.image = "ami-0123456789abcdef0";
            etl.userData = "#!/bin/bash\nexec /opt/etl/run\n";
        });
        const e = await evaluateDoc(doc);
        const lt = named(e, T.lt, `${FLEET}-template`).inputs as any;
        assert.equal(Buffer.from(lt.userData, "base64").toString(), "#!/bin/bash\nexec /opt/etl/run\n");
        assert.equal(lt.imageId, "ami-0123456789abcdef0");
        assert.deepEqual(lt.networkInterfaces[0].securityGroups, [(e.outputs.securityGroups as any).search]);
        assert.match(lt.iamInstanceProfile.arn, /:instance-profile\/activedata-search-role-profile/);
        assert.deepEqual(fleetInputs(e).tags, { Name: FLEET, tier: "search" });
    });
});
