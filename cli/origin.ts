// Entry point for the origin cluster (Kraken origin placement by weighted rendezvous hashing, ops/origin/):
//
//   node dist/cli/origin.js placement --hashstate FILE [--replicas N]
//       reads keys (hex: digests, or 4-hex shard ids) on stdin, one per line, and prints one JSON line per key:
//       {"key": "...", "ordered": [label, ...all origins, highest score first], "replicaSet": [first N labels]}
//   node dist/cli/origin.js plan --from FILE --to FILE [--replicas N] [--shards]
//       prints the update plan as JSON: change class, rolling restart order, repair sequence, shard movement
//       (moved fraction vs minimum), shard-targeted repairs (counts; the shard lists too with --shards).
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
import { planOriginUpdate, replicasChangeRefusal, shardMovement, shardRepairPlan } from "../ops/origin/repair";

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

function replicasOption(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--replicas must be a positive integer, got ${value}`);
  return n;
}

async function placement(file: string, replicasArg: string | undefined): Promise<void> {
  const cluster = readCluster(file);
  const replicas = replicasOption(replicasArg, cluster.replicas);
  const p = rendezvousHash(hashstateNodes(cluster.hashstate));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const key = raw.trim();
    if (key === "") continue;
    let ordered: string[];
    try {
      ordered = p.orderedLabels(key);
    } catch (e) {
      throw new UsageError(`stdin line ${n}: ${(e as Error).message}`);
    }
    process.stdout.write(JSON.stringify({ key, ordered, replicaSet: ordered.slice(0, replicas) }) + "\n");
  }
}

function plan(fromFile: string, toFile: string, replicasArg: string | undefined, withShards: boolean): number {
  const from = readCluster(fromFile);
  const to = readCluster(toFile);
  const replicas = replicasOption(replicasArg, to.replicas);
  const replicasRefusal = replicasChangeRefusal(from.replicas, to.replicas);
  const update = planOriginUpdate(from.hashstate, to.hashstate);
  const movement = shardMovement(from.hashstate, to.hashstate, replicas);
  const count = (m: Readonly<Record<string, readonly string[]>>) =>
    Object.fromEntries(Object.entries(m).map(([h, shards]) => [h, shards.length]));
  const refusal = replicasRefusal ?? (update.change.kind === "refused" ? update.change.message : undefined);
  const allowed = refusal === undefined;
  const shards = shardRepairPlan(to.hashstate, movement);
  const out = {
    allowed,
    change: update.change,
    replicas,
    rollingRestart: allowed ? update.rollingRestart : [],
    repairs: allowed ? update.repairs : [],
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
    shardRepairs: allowed
      ? {
          repairs: shards.repairs.map((r) => ({
            host: r.host,
            label: r.label,
            shardCount: r.shards.length,
            ...(withShards ? { shards: r.shards } : {}),
          })),
          orphanedShards: shards.orphanedShards.length,
        }
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
      await placement(need("hashstate"), replicas);
      return 0;
    case "plan":
      return plan(need("from"), need("to"), replicas, values.shards === true);
    default:
      throw new UsageError(
        "usage: origin.js placement --hashstate FILE [--replicas N] < keys\n" +
          "       origin.js plan --from FILE --to FILE [--replicas N] [--shards]",
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
