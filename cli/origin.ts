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
// Exit codes: 0 ok, 1 error (bad input, usage), 2 change refused (the message is on stderr too).

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

class UsageError extends Error {}

function readCluster(file: string): OriginCluster {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  try {
    return parseOriginCluster(document);
  } catch (e) {
    if (e instanceof z.ZodError) throw new UsageError(`${file}: invalid origin configuration\n${z.prettifyError(e)}`);
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

function plan(fromFile: string, toFile: string, replicasArg: string | undefined, withShards: boolean, target: KrakenTarget): number {
  const from = readCluster(fromFile);
  const to = readCluster(toFile);
  const replicas = replicasOption(replicasArg, to.replicas);
  const replicasRefusal = replicasChangeRefusal(from.replicas, to.replicas);
  const update = originUpdatePlan({ previous: from.hashstate, next: to.hashstate, replicas, port: to.port, target, repairMode: "full", hasInventory: true });
  // Shown for every plan, also when nothing moves.
  const movement = update.movement ?? shardMovement(ringHashstate(from.hashstate, target, from.port), ringHashstate(to.hashstate, target, to.port), replicas);
  const count = (m: Readonly<Record<string, readonly string[]>>) =>
    Object.fromEntries(Object.entries(m).map(([h, shards]) => [h, shards.length]));
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
              repairs: shards.repairs.map((r) => ({ host: r.host, label: r.label, shardCount: r.shards.length, ...(withShards ? { shards: r.shards } : {}) })),
              orphanedShards: shards.orphanedShards.length,
            };
          })()
        : null,
    ...(refusal === undefined ? {} : { refusal }),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  if (refusal !== undefined) {
    process.stderr.write(refusal + "\n");
    return 2;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
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
    throw new UsageError((e as Error).message);
  }
  const need = (name: string): string => {
    const v = values[name];
    if (typeof v !== "string" || v === "") throw new UsageError(`${command} needs --${name}`);
    return v;
  };
  const replicas = values.replicas as string | undefined;
  switch (command) {
    case "placement":
      await placement(need("hashstate"), replicas, targetOption(values.kraken as string | undefined));
      return 0;
    case "plan":
      return plan(need("from"), need("to"), replicas, values.shards === true, targetOption(values.kraken as string | undefined));
    default:
      throw new UsageError(
        "usage: origin.js placement --hashstate FILE [--replicas N] [--kraken released|runbook] < keys\n" +
          "       origin.js plan --from FILE --to FILE [--replicas N] [--shards] [--kraken released|runbook]",
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`origin: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
