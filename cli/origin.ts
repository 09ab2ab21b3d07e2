// Entry point for the origin cluster (Kraken origin placement by weighted rendezvous hashing, ops/origin/):
//
//   node dist/cli/origin.js placement --hashstate FILE [--replicas N] [--kraken released|runbook]
//       reads keys (hex: digests, or 4-hex shard ids) on stdin, one per line, and prints one JSON line per key:
//       {"key": "...", "ordered": [member, ...all origins, highest score first], "replicaSet": [first N members]}
//       Members are what the target Kraken keys its ring by: released (the default) `host:port` with weight 100,
//       as the live ring's /blobs/<digest>/locations names them; runbook the hashstate labels and weights.
//       A key that is a full digest is placed by its shard id (first 4 hex digits), as Kraken's ring does.
//   node dist/cli/origin.js plan --from FILE --to FILE [--replicas N] [--shards] [--kraken released|runbook]
//       prints the update plan (ops/origin/plan.ts, the same plan `pulumi up` runs) as JSON: change class,
//       rolling restart order, repair steps, shard movement (moved fraction vs minimum); shard lists with --shards.
//
// FILE is YAML or JSON, either the stack config section {hashstate: {<host>: {label, weight}}, replicas?, port?}
// or the bare hashstate map; a top-level `hashstate` key means the first form. --replicas overrides the file's
// (default 3) for placement and shard movement; a plan whose two files differ in replicas is refused.
// `npm run -s origin -- --help` prints the usage. examples/origin/ holds a runbook hashstate and a deployed/proposed pair.
// Exit codes (the project's table, cli/stack-cli.ts): 0 ok, 2 refused (a change the runbook forbids, or a FILE whose
// configuration is invalid; the message is on stderr too), 64 bad usage (unknown flag, missing argument or file, a key
// on stdin that is not hex), 1 anything else. A reader that closes stdout early ends the command quietly.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type OriginCluster, hashstateNodes, parseOriginCluster } from "../ops/origin/hashstate";
import { rendezvousHash } from "../ops/origin/hrw";
import { type KrakenTarget, KRAKEN_TARGETS, ringHashstate } from "../ops/origin/kraken";
import { describeRepair, originUpdatePlan } from "../ops/origin/plan";
import { replicasChangeRefusal, shardMovement, shardRepairPlan } from "../ops/origin/repair";
import { runCli, UsageError, writeStdout } from "./stack-cli";

/** The configuration in FILE is invalid: refused by config (exit 2), as synth refuses an invalid stack file. */
class InvalidFile extends Error {}

export const USAGE = [
    "usage: npm run -s origin -- placement --hashstate FILE [--replicas N] [--kraken released|runbook] < keys",
    "       npm run -s origin -- plan --from FILE --to FILE [--replicas N] [--shards] [--kraken released|runbook]",
    "       npm run -s origin -- --help",
    "  placement: one JSON line per key on stdin (hex digests, or 4-hex shard ids): {key, ordered, replicaSet}",
    "  plan:      the update plan from the deployed FILE to the proposed one, as JSON (change, rolling restart, repairs,",
    "             shard movement); a change the runbook forbids prints its single steps and exits 2",
    "  FILE: YAML or JSON, {hashstate: {<host>: {label, weight}}, replicas?, port?} or the bare hashstate map",
    "  --kraken:  released (default; members host:port, weight 100) or runbook (the hashstate's labels and weights)",
    "exit: 0 ok, 2 refused (a forbidden change, an invalid FILE), 64 bad usage, 1 anything else",
].join("\n");

function readCluster(file: string): OriginCluster {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    let document: unknown;
    try {
        document = parseYaml(text);
    } catch (e) {
        throw new InvalidFile(`${file}: ${(e as Error).message}`);
    }
    try {
        return parseOriginCluster(document);
    } catch (e) {
        if (e instanceof z.ZodError) throw new InvalidFile(`${file}: invalid origin configuration\n${z.prettifyError(e)}`);
        throw e;
    }
}

function targetOption(value: string | undefined): KrakenTarget {
    if (value === undefined) return "released";
    if (!(KRAKEN_TARGETS as readonly string[]).includes(value)) throw new UsageError(`--kraken must be released or runbook, got ${value}`);
    return value as KrakenTarget;
}

function replicasOption(value: string | undefined, fallback: number): number {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--replicas must be a positive integer, got ${value}`);
    return n;
}

async function placement(file: string, replicasArg: string | undefined, target: KrakenTarget): Promise<void> {
    const cluster = readCluster(file);
    const replicas = replicasOption(replicasArg, cluster.replicas);
    const p = rendezvousHash(hashstateNodes(ringHashstate(cluster.hashstate, target, cluster.port)));
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const raw of lines) {
        n++;
        const key = raw.trim();
        if (key === "") continue;
        let ordered: string[];
        try {
            ordered = p.orderedLabels(target === "released" && key.length > 4 ? key.slice(0, 4) : key);
        } catch (e) {
            throw new UsageError(`stdin line ${n}: ${(e as Error).message}`);
        }
        process.stdout.write(JSON.stringify({ key, ordered, replicaSet: ordered.slice(0, replicas) }) + "\n");
    }
}

async function plan(fromFile: string, toFile: string, replicasArg: string | undefined, withShards: boolean, target: KrakenTarget): Promise<number> {
    const from = readCluster(fromFile);
    const to = readCluster(toFile);
    const replicas = replicasOption(replicasArg, to.replicas);
    const replicasRefusal = replicasChangeRefusal(from.replicas, to.replicas);
    const update = originUpdatePlan({ previous: from.hashstate, next: to.hashstate, replicas, port: to.port, target, repairMode: "full", hasInventory: true });
    // Shown for every plan, also when nothing moves.
    const movement = update.movement ?? shardMovement(ringHashstate(from.hashstate, target, from.port), ringHashstate(to.hashstate, target, to.port), replicas);
    const count = (m: Readonly<Record<string, readonly string[]>>) => Object.fromEntries(Object.entries(m).map(([h, shards]) => [h, shards.length]));
    const refusal = replicasRefusal ?? (update.refusals.length > 0 ? update.refusals.join("\n") : undefined);
    const allowed = refusal === undefined;
    const out = {
        allowed,
        kraken: target,
        change: update.change,
        replicas,
        rollingRestart: allowed && update.change.kind !== "none" ? update.rollingRestart : [],
        repairs: allowed
            ? update.repairs.map((r) =>
                  r.kind === "fill"
                      ? { fill: r.plan.shards.length, cleanup: r.plan.cleanup, ...(withShards ? { shards: r.plan.shards } : {}), step: describeRepair(r) }
                      : { host: r.host, label: r.label, path: r.path, step: describeRepair(r) },
              )
            : [],
        movement: {
            shards: movement.shards,
            changedShards: movement.changedShards,
            movedSlots: movement.movedSlots,
            movedFraction: movement.movedFraction,
            minimumFraction: movement.minimumFraction,
            movedOverMinimum: movement.minimumFraction === 0 ? null : movement.movedFraction / movement.minimumFraction,
            gainedShards: count(movement.gained),
            lostShards: count(movement.lost),
        },
        // runbook: the shard-targeted alternative to the full repairs (repair.mode shards).
        shardRepairs:
            allowed && target === "runbook"
                ? (() => {
                      const shards = shardRepairPlan(to.hashstate, movement);
                      return {
                          repairs: shards.repairs.map((r) => ({
                              host: r.host,
                              label: r.label,
                              shardCount: r.shards.length,
                              ...(withShards ? { shards: r.shards } : {}),
                          })),
                          orphanedShards: shards.orphanedShards.length,
                      };
                  })()
                : null,
        ...(refusal === undefined ? {} : { refusal }),
    };
    await writeStdout(JSON.stringify(out, null, 2) + "\n");
    if (refusal !== undefined) {
        process.stderr.write(refusal + "\n");
        return 2;
    }
    return 0;
}

async function main(argv: string[]): Promise<number> {
    if (argv.length === 0) throw new UsageError(`a command is required\n${USAGE}`);
    if (argv[0] === "help" || argv.includes("--help") || argv.includes("-h")) {
        await writeStdout(USAGE + "\n");
        return 0;
    }
    const [command, ...rest] = argv;
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: rest,
            strict: true,
            options: {
                hashstate: { type: "string" },
                replicas: { type: "string" },
                from: { type: "string" },
                to: { type: "string" },
                shards: { type: "boolean" },
                kraken: { type: "string" },
            },
        }));
    } catch (e) {
        throw new UsageError(`${(e as Error).message}\n${USAGE}`);
    }
    const need = (name: string): string => {
        const v = values[name];
        if (typeof v !== "string" || v === "") throw new UsageError(`${command} needs --${name}\n${USAGE}`);
        return v;
    };
    const replicas = values.replicas as string | undefined;
    switch (command) {
        case "placement":
            await placement(need("hashstate"), replicas, targetOption(values.kraken as string | undefined));
            await writeStdout(""); // resolves once every line before it is flushed, so the exit cuts nothing short
            return 0;
        case "plan":
            return plan(need("from"), need("to"), replicas, values.shards === true, targetOption(values.kraken as string | undefined));
        default:
            throw new UsageError(`unknown command '${command}'\n${USAGE}`);
    }
}

if (require.main === module)
    runCli(
        "origin",
        () => main(process.argv.slice(2)),
        (e) => e instanceof InvalidFile,
    );
