import assert from "node:assert/strict";
import { nearestRank, parsePriceHistory, reducePriceHistory, typePrices } from "../../ops/spot/pricebook";

const HOUR = 3600;
const now = 1_700_000_000 - (1_700_000_000 % HOUR) + 1800; // half past an hour
const spikeHour = now - 1800 - 6 * HOUR; // an hour mark six hours ago

/** SpotManager price_file rows for one pool: 0.05 all day, 0.50 from spikeHour+2min to spikeHour+4min. */
function spikyPool(zone: string, base = 0.05, spike = 0.5) {
    return [
        { instance_type: "c5.xlarge", availability_zone: zone, price: base, timestamp: now - 30 * HOUR, product_description: "Linux/UNIX" },
        { instance_type: "c5.xlarge", availability_zone: zone, price: spike, timestamp: spikeHour + 120, product_description: "Linux/UNIX" },
        { instance_type: "c5.xlarge", availability_zone: zone, price: base, timestamp: spikeHour + 240, product_description: "Linux/UNIX" },
    ];
}

describe("spot price book", () => {
    it("reads SpotManager's price file and ignores a short spike at the 80th percentile", () => {
        const book = reducePriceHistory(parsePriceHistory(spikyPool("us-west-2c")), { now });
        assert.equal(book["c5.xlarge"].price, 0.05);
        assert.equal(book["c5.xlarge"].currentPrice, 0.05);
        assert.equal(book["c5.xlarge"].availabilityZone, "us-west-2c");
        assert.equal(book["c5.xlarge"].hours, 25);
    });

    it("counts a price `uptime` minutes into the past, so a spike just after the hour marks the hour before too", () => {
        const changes = parsePriceHistory(spikyPool("us-west-2c"));
        // 25 hourly maxima; the 95th percentile is the 24th smallest: the spike only if it marks two hours.
        assert.equal(reducePriceHistory(changes, { now, percentile: 0.95, uptimeMinutes: 5 })["c5.xlarge"].price, 0.5);
        assert.equal(reducePriceHistory(changes, { now, percentile: 0.95, uptimeMinutes: 0 })["c5.xlarge"].price, 0.05);
        assert.equal(reducePriceHistory(changes, { now, percentile: 1, uptimeMinutes: 0 })["c5.xlarge"].price, 0.5);
    });

    it("prices a type at its cheapest allowed zone", () => {
        const changes = parsePriceHistory([...spikyPool("us-west-2a", 0.07), ...spikyPool("us-west-2b", 0.04)]);
        assert.equal(reducePriceHistory(changes, { now })["c5.xlarge"].availabilityZone, "us-west-2b");
        const onlyA = reducePriceHistory(changes, { now, zones: ["us-west-2a"] });
        assert.equal(onlyA["c5.xlarge"].availabilityZone, "us-west-2a");
        assert.equal(typePrices(onlyA)["c5.xlarge"], 0.07);
    });

    it("ignores changes after `now` and history older than the window", () => {
        const rows = [
            { instance_type: "m5.large", availability_zone: "z1", price: 0.9, timestamp: now - 40 * HOUR },
            { instance_type: "m5.large", availability_zone: "z1", price: 0.03, timestamp: now - 30 * HOUR },
            { instance_type: "m5.large", availability_zone: "z1", price: 0.8, timestamp: now + HOUR },
        ];
        const book = reducePriceHistory(parsePriceHistory(rows), { now, percentile: 1 });
        assert.equal(book["m5.large"].price, 0.03);
        assert.equal(book["m5.large"].currentPrice, 0.03);
    });

    it("reads `aws ec2 describe-spot-price-history` output, string prices and ISO times", () => {
        const iso = (t: number) => new Date(t * 1000).toISOString();
        const changes = parsePriceHistory({
            SpotPriceHistory: [
                {
                    AvailabilityZone: "us-west-2c",
                    InstanceType: "r5.large",
                    ProductDescription: "Linux/UNIX",
                    SpotPrice: "0.031200",
                    Timestamp: iso(now - 2 * HOUR),
                },
                { AvailabilityZone: "us-west-2c", InstanceType: "r5.large", ProductDescription: "Windows", SpotPrice: "0.090000", Timestamp: iso(now - HOUR) },
            ],
        });
        assert.equal(changes[0].price, 0.0312);
        assert.equal(changes[0].timestamp, now - 2 * HOUR);
        const linux = reducePriceHistory(changes, { now, percentile: 1, products: ["Linux/UNIX"] });
        assert.equal(linux["r5.large"].price, 0.0312);
    });

    it("names the entry and field of a bad row", () => {
        const rows = [...spikyPool("z1"), { instance_type: "c5.xlarge", availability_zone: "z1", price: "cheap", timestamp: now }];
        assert.throws(() => parsePriceHistory(rows), /priceFile\[3\]\.price: price must be a number/);
        assert.throws(() => parsePriceHistory([{ instance_type: "c5.xlarge", price: 0.1, timestamp: now }]), /priceFile\[0\]\.availability_zone:/);
    });

    it("takes nearest-rank percentiles", () => {
        assert.equal(nearestRank([5, 1, 4, 2, 3], 0.8), 4);
        assert.equal(nearestRank([5, 1, 4, 2, 3], 0.81), 5);
        assert.equal(nearestRank([5, 1, 4, 2, 3], 0.01), 1);
    });
});
