/**
 * The spot fleets section ("Spot Manager"): per fleet, the capacity EC2 fulfilled against the target, the running
 * mix of instance types against maxPercentPerType (which EC2 does not enforce: ops/spot/rollout.ts `mix`), and
 * the spend of the running instances at the stack's prices against the budget and the EC2 spend ceiling.
 */
import type { Answer } from "./answer";
import { fault, type Finding, ok, unknown, warn } from "./findings";
import { capacity, type FleetInstance, type FleetState, isActive, mix } from "../spot/rollout";

export interface FleetFacts {
    /** The config's name, e.g. etl. */
    readonly name: string;
    readonly fleetId: string;
    /** DescribeFleets (undefined: EC2 does not know the fleet) and DescribeFleetInstances + DescribeInstances. */
    readonly fleet: Answer<{ readonly state: FleetState | undefined; readonly instances: readonly FleetInstance[] }>;
    readonly maxPercentPerType: number;
    /** Dollars per hour. */
    readonly budget: number;
    readonly spendCeiling: number | undefined;
    /** Dollars per instance-hour per type (the prices the last update planned with). */
    readonly prices: Readonly<Record<string, number>>;
}

const F = "fleets" as const;
const money = (x: number) => `$${x.toFixed(4).replace(/0{1,2}$/, "")}/h`;

export function checkFleet(f: FleetFacts): Finding[] {
    const subject = `${f.name} (${f.fleetId})`;
    if (!f.fleet.ok)
        return [
            unknown(
                F,
                "capacity",
                subject,
                `EC2 did not answer: ${f.fleet.why}`,
                "check the credentials' ec2:DescribeFleets and ec2:DescribeFleetInstances in the stack's region",
            ),
        ];
    const fleet = f.fleet.value.state;
    if (fleet === undefined || /^deleted/.test(fleet.state)) {
        return [
            fault(
                F,
                "capacity",
                subject,
                fleet === undefined ? "EC2 does not know this fleet" : `the fleet is ${fleet.state}`,
                "run `pulumi up`: the program recreates the fleet the outputs name",
            ),
        ];
    }
    const instances = f.fleet.value.instances;
    const out: Finding[] = [];
    const have = capacity(fleet, instances);
    const seen = `${have} of ${fleet.targetCapacity} units fulfilled (${instances.filter(isActive).length} instances)`;
    if (have >= fleet.targetCapacity) out.push(ok(F, "capacity", subject, seen));
    else
        out.push(
            warn(
                F,
                "capacity",
                subject,
                seen,
                'EC2 found no spot capacity at the price caps: check spot prices against maxUtilityPrice and the budget ("the ETL is not given enough money")',
            ),
        );
    const m = mix(fleet, instances, f.maxPercentPerType);
    const shares = m.types.map((t) => `${t.type} ${(t.share * 100).toFixed(0)}%`).join(", ") || "no instances";
    const over = m.types.filter((t) => t.over);
    if (over.length === 0) out.push(ok(F, "mix", subject, `${shares} (cap ${(f.maxPercentPerType * 100).toFixed(0)}%)`));
    else
        out.push(
            warn(
                F,
                "mix",
                subject,
                `${shares}: ${over.map((t) => t.type).join(", ")} over maxPercentPerType ${(f.maxPercentPerType * 100).toFixed(0)}% (EC2 does not enforce it)`,
                "one spot reclaim would take most of the fleet: `node dist/cli/spot.js mix` shows it; replace instances of that type (a rollout) or lower its maxPrice",
            ),
        );
    const active = instances.filter(isActive);
    const unpriced = [...new Set(active.map((i) => i.type).filter((t) => f.prices[t] === undefined))];
    if (unpriced.length > 0) {
        out.push(
            unknown(
                F,
                "spend",
                subject,
                `no price for ${unpriced.join(", ")} in the stack's prices`,
                "give the fleet's prices (spotFleets.NAME.prices) for every type it runs",
            ),
        );
        return out;
    }
    const spend = active.reduce((a, i) => a + f.prices[i.type]!, 0);
    const seenSpend = `${money(spend)} of ${money(f.budget)} budget${f.spendCeiling !== undefined ? `, ceiling ${money(f.spendCeiling)}` : ""}`;
    if (f.spendCeiling !== undefined && spend > f.spendCeiling + 1e-9)
        out.push(
            fault(
                F,
                "spend",
                subject,
                `${seenSpend}: over the ceiling`,
                "the prices the stack planned with are below today's: lower the budget or targetUtility and run `pulumi up`",
            ),
        );
    else if (spend > f.budget + 1e-9)
        out.push(
            warn(
                F,
                "spend",
                subject,
                `${seenSpend}: over the budget`,
                "prices rose since the last update: run `pulumi up` to re-plan the fleet within its budget",
            ),
        );
    else out.push(ok(F, "spend", subject, seenSpend));
    return out;
}
