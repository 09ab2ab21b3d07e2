// Benchmark: the project's drain (runners/search/drain.ts through the command string of commands.ts) against the
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
//
// Then the throttle floor: an index of incompressible documents on the node, drained by the project's command
// with the recovery throttle low enough (default 1mb) that moving the bytes dominates; the floor is the bytes the
// relocations sent (the recovery API's recovered_in_bytes, which is what the throttle meters: about three times the
// store size _cat/shards shows right after the force-merge) divided by that rate, and the printed ratio is drain
// wall time / floor (goal <= 1.15).

import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { SearchClient } from "../../runners/search/client";
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
        options: {
            trials: { type: "string", default: "3" },
            docs: { type: "string", default: "20000" },
            shards: { type: "string", default: "6" },
            poll: { type: "string", default: "10" },
            "floor-rate": { type: "string", default: "1mb" },
            "floor-mib": { type: "string", default: "24" },
        },
    });
    const trials = Number(values.trials);
    const docs = Number(values.docs);
    const shards = Number(values.shards);
    const pollSeconds = Number(values.poll);

    const cluster = await TestCluster.start({ log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
    const samples: Sample[] = [];
    const floors: { bytes: number; sent: number; floorSeconds: number; wallSeconds: number }[] = [];
    try {
        const client = cluster.client();
        await client.putSettings({ persistent: { "cluster.routing.rebalance.enable": "none" } });
        for (let t = 0; t < trials; t++) {
            const order: Sample["method"][] = t % 2 === 0 ? ["project", "runbook"] : ["runbook", "project"];
            for (const method of order) {
                await prepare(cluster, client, docs, shards);
                const sample = await measure(method, cluster, client, pollSeconds);
                samples.push(sample);
                process.stdout.write(
                    `trial ${t + 1} ${method.padEnd(7)} wall ${sample.wallSeconds.toFixed(2)} s, returned ${sample.delaySeconds.toFixed(2)} s after the last copy left\n`,
                );
            }
        }
        for (let t = 0; t < trials; t++) {
            const f = await throttleFloor(cluster, client, values["floor-rate"]!, Number(values["floor-mib"]), shards);
            floors.push(f);
            process.stdout.write(
                `floor trial ${t + 1}: ${(f.bytes / 2 ** 20).toFixed(1)} MiB on the node (${(f.sent / 2 ** 20).toFixed(1)} MiB of files sent) at ${values["floor-rate"]}/s: ` +
                    `floor (files sent / rate) ${f.floorSeconds.toFixed(2)} s, drain ${f.wallSeconds.toFixed(2)} s\n`,
            );
        }
    } finally {
        await cluster.close();
    }
    const med = (m: Sample["method"], k: "wallSeconds" | "delaySeconds"): number => median(samples.filter((s) => s.method === m).map((s) => s[k]));
    process.stdout.write(
        `\n${docs} docs in ${shards} single-copy shards moved off ${NODE}, ${trials} trials each (observer resolution ${OBSERVE_MS} ms)\n` +
            `median wall:  project ${med("project", "wallSeconds").toFixed(2)} s, runbook (poll ${pollSeconds} s) ${med("runbook", "wallSeconds").toFixed(2)} s\n` +
            `median delay after the last copy left: project ${med("project", "delaySeconds").toFixed(2)} s, runbook ${med("runbook", "delaySeconds").toFixed(2)} s\n` +
            `ratio of median wall times (runbook / project): ${(med("runbook", "wallSeconds") / med("project", "wallSeconds")).toFixed(2)}\n` +
            `throttle floor (bytes the relocations sent / max_bytes_per_sec ${values["floor-rate"]}): median ratio drain / floor ${median(floors.map((f) => f.wallSeconds / f.floorSeconds)).toFixed(3)} (goal <= 1.15)\n`,
    );
}

const RATE = /^(\d+)(b|kb|mb|gb)$/;
const bytesPerSecond = (rate: string): number => {
    const m = RATE.exec(rate);
    if (!m) throw new Error(`--floor-rate: expected a byte rate such as 1mb, got ${rate}`);
    return Number(m[1]) * { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30 }[m[2] as "b" | "kb" | "mb" | "gb"];
};

/** Drains an index of incompressible documents at a low recovery rate: wall time against bytes / rate. */
async function throttleFloor(cluster: TestCluster, client: SearchClient, rate: string, mib: number, shards: number) {
    await client.putSettings({ persistent: { [EXCLUDE_NAME]: null } });
    await client.json("DELETE", `/${INDEX}?ignore_unavailable=true`);
    await createIndex(client, INDEX, { number_of_shards: shards, number_of_replicas: 0, "index.routing.allocation.require._name": NODE });
    // 1 KiB of random base64 per document: stored fields compress it very little.
    const docs = Math.ceil((mib * 2 ** 20) / 1024);
    for (let i = 0; i < docs; i += 2000) {
        const body = Array.from(
            { length: Math.min(2000, docs - i) },
            (_, k) => `{"index":{"_index":"${INDEX}","_id":"f${i + k}"}}\n{"pad":"${randomBytes(768).toString("base64")}"}\n`,
        ).join("");
        const res = await fetch(`${cluster.endpoint}/_bulk`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
        if (!res.ok) throw new Error(`bulk: HTTP ${res.status}`);
    }
    await client.json("POST", `/${INDEX}/_forcemerge?max_num_segments=1`);
    await client.json("PUT", `/${INDEX}/_settings`, { "index.routing.allocation.require._name": null });
    await waitGreen(client);
    const rows = (await client.json("GET", `/_cat/shards/${INDEX}?format=json&bytes=b&h=node,store`)) as { node: string; store: string }[];
    const bytes = rows.filter((r) => r.node === NODE).reduce((a, r) => a + Number(r.store), 0);
    // The drain only ever raises the throttle; the cluster's own value (default 40mb) must be the low one for the
    // floor to bind, as an operator would have set it.
    await client.putSettings({ persistent: { "indices.recovery.max_bytes_per_sec": rate } });
    const started = Date.now();
    const r = await runCommand(drainCommand({ node: NODE, timeoutSeconds: 3600, maxBytesPerSec: rate }), cluster.endpoint);
    if (r.code !== 0) throw new Error(`project drain failed (${r.code}): ${r.stderr}`);
    const wallSeconds = (Date.now() - started) / 1000;
    await client.putSettings({ persistent: { "indices.recovery.max_bytes_per_sec": null } });
    // What the relocations really sent (files recovered; the throttle counts these bytes), from the recovery API.
    const recovery = (await client.json("GET", `/${INDEX}/_recovery`)) as Record<
        string,
        { shards: { type: string; source?: { name?: string }; index: { size: { recovered_in_bytes: number } } }[] }
    >;
    const sent = (recovery[INDEX]?.shards ?? []).filter((r) => r.source?.name === NODE).reduce((a, r) => a + r.index.size.recovered_in_bytes, 0);
    return { bytes, sent, floorSeconds: sent / bytesPerSecond(rate), wallSeconds };
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
    // Read by the observer before the one assignment below: it cannot be a const.
    // eslint-disable-next-line prefer-const
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
