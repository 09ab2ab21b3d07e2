/**
 * Issue 11, points 2, 3 and 5: max_requests_per_type is part of the plan, every other SpotManager setting the
 * converter does not support is refused by name, SpotManager's price files are read whatever product label
 * they carry, the price-history settings are config, and the plan shows the share cap against what EC2 does.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../ops/config/errors";
import { fromSpotManagerSettings, parseSpotFleetConfig } from "../../ops/spot/config";
import type { SpotFleetConfig } from "../../ops/spot/config";
import { planFleet, type SpotPlanContext } from "../../ops/spot/plan";
import type { DeployedSpotFleet } from "../../ops/spot/shrink";
import { evaluateDoc, named } from "../support/graph";
import { fleetInputs, prodWith, spotDoc } from "./support";

/** One fleet's plan (ops/spot/plan.ts planFleet), throwing on a config problem. */
function prepareFleet(
    name: string,
    config: SpotFleetConfig,
    cfg: { network: { subnets: SpotPlanContext["subnets"] } },
    previous: DeployedSpotFleet | undefined,
) {
    const p = planFleet(name, config, cfg.network.subnets, previous);
    if ("problems" in p) throw new Error(p.problems.map((f) => f.message).join("\n"));
    return p;
}

const base = spotDoc("prod");
const cfg = { network: base.config["dataplat:network"] } as any;
const raw = base.config["dataplat:spotFleets"].etl;

/** etl_settings.json of klahnakoski/SpotManager (manager branch), comments stripped, the parts that bear on buying. */
const etlSettings = () => ({
    budget: 2,
    max_utility_price: 0.02,
    max_new_utility: 30,
    max_requests_per_type: 10,
    max_percent_per_type: 0.7,
    price_file: "resources/aws/prices.json",
    run_interval: "10minute",
    uptime: { history: "day", duration: "5minute", bid_percentile: 0.7 },
    product: "Linux/UNIX (Amazon VPC)",
    utility: [
        { instance_type: "c5.xlarge", cpu: 4, utility: 4 },
        { instance_type: "c5.2xlarge", cpu: 8, utility: 8 },
    ],
    ec2: {
        request: {
            image_id: "ami-003634241a8fcdec0",
            count: 1,
            type: "one-time",
            key_name: null,
            network_interfaces: { subnet_id: "subnet-0a1b2c3d4e5f60711" },
        },
        instance: { name: "ActiveData ETL spot instance" },
    },
});

describe("SpotManager settings: every knob honoured or refused by name", () => {
    it("converts max_requests_per_type, the uptime settings and the product label", () => {
        const config = parseSpotFleetConfig(fromSpotManagerSettings(etlSettings(), 120));
        assert.equal(config.maxRequestsPerType, 10);
        assert.deepEqual(config.priceHistory, { hours: 24, uptimeMinutes: 5, bidPercentile: 0.7, products: ["Linux/UNIX (Amazon VPC)"] });
    });

    it("refuses every setting it cannot honour by name, and converts once the operator names it in ignore", () => {
        const settings = {
            ...etlSettings(),
            availability_zone: "us-west-2c",
            allowed_overage: 0.1,
            instance: { class: "examples.etl.ETL", minimum_utility: 0 },
        };
        (settings.utility[0] as any).discount = 0.01;
        (settings.ec2.request as any).key_name = "activedata";
        assert.throws(
            () => fromSpotManagerSettings(settings, 120),
            (e: Error) => {
                assert.ok(e instanceof ConfigError);
                const paths = e.problems.map((p) => p.path).sort();
                assert.deepEqual(paths, [
                    "allowed_overage",
                    "availability_zone",
                    "ec2.request.key_name",
                    "instance.class",
                    "instance.minimum_utility",
                    "utility[].discount",
                ]);
                assert.match(e.message, /SpotManager setting "availability_zone" is not supported by the converter/);
                return true;
            },
        );
        const config = fromSpotManagerSettings(settings, 120, {
            ignore: ["availability_zone", "allowed_overage", "instance", "utility[].discount", "ec2.request.key_name"],
        });
        assert.equal(parseSpotFleetConfig(config).budget, 2);
    });

    it("keeps each type within deployed count + maxRequestsPerType in the plan", () => {
        const config = parseSpotFleetConfig({ ...raw, maxRequestsPerType: 2, maxNewUtility: 200, targetUtility: 120 });
        const fresh = prepareFleet("etl", config, cfg, undefined).plan.allocation;
        assert.ok(
            Object.values(fresh.counts).every((n) => n <= 2),
            JSON.stringify(fresh.counts),
        );
        const deployed = {
            targetCapacity: 24,
            budget: 2,
            spendCeiling: 4,
            interruptionBehavior: "terminate",
            prices: raw.prices,
            counts: { "c6i.xlarge": 5, "c5.xlarge": 1 },
        };
        const next = prepareFleet("etl", config, cfg, deployed).plan.allocation;
        for (const [type, n] of Object.entries(next.counts)) assert.ok(n <= ((deployed.counts as any)[type] ?? 0) + 2, `${type}: ${n}`);
        const unbounded = prepareFleet("etl", parseSpotFleetConfig({ ...raw, maxNewUtility: 200, targetUtility: 120 }), cfg, undefined).plan.allocation;
        assert.ok(
            Object.values(unbounded.counts).some((n) => n > 2),
            "the bound must bind in this book",
        );
        assert.throws(
            () => parseSpotFleetConfig({ ...raw, maxRequestsPerType: 0 }),
            /maxRequestsPerType: maxRequestsPerType must be a whole number of instances > 0/,
        );
    });
});

describe("SpotManager's price files and price-history settings", function () {
    this.timeout(60000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-spot-knobs-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const T0 = 1_700_000_000 - (1_700_000_000 % 3600);
    /** One change per hour for 10 hours back: c5.xlarge costs hourly[h] at hour h back, the others a fixed price. */
    const write = (name: string, product: string, hourly: number[]) => {
        const fixed: Record<string, number> = { "c6i.xlarge": 0.062, "m5.2xlarge": 0.13 };
        const rows = ["c5.xlarge", "c6i.xlarge", "m5.2xlarge"].flatMap((instance_type) =>
            Array.from({ length: 10 }, (_, h) => ({
                instance_type,
                availability_zone: "us-west-2a",
                price: fixed[instance_type] ?? hourly[h % hourly.length],
                timestamp: T0 - h * 3600,
                product_description: product,
                region: "us-west-2",
            })),
        );
        const p = path.join(tmp, name);
        fs.writeFileSync(p, JSON.stringify(rows));
        return p;
    };
    const withFile = (p: string, history?: unknown) =>
        prodWith((etl) => {
            delete etl.prices;
            etl.priceFile = p;
            if (history) etl.priceHistory = history;
        });
    /** The price the plan used for a type (the snapshot records them). */
    const priceOf = (g: any, type: string) => g.outputs.deployed.spotFleets.etl.prices[type];

    it('reads a price file labelled "Linux/UNIX (Amazon VPC)" (SpotManager\'s default product)', async () => {
        const g = await evaluateDoc(withFile(write("vpc.json", "Linux/UNIX (Amazon VPC)", [0.06])));
        assert.equal(fleetInputs(g).targetCapacitySpecification.totalTargetCapacity, 30);
        assert.equal(priceOf(g, "c5.xlarge"), 0.06);
        await assert.rejects(
            evaluateDoc(withFile(write("windows.json", "Windows (Amazon VPC)", [0.06]))),
            /has no prices in us-west-2a, us-west-2b, us-west-2c for products "Linux\/UNIX", "Linux\/UNIX \(Amazon VPC\)" \(it has "Windows \(Amazon VPC\)": list them in priceHistory\.products\)/,
        );
    });

    it("takes the bid percentile and the history window from config", async () => {
        // c5.xlarge changes every hour: 0.05 for the last 7 hours, 0.055, 0.06 and 0.07 before. Each change counts
        // uptimeMinutes (5) into the hour before, so the hourly maxima are 0.05 x6, 0.055, 0.06, 0.07 x2 and the
        // nearest-rank percentiles differ: p70 0.055, p80 (default) 0.06, p100 0.07.
        const p = write("cycle.json", "Linux/UNIX", [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.055, 0.06, 0.07]);
        const p70 = await evaluateDoc(withFile(p, { bidPercentile: 0.7 }));
        const p80 = await evaluateDoc(withFile(p));
        const p100 = await evaluateDoc(withFile(p, { bidPercentile: 1 }));
        assert.equal(priceOf(p70, "c5.xlarge"), 0.055);
        assert.equal(priceOf(p80, "c5.xlarge"), 0.06);
        assert.equal(priceOf(p100, "c5.xlarge"), 0.07);
        // A 2-hour window sees only the last changes, all 0.05, even at the 100th percentile.
        const short = await evaluateDoc(withFile(p, { hours: 2, bidPercentile: 1 }));
        assert.equal(priceOf(short, "c5.xlarge"), 0.05);
        await assert.rejects(
            evaluateDoc(withFile(p, { bidPercentile: 70 })),
            /spotFleets\.etl\.priceHistory\.bidPercentile: bidPercentile must be a fraction in \(0, 1\]/,
        );
        await assert.rejects(evaluateDoc(withFile(p, { window: 3 })), /spotFleets\.etl\.priceHistory/);
    });
});

describe("the share cap against what EC2 does", function () {
    this.timeout(60000);

    it("says in the plan that EC2 does not enforce maxPercentPerType, with the planned mix against the cap", async () => {
        const g = await evaluateDoc(base);
        const plan = (g.outputs.plan as any).spotFleets.etl;
        const cap = plan.summary.shareCap;
        assert.equal(cap.cap, 0.7);
        assert.equal(cap.enforcedByEc2, false);
        assert.equal(cap.worstCaseShare, 1);
        assert.ok(cap.planned.every((t: any) => t.share <= 0.7 + 1e-9));
        assert.equal(
            cap.planned.reduce((a: number, t: any) => a + t.units, 0),
            plan.summary.utility,
        );
        assert.match(
            plan.text,
            /share cap 70% holds in the plan only \(largest c6i\.xlarge \d+%\); EC2 does not enforce it and may fill the target with one type/,
        );
        // The fleet is still one price-capacity-optimized fleet over every type (changing the strategy would replace it).
        assert.equal(fleetInputs(g).spotOptions.allocationStrategy, "price-capacity-optimized");
    });

    it("registers the rollout command with ids in the environment, the template version as trigger, after the fleet", async () => {
        const g = await evaluateDoc(base);
        const cmd = named(g, "command:local:Command", "activedata-etl-fleet-rollout");
        const inputs = cmd.inputs as any;
        assert.match(inputs.create, /^test -f dist\/cli\/spot\.js \|\| /);
        assert.match(
            inputs.create,
            /node dist\/cli\/spot\.js rollout --fleet-id "\$SPOT_FLEET_ID" --launch-template-id "\$SPOT_LAUNCH_TEMPLATE_ID" --version "\$SPOT_LAUNCH_TEMPLATE_VERSION" --batch-size 40 --pause-seconds 60 --timeout 1800 --share-cap 0\.7$/,
        );
        assert.deepEqual(Object.keys(inputs.environment).sort(), ["AWS_REGION", "SPOT_FLEET_ID", "SPOT_LAUNCH_TEMPLATE_ID", "SPOT_LAUNCH_TEMPLATE_VERSION"]);
        assert.equal(inputs.environment.AWS_REGION, "us-west-2");
        assert.deepEqual(inputs.triggers, ["1"]);
        assert.ok(cmd.dependsOn.includes(named(g, "aws:ec2/fleet:Fleet", "activedata-etl-fleet").urn));
    });
});
