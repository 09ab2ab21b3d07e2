// Benchmark: the project's drain (ops/search/drain.ts through the command string of commands.ts) against the
// runbook's manual procedure ("Changing Cluster Config": set the exclusion, then look every 10 s until the
// node is empty), on the same real OpenSearch cluster and the same data, alternating which goes first.
//
// Run from the repository root (OpenSearch installed by tests/peers/opensearch/install.sh):
//   npm run build && node dist/bench/search/drain.js [--trials 3] [--docs 20000] [--shards 6] [--poll 10]
//
// Prints, per method: wall time from the first settings change to "done", and the delay between the moment
// the last copy left the node (seen by an observer polling _cat/shards every 100 ms) and the method returning;
// then the ratio of median wall times (runbook / project). The project also raises the recovery throttles
// during its drain; the runbook procedure runs with the cluster's defaults, as an operator following it would.

import { parseArgs } from "node:util";
import type { SearchClient } from "../../ops/search/client";
import { drainCommand } from "../../ops/search/commands";
import { EXCLUDE_NAME, copiesOnNode, isDrained } from "../../ops/search/model";
import { TestCluster } from "../../tests/search/cluster";
import { bulkIndex, createIndex, idRange, waitGreen } from "../../tests/search/data";
import { runCommand } from "../../tests/search/run-command";

const NODE = "backup-a-g0";
const INDEX = "bench";
const OBSERVE_MS = 100;

interface Sample {
  method: "project" | "runbook";
  wallSeconds: number;
  delaySeconds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { trials: { type: "string", default: "3" }, docs: { type: "string", default: "20000" }, shards: { type: "string", default: "6" }, poll: { type: "string", default: "10" } },
  });
  const trials = Number(values.trials);
  const docs = Number(values.docs);
  const shards = Number(values.shards);
  const pollSeconds = Number(values.poll);

  const cluster = await TestCluster.start({ log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
  const samples: Sample[] = [];
  try {
    const client = cluster.client();
    await client.putSettings({ persistent: { "cluster.routing.rebalance.enable": "none" } });
    for (let t = 0; t < trials; t++) {
      const order: Sample["method"][] = t % 2 === 0 ? ["project", "runbook"] : ["runbook", "project"];
      for (const method of order) {
        await prepare(cluster, client, docs, shards);
        const sample = await measure(method, cluster, client, pollSeconds);
        samples.push(sample);
        process.stdout.write(`trial ${t + 1} ${method.padEnd(7)} wall ${sample.wallSeconds.toFixed(2)} s, returned ${sample.delaySeconds.toFixed(2)} s after the last copy left\n`);
      }
    }
  } finally {
    await cluster.close();
  }
  const med = (m: Sample["method"], k: "wallSeconds" | "delaySeconds"): number => median(samples.filter((s) => s.method === m).map((s) => s[k]));
  process.stdout.write(
    `\n${docs} docs in ${shards} single-copy shards moved off ${NODE}, ${trials} trials each (observer resolution ${OBSERVE_MS} ms)\n` +
      `median wall:  project ${med("project", "wallSeconds").toFixed(2)} s, runbook (poll ${pollSeconds} s) ${med("runbook", "wallSeconds").toFixed(2)} s\n` +
      `median delay after the last copy left: project ${med("project", "delaySeconds").toFixed(2)} s, runbook ${med("runbook", "delaySeconds").toFixed(2)} s\n` +
      `ratio of median wall times (runbook / project): ${(med("runbook", "wallSeconds") / med("project", "wallSeconds")).toFixed(2)}\n`,
  );
}

/** A fresh index whose shards are all on NODE, no exclusion, cluster green. */
async function prepare(cluster: TestCluster, client: SearchClient, docs: number, shards: number): Promise<void> {
  await client.putSettings({ persistent: { [EXCLUDE_NAME]: null } });
  await client.json("DELETE", `/${INDEX}?ignore_unavailable=true`);
  await createIndex(client, INDEX, { number_of_shards: shards, number_of_replicas: 0, "index.routing.allocation.require._name": NODE });
  await bulkIndex(cluster.endpoint, INDEX, idRange("d", docs), 200);
  await client.json("POST", `/${INDEX}/_flush`);
  await client.json("PUT", `/${INDEX}/_settings`, { "index.routing.allocation.require._name": null });
  await waitGreen(client);
  const on = copiesOnNode(await client.shards(), NODE).length;
  if (on !== shards) throw new Error(`expected ${shards} copies on ${NODE} before the drain, found ${on}`);
}

async function measure(method: Sample["method"], cluster: TestCluster, client: SearchClient, pollSeconds: number): Promise<Sample> {
  let emptySince: number | undefined;
  let observing = true;
  let returnedAt: number | undefined;
  const started = Date.now();
  const observer = (async () => {
    // Keeps looking after the method returned until it has seen the node empty (at most 5 s more).
    while (observing || emptySince === undefined) {
      const asked = Date.now();
      const copies = await client.shards();
      if (isDrained(copies, NODE)) emptySince ??= asked;
      else emptySince = undefined;
      if (returnedAt !== undefined && Date.now() - returnedAt > 5_000) break;
      await new Promise((r) => setTimeout(r, OBSERVE_MS));
    }
  })();

  if (method === "project") {
    const r = await runCommand(drainCommand({ node: NODE, timeoutSeconds: 600 }), cluster.endpoint);
    if (r.code !== 0) throw new Error(`project drain failed (${r.code}): ${r.stderr}`);
  } else {
    // The runbook: exclude, then check every `pollSeconds` until the node holds no shard.
    await client.putSettings({ persistent: { [EXCLUDE_NAME]: NODE } });
    while (copiesOnNode(await client.shards(), NODE).length > 0) await new Promise((r) => setTimeout(r, pollSeconds * 1000));
  }
  const returned = Date.now();
  returnedAt = returned;
  observing = false;
  await observer;
  if (emptySince === undefined) throw new Error(`${method}: the observer never saw ${NODE} empty`);
  return { method, wallSeconds: (returned - started) / 1000, delaySeconds: Math.max(0, returned - emptySince) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
