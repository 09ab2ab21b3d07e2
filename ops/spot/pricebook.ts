/**
 * Price book: from spot price history to one dollars-per-instance-hour figure per instance type.
 *
 * Two history shapes are read (both are lists of price *changes*, one per pool = type x zone):
 * (product labels: SpotManager asked AWS for `product`, default "Linux/UNIX (Amazon VPC)", and wrote the label
 * AWS answered; `products` lists the labels read, config.ts LINUX_PRODUCTS by default)
 *  - SpotManager's price_file (resources/aws/prices.json, written by SpotManager._get_spot_prices_from_aws):
 *      [{"instance_type": "c5.xlarge", "availability_zone": "us-west-2c", "price": 0.0712,
 *        "timestamp": 1546300800, "product_description": "Linux/UNIX", "region": "us-west-2"}, ...]
 *    `timestamp` is unix seconds (an ISO 8601 string is read too); product_description and region are optional.
 *  - `aws ec2 describe-spot-price-history` output, so the shell can record live prices in the same place:
 *      {"SpotPriceHistory": [{"InstanceType": "c5.xlarge", "AvailabilityZone": "us-west-2c",
 *        "SpotPrice": "0.071200", "Timestamp": "2019-01-01T00:00:00+00:00", "ProductDescription": "Linux/UNIX"}]}
 *    (or the bare list).
 *
 * Reduction, like SpotManager.pricing(): each change is in effect from `uptime` before its timestamp
 * (SpotManager's "effective" window: a machine must survive `uptime.duration`, so a spike counts a
 * little into the past) until the next change; each hour of the last `history` hours takes the highest
 * price in effect during it; a pool's price is the `percentile` (SpotManager's bid_percentile, docs/spot.md:
 * 80%) of those hourly maxima, nearest-rank. A type's price is its cheapest allowed zone's: EC2 Fleet's
 * price-based allocation strategies fill the cheapest pool first, and SpotManager bid per (type, zone)
 * in order of value. `currentPrice` is the latest change at or before `now`.
 */
import { z } from "zod";
import { ConfigError, problemsFromZod } from "../config/errors";

export interface SpotPriceChange {
    readonly instanceType: string;
    readonly availabilityZone: string;
    /** Dollars per instance-hour. */
    readonly price: number;
    /** Unix seconds. */
    readonly timestamp: number;
    readonly productDescription?: string;
}

const positivePrice = z.coerce
    .number({ error: "price must be a number of dollars per instance-hour" })
    .positive({ error: "price must be > 0 dollars per instance-hour" });

const SpotManagerEntry = z.object({
    instance_type: z.string({ error: 'instance_type must be a string such as "c5.xlarge"' }).min(1),
    availability_zone: z.string({ error: 'availability_zone must be a string such as "us-west-2c"' }).min(1),
    price: positivePrice,
    // Unix seconds (mo-times Date.unix, what SpotManager wrote; fractional allowed) or an ISO 8601 date.
    timestamp: z.union(
        [
            z.number({ error: "timestamp must be unix seconds or an ISO 8601 date" }),
            z.string().refine((t) => !Number.isNaN(Date.parse(t)), { error: "timestamp must be unix seconds or an ISO 8601 date" }),
        ],
        { error: "timestamp must be unix seconds or an ISO 8601 date" },
    ),
    product_description: z.string().optional(),
});

const AwsEntry = z.object({
    InstanceType: z.string({ error: "InstanceType must be a string" }).min(1),
    AvailabilityZone: z.string({ error: "AvailabilityZone must be a string" }).min(1),
    SpotPrice: positivePrice,
    Timestamp: z
        .string({ error: "Timestamp must be an ISO 8601 date" })
        .refine((s) => !Number.isNaN(Date.parse(s)), { error: "Timestamp must be an ISO 8601 date" }),
    ProductDescription: z.string().optional(),
});

const isAwsShape = (v: unknown): boolean =>
    (typeof v === "object" && v !== null && !Array.isArray(v) && "SpotPriceHistory" in v) ||
    (Array.isArray(v) && typeof v[0] === "object" && v[0] !== null && "SpotPrice" in v[0]);

/**
 * Parse a price history file's JSON (either shape above). Throws ConfigError naming the entry
 * (`priceFile[12].price: ...`) when something is wrong: a price book read wrong would buy wrong.
 */
export function parsePriceHistory(json: unknown, label = "priceFile"): SpotPriceChange[] {
    if (isAwsShape(json)) {
        const schema = z.union([z.strictObject({ SpotPriceHistory: z.array(AwsEntry), NextToken: z.string().optional() }), z.array(AwsEntry)]);
        const r = schema.safeParse(json);
        if (!r.success) throw new ConfigError(problemsFromZod(r.error, schema, [label]), "spot price history");
        const list = Array.isArray(r.data) ? r.data : r.data.SpotPriceHistory;
        return list.map((e) => ({
            instanceType: e.InstanceType,
            availabilityZone: e.AvailabilityZone,
            price: e.SpotPrice,
            timestamp: Date.parse(e.Timestamp) / 1000,
            ...(e.ProductDescription !== undefined ? { productDescription: e.ProductDescription } : {}),
        }));
    }
    const schema = z.array(SpotManagerEntry, { error: "a price file is a list of {instance_type, availability_zone, price, timestamp}" });
    const r = schema.safeParse(json);
    if (!r.success) throw new ConfigError(problemsFromZod(r.error, schema, [label]), "spot price history");
    return r.data.map((e) => ({
        instanceType: e.instance_type,
        availabilityZone: e.availability_zone,
        price: e.price,
        timestamp: typeof e.timestamp === "number" ? e.timestamp : Date.parse(e.timestamp) / 1000,
        ...(e.product_description !== undefined ? { productDescription: e.product_description } : {}),
    }));
}

export interface PriceReduction {
    /** Unix seconds; the end of the history window. */
    readonly now: number;
    /** Hours of history to use (SpotManager uptime.history, default a day). */
    readonly historyHours?: number;
    /** Minutes a price counts before its timestamp (SpotManager uptime.duration, default 5 minutes). */
    readonly uptimeMinutes?: number;
    /** Percentile of hourly maxima, in (0, 1] (SpotManager bid_percentile; docs/spot.md: 0.8). */
    readonly percentile?: number;
    /** Only these zones (the fleet's subnets' zones); all when absent. */
    readonly zones?: readonly string[];
    /**
     * Only changes with one of these product descriptions, when they carry one (config.ts LINUX_PRODUCTS:
     * "Linux/UNIX" and SpotManager's default "Linux/UNIX (Amazon VPC)").
     */
    readonly products?: readonly string[];
}

export interface TypePrice {
    readonly instanceType: string;
    /** Zone whose percentile price is lowest. */
    readonly availabilityZone: string;
    /** Percentile of hourly maximum prices, dollars per instance-hour: what the plan uses. */
    readonly price: number;
    /** Latest price at or before `now` in that zone. */
    readonly currentPrice: number;
    /** Hours with a price in the window. */
    readonly hours: number;
}

export type PriceBook = Readonly<Record<string, TypePrice>>;

const HOUR = 3600;

/** Nearest-rank percentile of a non-empty list. */
export function nearestRank(values: readonly number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length - 1e-9)));
    return sorted[rank - 1];
}

function poolPrice(changes: SpotPriceChange[], r: Required<Omit<PriceReduction, "zones" | "products">>) {
    const past = changes.filter((c) => c.timestamp <= r.now).sort((a, b) => a.timestamp - b.timestamp);
    if (past.length === 0) return undefined;
    const windowStart = Math.floor(r.now / HOUR) * HOUR - r.historyHours * HOUR;
    const windowEnd = Math.floor(r.now / HOUR) * HOUR + HOUR;
    const uptime = r.uptimeMinutes * 60;
    const hourly = new Map<number, number>();
    past.forEach((c, k) => {
        const start = Math.max(windowStart, c.timestamp - uptime);
        const expire = k + 1 < past.length ? past[k + 1].timestamp : windowEnd;
        if (expire <= windowStart) return;
        for (let h = Math.floor(start / HOUR) * HOUR; h < Math.min(expire, windowEnd); h += HOUR) {
            hourly.set(h, Math.max(hourly.get(h) ?? 0, c.price));
        }
    });
    if (hourly.size === 0) return undefined;
    return { price: nearestRank([...hourly.values()], r.percentile), currentPrice: past[past.length - 1].price, hours: hourly.size };
}

/** Reduce price changes to one price per instance type (see the header for the rule). */
export function reducePriceHistory(changes: readonly SpotPriceChange[], options: PriceReduction): PriceBook {
    const r = {
        now: options.now,
        historyHours: options.historyHours ?? 24,
        uptimeMinutes: options.uptimeMinutes ?? 5,
        percentile: options.percentile ?? 0.8,
    };
    if (!(r.percentile > 0 && r.percentile <= 1)) throw new RangeError(`percentile must be in (0, 1], got ${r.percentile}`);
    if (!(r.historyHours > 0)) throw new RangeError(`historyHours must be > 0, got ${r.historyHours}`);
    const zones = options.zones ? new Set(options.zones) : undefined;
    const pools = new Map<string, SpotPriceChange[]>();
    for (const c of changes) {
        if (zones && !zones.has(c.availabilityZone)) continue;
        if (options.products && c.productDescription !== undefined && !options.products.includes(c.productDescription)) continue;
        const key = `${c.instanceType}\u0000${c.availabilityZone}`;
        const list = pools.get(key);
        if (list) list.push(c);
        else pools.set(key, [c]);
    }
    const book: Record<string, TypePrice> = {};
    for (const list of pools.values()) {
        const { instanceType, availabilityZone } = list[0];
        const p = poolPrice(list, r);
        if (!p) continue;
        const best = book[instanceType];
        if (!best || p.price < best.price || (p.price === best.price && availabilityZone < best.availabilityZone)) {
            book[instanceType] = { instanceType, availabilityZone, ...p };
        }
    }
    return book;
}

/** The per-type dollars-per-instance-hour map the allocator takes. */
export function typePrices(book: PriceBook, use: "percentile" | "current" = "percentile"): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [type, p] of Object.entries(book)) out[type] = use === "percentile" ? p.price : p.currentPrice;
    return out;
}
