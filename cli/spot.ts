// Entry point that the SpotFleet component's rollout command calls (ops/spot/commands.ts):
//
//   node dist/cli/spot.js rollout --fleet-id ID --launch-template-id ID --version N [--batch-size 40] ...
//   node dist/cli/spot.js mix --fleet-id ID [--share-cap 0.7]
//   node dist/cli/spot.js --help
//
// The grammar is ops/spot/cliargs.ts (a bad flag exits 64 naming it); the decisions (what is accounted for,
// batch order, when a batch has recovered) are ops/spot/rollout.ts. This file only calls EC2 (AWS SDK for
// JavaScript v3; region, credentials and endpoint from the environment) and waits. Progress on stderr.
// Exit codes: 0 ok, 1 bug, 3 refused, 4 timeout, 5 AWS API error, 64 usage.

import {
    DescribeFleetInstancesCommand,
    DescribeFleetsCommand,
    DescribeInstancesCommand,
    DescribeLaunchTemplatesCommand,
    EC2Client,
    TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { parseSpotArgs, type SpotRun, usageText, UsageError } from "../ops/spot/cliargs";
import { endQuietlyOnEpipe } from "./stack-cli";
import { accountFor, batches, FleetInstance, FleetState, fleetRefusal, mix, recovery, startBatch } from "../ops/spot/rollout";

export class SpotFailure extends Error {
    constructor(
        readonly kind: "refused" | "timeout" | "api",
        message: string,
    ) {
        super(message);
    }
}

const EXIT = { refused: 3, timeout: 4, api: 5 } as const;
export const exitCodeOf = (e: unknown): number => (e instanceof UsageError ? 64 : e instanceof SpotFailure ? EXIT[e.kind] : 1);

/** The EC2 calls the rollout makes: narrow, so a test can stand in for what moto does not do. */
export interface FleetApi {
    describeFleet(fleetId: string): Promise<FleetState | undefined>;
    /** Every instance DescribeFleetInstances lists for the fleet, with its EC2 state and tags. */
    fleetInstances(fleetId: string): Promise<FleetInstance[]>;
    terminate(ids: readonly string[]): Promise<void>;
}

const CALL_TIMEOUT_MS = 30_000;

/** FleetApi over the AWS SDK. Any API error is a SpotFailure("api") naming the call: never read as "empty". */
export function ec2FleetApi(client: EC2Client = new EC2Client({ maxAttempts: 3 })): FleetApi {
    const call = async <T>(what: string, f: (signal: AbortSignal) => Promise<T>): Promise<T> => {
        try {
            return await f(AbortSignal.timeout(CALL_TIMEOUT_MS));
        } catch (e) {
            throw new SpotFailure("api", `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
    };
    return {
        async describeFleet(fleetId) {
            const out = await call("DescribeFleets", (abortSignal) => client.send(new DescribeFleetsCommand({ FleetIds: [fleetId] }), { abortSignal }));
            const f = out.Fleets?.find((x) => x.FleetId === fleetId);
            if (!f) return undefined;
            const configs = f.LaunchTemplateConfigs ?? [];
            if (configs.length !== 1)
                throw new SpotFailure("refused", `fleet ${fleetId} has ${configs.length} launch template configs; the rollout handles exactly one`);
            const spec = configs[0].LaunchTemplateSpecification ?? {};
            const templateId = spec.LaunchTemplateId ?? "";
            let version = spec.Version ?? "";
            if (version === "$Latest" || version === "$Default") {
                const lt = await call("DescribeLaunchTemplates", (abortSignal) =>
                    client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] }), { abortSignal }),
                );
                const t = lt.LaunchTemplates?.[0];
                const n = version === "$Latest" ? t?.LatestVersionNumber : t?.DefaultVersionNumber;
                if (n === undefined) throw new SpotFailure("refused", `launch template ${templateId} of fleet ${fleetId} not found`);
                version = String(n);
            }
            const weights: Record<string, number> = {};
            for (const o of configs[0].Overrides ?? []) {
                if (o.InstanceType === undefined) continue;
                const w = o.WeightedCapacity ?? 1;
                if (weights[o.InstanceType] !== undefined && weights[o.InstanceType] !== w) {
                    throw new SpotFailure("refused", `fleet ${fleetId} weighs ${o.InstanceType} both ${weights[o.InstanceType]} and ${w}`);
                }
                weights[o.InstanceType] = w;
            }
            return {
                fleetId,
                state: f.FleetState ?? "unknown",
                type: f.Type ?? "unknown",
                targetCapacity: f.TargetCapacitySpecification?.TotalTargetCapacity ?? 0,
                templateId,
                version,
                weights,
            };
        },
        async fleetInstances(fleetId) {
            const ids: string[] = [];
            let token: string | undefined;
            do {
                const page = await call("DescribeFleetInstances", (abortSignal) =>
                    client.send(new DescribeFleetInstancesCommand({ FleetId: fleetId, ...(token ? { NextToken: token } : {}) }), { abortSignal }),
                );
                for (const i of page.ActiveInstances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
                token = page.NextToken;
            } while (token);
            const out: FleetInstance[] = [];
            for (let k = 0; k < ids.length; k += 100) {
                const chunk = ids.slice(k, k + 100);
                const page = await call("DescribeInstances", (abortSignal) =>
                    client.send(new DescribeInstancesCommand({ InstanceIds: chunk }), { abortSignal }),
                );
                for (const r of page.Reservations ?? []) {
                    for (const i of r.Instances ?? []) {
                        const tag = (key: string) => i.Tags?.find((t) => t.Key === key)?.Value;
                        const templateId = tag("aws:ec2launchtemplate:id");
                        const version = tag("aws:ec2launchtemplate:version");
                        out.push({
                            id: i.InstanceId ?? "",
                            type: i.InstanceType ?? "",
                            state: i.State?.Name ?? "unknown",
                            launchTime: i.LaunchTime ? i.LaunchTime.getTime() : 0,
                            ...(templateId !== undefined ? { templateId } : {}),
                            ...(version !== undefined ? { version } : {}),
                        });
                    }
                }
            }
            const seen = new Set(out.map((i) => i.id));
            const missing = ids.filter((id) => !seen.has(id));
            if (missing.length) throw new SpotFailure("api", `DescribeInstances did not return ${missing.join(", ")}, listed by DescribeFleetInstances`);
            return out;
        },
        async terminate(ids) {
            await call("TerminateInstances", (abortSignal) => client.send(new TerminateInstancesCommand({ InstanceIds: [...ids] }), { abortSignal }));
        },
    };
}

/** The rollout's flags as the grammar parses them, plus where progress goes. */
export type RolloutOptions = Omit<Extract<SpotRun, { command: "rollout" }>, "command"> & {
    readonly log: (line: string) => void;
    readonly sleep?: (ms: number) => Promise<void>;
};

export interface RolloutReport {
    /** Instance ids terminated, batch by batch, in order. */
    readonly batches: string[][];
    readonly mix: ReturnType<typeof mix>;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The rollout loop. Each round reads the fleet again, refuses when anything active cannot be accounted
 * for, terminates the next batch of old instances and waits for recovery (ops/spot/rollout.ts).
 */
export async function rollout(api: FleetApi, o: RolloutOptions): Promise<RolloutReport> {
    const sleep = o.sleep ?? pause;
    const done: string[][] = [];
    const read = async () => {
        const fleet = await api.describeFleet(o.fleetId);
        const refusal = fleetRefusal(fleet, o.fleetId, o.templateId, o.version);
        if (refusal) throw new SpotFailure("refused", `${refusal}; nothing was terminated in this round`);
        return { fleet: fleet!, instances: await api.fleetInstances(o.fleetId) };
    };
    for (let round = 1; ; round++) {
        const { fleet, instances } = await read();
        const a = accountFor(fleet, instances, o.version);
        if (a.unaccounted.length > 0) {
            throw new SpotFailure(
                "refused",
                `cannot account for ${a.unaccounted.map((u) => `${u.id} (${u.why})`).join(", ")}: nothing was terminated in this round` +
                    (done.length ? ` (earlier batches: ${done.map((b) => b.join(" ")).join("; ")})` : ""),
            );
        }
        if (a.old.length === 0) {
            const m = mix(fleet, instances, o.shareCap);
            o.log(`fleet ${o.fleetId}: every active instance is on ${o.templateId} version ${o.version} (${a.current.length} instances, ${m.total} units)`);
            for (const t of m.types)
                o.log(
                    `  ${t.type}: ${t.units} units, ${(t.share * 100).toFixed(0)}% of the fleet${t.over ? ` OVER the share cap ${(o.shareCap * 100).toFixed(0)}% (EC2 does not enforce it)` : ""}`,
                );
            return { batches: done, mix: m };
        }
        const [batch] = batches(a.old, o.batchSize);
        const left = a.old.length;
        const start = startBatch(fleet, instances, batch);
        o.log(
            `batch ${round} (${left} instances left on other versions): terminating ${batch.length}: ${start.batch.join(" ")}; waiting for ${start.want} units on version ${o.version}`,
        );
        await api.terminate(start.batch);
        done.push([...start.batch]);
        const deadline = Date.now() + o.timeoutSeconds * 1000;
        let last = "";
        let loggedAt = 0;
        for (;;) {
            const now = await read();
            const r = recovery(now.fleet, now.instances, start, o.version);
            if (r.kind === "failed") throw new SpotFailure("refused", `batch ${round}: ${r.why}; stopping`);
            // Progress when it changes, and at least every 30 s of a long wait.
            if (r.progress !== last || Date.now() - loggedAt >= 30_000) {
                o.log(`batch ${round}: ${r.progress}`);
                loggedAt = Date.now();
            }
            last = r.progress;
            if (r.kind === "recovered") break;
            if (Date.now() >= deadline) {
                throw new SpotFailure(
                    "timeout",
                    `batch ${round}: capacity did not come back within ${o.timeoutSeconds}s (${r.progress}); the remaining old instances were not touched`,
                );
            }
            await sleep(Math.min(o.pollSeconds * 1000, Math.max(0, deadline - Date.now())));
        }
        if (o.pauseSeconds > 0) {
            o.log(`pausing ${o.pauseSeconds}s before the next batch`);
            await sleep(o.pauseSeconds * 1000);
        }
    }
}

const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

async function main(argv: string[]): Promise<void> {
    const run = parseSpotArgs(argv);
    if (run.command === "help") {
        process.stdout.write(usageText());
        return;
    }
    const api = ec2FleetApi();
    if (run.command === "rollout") {
        const report = await rollout(api, { ...run, log });
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
    }
    const fleet = await api.describeFleet(run.fleetId);
    if (!fleet) throw new SpotFailure("refused", `fleet ${run.fleetId} not found`);
    const m = mix(fleet, await api.fleetInstances(run.fleetId), run.shareCap);
    process.stdout.write(`${JSON.stringify({ fleetId: run.fleetId, shareCap: run.shareCap, ...m })}\n`);
    const over = m.types.filter((t) => t.over);
    if (over.length)
        throw new SpotFailure(
            "refused",
            `over the share cap ${run.shareCap}: ${over.map((t) => `${t.type} ${(t.share * 100).toFixed(0)}%`).join(", ")} (EC2 does not enforce maxPercentPerType)`,
        );
}

if (require.main === module) {
    endQuietlyOnEpipe();
    main(process.argv.slice(2)).then(
        () => process.exit(0),
        (e: unknown) => {
            log(`error: ${e instanceof Error ? e.message : String(e)}`);
            if (e instanceof UsageError) process.stderr.write(usageText());
            process.exit(exitCodeOf(e));
        },
    );
}
