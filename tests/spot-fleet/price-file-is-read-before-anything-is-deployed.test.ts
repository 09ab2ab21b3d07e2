import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { ConfigError } from "../../ops/config/errors";
import { parseSpotFleetConfig } from "../../ops/spot/config";
import { spotSection } from "../../stacks/sections/spot";
import { evaluateDoc } from "../support/graph";
import { repoRoot } from "../support/repo";
import { fleetInputs, prodWith } from "./support";

const HOUR = 3600;
const T0 = 1_700_000_000 - (1_700_000_000 % HOUR);

/** SpotManager's price_file shape: one change per pool at the start of each of the last `hours` hours. */
function history(pools: [type: string, zone: string, price: number][], hours = 6) {
    return pools.flatMap(([instance_type, availability_zone, price]) =>
        Array.from({ length: hours }, (_, h) => ({ instance_type, availability_zone, price, timestamp: T0 - h * HOUR, product_description: "Linux/UNIX" })),
    );
}

describe("spot fleet price file", function () {
    this.timeout(60000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-spot-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const file = (name: string, content: unknown) => {
        const p = path.join(tmp, name);
        fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
        return p;
    };
    const withFile = (p: string, budget = 2) =>
        prodWith((etl) => {
            delete etl.prices;
            etl.priceFile = p;
            etl.budget = budget;
        });

    it("plans from the file's prices in the fleet's zones only, and names the file and its date in the plan", async () => {
        const p = file("prices.json", [
            ...history([
                ["c5.xlarge", "us-west-2a", 0.06],
                ["c5.xlarge", "us-west-2b", 0.064],
                ["c6i.xlarge", "us-west-2c", 0.07],
                ["m5.2xlarge", "us-west-2a", 0.15],
            ]),
            // Cheapest of all, but in a zone none of the fleet's subnets is in: must not be used.
            ...history([["c6i.xlarge", "us-west-2d", 0.01]]),
        ]);
        const g = await evaluateDoc(withFile(p));
        const plan = (g.outputs.plan as any).spotFleets.etl;
        const priceOf = Object.fromEntries(plan.summary.instances.map((i: any) => [i.type, i.price]));
        assert.equal(priceOf["c5.xlarge"], 0.06);
        if (priceOf["c6i.xlarge"] !== undefined) assert.equal(priceOf["c6i.xlarge"], 0.07);
        assert.deepEqual(plan.summary.excluded.map((e: any) => [e.type, e.reason]).sort(), [
            ["c5.2xlarge", "no price"],
            ["m5.xlarge", "no price"],
            ["r5.xlarge", "no price"],
        ]);
        assert.equal(plan.prices, `${p} as of ${new Date(T0 * 1000).toISOString()}`);
        assert.match(plan.text, new RegExp(`prices: ${p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} as of `));
        assert.equal(fleetInputs(g).targetCapacitySpecification.totalTargetCapacity, 30);
    });

    it("a missing file is a config error naming the fleet's priceFile and the file, raised by the guardrail step", async () => {
        const missing = path.join(tmp, "missing.json");
        // plan() runs before the program registers any resource (stacks/program.ts); it reads the file.
        const doc = withFile(missing);
        const config = { etl: parseSpotFleetConfig(doc.config["dataplat:spotFleets"].etl) };
        const cfg = { network: doc.config["dataplat:network"] } as any;
        assert.throws(
            () => spotSection.plan!(undefined, config, cfg),
            (e: Error) => e instanceof ConfigError && e.message.includes(`cannot read price file ${missing}`),
        );
        await assert.rejects(
            evaluateDoc(withFile(missing)),
            (e: Error) =>
                e.name === "ConfigError" &&
                e.message.startsWith("Invalid stack configuration (dataplat:*), nothing was deployed:") &&
                e.message.includes(`spotFleets.etl.priceFile: cannot read price file ${missing}: ENOENT`),
        );
    });

    it("a file that is not JSON, or has a bad entry, or no price in the fleet's zones or types is a config error too", async () => {
        await assert.rejects(evaluateDoc(withFile(file("bad.json", "[{"))), /spotFleets\.etl\.priceFile: price file .*bad\.json is not JSON/);
        const entries = history([["c5.xlarge", "us-west-2a", 0.06]], 2);
        (entries[1] as any).price = -1;
        const badEntry = file("negative.json", entries);
        await assert.rejects(
            evaluateDoc(withFile(badEntry)),
            new RegExp(`spotFleets\\.etl\\.priceFile\\[1\\]\\.price: price must be > 0 dollars per instance-hour \\(in ${badEntry.replace(/[.]/g, "\\.")}\\)`),
        );
        await assert.rejects(
            evaluateDoc(withFile(file("elsewhere.json", history([["c5.xlarge", "us-east-1a", 0.06]])))),
            /spotFleets\.etl\.priceFile: price file .*elsewhere\.json has no prices in us-west-2a, us-west-2b, us-west-2c/,
        );
        await assert.rejects(
            evaluateDoc(withFile(file("others.json", history([["t3.micro", "us-west-2a", 0.004]])))),
            /spotFleets\.etl\.priceFile: no price for any of c5\.xlarge, c5\.2xlarge, c6i\.xlarge, m5\.xlarge, m5\.2xlarge, r5\.xlarge/,
        );
    });

    it("a budget above 0 without prices or a price file is a config error", async () => {
        await assert.rejects(
            evaluateDoc(prodWith((etl) => delete etl.prices)),
            /spotFleets\.etl: give prices or priceFile: the budget is turned into a target capacity at those prices/,
        );
    });

    it("budget 0 never reads the price file: the emergency stop works with a broken price book", async () => {
        const g = await evaluateDoc(withFile(path.join(tmp, "missing.json"), 0));
        assert.equal(fleetInputs(g).targetCapacitySpecification.totalTargetCapacity, 0);
        assert.equal(fleetInputs(g).launchTemplateConfigs[0].overrides.length, 18);
    });

    it("the synth CLI exits 2 on a bad price file and prints the plan for the committed prod stack", () => {
        const synth = (...args: string[]) =>
            spawnSync(process.execPath, [path.join(repoRoot(), "dist", "cli", "synth.js"), ...args], { encoding: "utf8", cwd: repoRoot() });
        const cfgFile = path.join(tmp, "Pulumi.bad.yaml");
        fs.writeFileSync(cfgFile, stringify(withFile(path.join(tmp, "missing.json"))));
        const bad = synth("--stack", "prod", "--config", cfgFile);
        assert.equal(bad.status, 2, bad.stderr);
        assert.match(bad.stderr, /spotFleets\.etl\.priceFile: cannot read price file .*missing\.json: ENOENT/);
        assert.equal(bad.stdout, "");
        const good = synth("--stack", "prod");
        assert.equal(good.status, 0, good.stderr);
        const out = JSON.parse(good.stdout);
        assert.match(out.outputs.plan.spotFleets.etl.text, /^spot fleet etl: .* of \$2\/h budget/);
        assert.equal(out.outputs.deployed.spotFleets.etl.targetCapacity, 30);
    });
});
