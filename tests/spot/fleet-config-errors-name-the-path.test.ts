import assert from "node:assert/strict";
import { fromSpotManagerSettings, parseSpotFleetConfig, SpotFleetConfigInput } from "../../ops/spot/config";

const valid: SpotFleetConfigInput = {
    budget: 2,
    instanceTypes: [
        { type: "c5.xlarge", utility: 4 },
        { type: "r5.xlarge", utility: 4, maxPrice: 0.1 },
    ],
    maxUtilityPrice: 0.02,
    maxPercentPerType: 0.7,
    maxNewUtility: 30,
    targetUtility: 60,
    subnets: ["subnet-5750c90d"],
};

/** The message thrown for `input`; fails the test if it does not throw. */
function problem(input: unknown): string {
    try {
        parseSpotFleetConfig(input);
    } catch (e) {
        return (e as Error).message;
    }
    assert.fail(`accepted ${JSON.stringify(input)}`);
}

describe("spot fleet config", () => {
    it("accepts the runbook's ETL settings in our terms, defaulting interruptionBehavior to terminate", () => {
        const config = parseSpotFleetConfig(valid);
        assert.equal(config.interruptionBehavior, "terminate");
        assert.equal(config.budget, 2);
    });

    it("accepts budget 0: the emergency stop keeps the configuration", () => {
        assert.equal(parseSpotFleetConfig({ ...valid, budget: 0 }).budget, 0);
    });

    const cases: [string, unknown, RegExp][] = [
        ["negative budget", { ...valid, budget: -1 }, /budget: budget must be >= 0 dollars per hour/],
        ["budget as a string", { ...valid, budget: "2" }, /budget: budget must be a number of dollars per hour/],
        ["no instance types", { ...valid, instanceTypes: [] }, /instanceTypes: instanceTypes must list at least one/],
        [
            "fractional utility",
            { ...valid, instanceTypes: [valid.instanceTypes[0], { type: "m5.large", utility: 1.5 }] },
            /instanceTypes\[1\]\.utility: utility must be a whole number/,
        ],
        [
            "zero utility",
            { ...valid, instanceTypes: [{ type: "m5.large", utility: 0 }] },
            /instanceTypes\[0\]\.utility: utility must be a whole number of units > 0/,
        ],
        [
            "duplicate type",
            { ...valid, instanceTypes: [...valid.instanceTypes, { type: "c5.xlarge", utility: 8 }] },
            /instanceTypes\[2\]\.type: duplicate instance type "c5\.xlarge" \(already at instanceTypes\[0\]\)/,
        ],
        ["bad type name", { ...valid, instanceTypes: [{ type: "large", utility: 1 }] }, /instanceTypes\[0\]\.type: must be an EC2 instance type name/],
        ["unknown key in a type", { ...valid, instanceTypes: [{ type: "c5.xlarge", utility: 4, price: 1 }] }, /instanceTypes\[0\]\.price: unknown key/],
        ["unknown top-level key (SpotManager spelling)", { ...valid, max_utility_price: 0.02 }, /max_utility_price: unknown key/],
        ["percent instead of fraction", { ...valid, maxPercentPerType: 70 }, /maxPercentPerType: maxPercentPerType must be a fraction in \(0, 1\]/],
        ["zero share", { ...valid, maxPercentPerType: 0 }, /maxPercentPerType: .*\(0, 1\]/],
        ["zero maxUtilityPrice", { ...valid, maxUtilityPrice: 0 }, /maxUtilityPrice: maxUtilityPrice must be > 0/],
        ["zero maxNewUtility", { ...valid, maxNewUtility: 0 }, /maxNewUtility: maxNewUtility must be a whole number of units > 0/],
        ["minUtility above target", { ...valid, minUtility: 61 }, /minUtility: minUtility \(61\) must be <= targetUtility \(60\)/],
        ["no subnets", { ...valid, subnets: [] }, /subnets: subnets must list at least one subnet id/],
        ["bad subnet id", { ...valid, subnets: ["subnet-5750c90d", "sg-a8c758d6"] }, /subnets\[1\]: must be a subnet id/],
        [
            "bad interruption behavior",
            { ...valid, interruptionBehavior: "kill" },
            /interruptionBehavior: interruptionBehavior must be one of: terminate, stop, hibernate/,
        ],
        ["bad image", { ...valid, image: "ubuntu" }, /image: image must be an AMI id/],
        [
            "price for an unlisted type",
            { ...valid, prices: { "c5.xlarge": 0.05, "m5.large": 0.03 } },
            /prices\.m5\.large: "m5\.large" is not one of instanceTypes/,
        ],
        ["zero price", { ...valid, prices: { "c5.xlarge": 0 } }, /prices\.c5\.xlarge: a price must be > 0/],
        ["prices and priceFile", { ...valid, prices: { "c5.xlarge": 0.05 }, priceFile: "prices.json" }, /priceFile: give either prices or priceFile, not both/],
        ["missing targetUtility", { ...valid, targetUtility: undefined }, /targetUtility: targetUtility must be a whole number of units >= 0/],
    ];
    for (const [name, input, expected] of cases) {
        it(`rejects ${name}, naming the path`, () => {
            assert.match(problem(input), expected);
        });
    }

    it("reports every problem at once", () => {
        const message = problem({ ...valid, budget: -1, subnets: [] });
        assert.match(message, /budget:/);
        assert.match(message, /subnets:/);
    });

    it("prefixes paths when the fleet sits inside a stack config", () => {
        try {
            parseSpotFleetConfig({ ...valid, budget: -1 }, ["spot", "etl"]);
            assert.fail("accepted a negative budget");
        } catch (e) {
            assert.match((e as Error).message, /spot\.etl\.budget: budget must be >= 0/);
        }
    });

    it("converts SpotManager's etl_settings.json", () => {
        const settings = {
            budget: 2,
            max_utility_price: 0.02,
            max_new_utility: 30,
            max_requests_per_type: 10,
            max_percent_per_type: 0.7,
            price_file: "resources/aws/prices.json",
            utility: [
                { instance_type: "c5.large", cpu: 2, utility: 1 },
                { instance_type: "c5.xlarge", cpu: 4, utility: 4 },
            ],
            ec2: { request: { image_id: "ami-003634241a8fcdec0", network_interfaces: { subnet_id: "subnet-5750c90d" } } },
        };
        const config = parseSpotFleetConfig(fromSpotManagerSettings(settings, 40));
        assert.deepEqual(
            config.instanceTypes.map((t) => [t.type, t.utility]),
            [
                ["c5.large", 1],
                ["c5.xlarge", 4],
            ],
        );
        assert.deepEqual(config.subnets, ["subnet-5750c90d"]);
        assert.equal(config.maxPercentPerType, 0.7);
        assert.equal(config.priceFile, "resources/aws/prices.json");
        assert.equal(config.image, "ami-003634241a8fcdec0");
        assert.equal(config.targetUtility, 40);
    });
});
