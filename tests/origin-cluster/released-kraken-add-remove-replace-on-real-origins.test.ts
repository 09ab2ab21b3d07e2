/**
 * origin.kraken: released, proven on real Kraken (v0.1.4, built by tests/peers/kraken/install.sh): origins on
 * 127.0.0.x in a loopback-only network namespace, Kraken's testfs as the storage backend. The tests run the
 * exact rollout and repair scripts the program registers for an add, a remove and a host replacement, and
 * assert through every origin's /blobs/<digest>/locations and its local store that each blob is on exactly the
 * owners our placement computes (members host:port, weight 100, by shard id) and nowhere else.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { rendezvousHash } from "../../ops/origin/hrw";
import { StackGraph } from "../../stacks/offline/evaluate";
import { KrakenCluster, TESTFS_ADDR } from "../peers/kraken/harness";
import { deepClone, evaluateDoc, ofType, stackDoc } from "../support/graph";

const PORT = 15002;
const REPLICAS = 2;
const NAMESPACE = "dataplat/blobs";
const ip = (n: number) => `127.0.0.${n}`;

function docWith(hosts: Record<string, string>, inventoryUrl = `http://${TESTFS_ADDR}/list/blobs/`) {
    const doc = stackDoc("staging");
    const o = doc.config["dataplat:origin"];
    o.kraken = "released";
    o.hashstate = Object.fromEntries(Object.entries(hosts).map(([h, label]) => [h, { label, weight: 100 }]));
    o.replicas = REPLICAS;
    o.port = PORT;
    o.configPath = "/tmp/kraken/cluster.yaml";
    o.baseConfig = "base.yaml";
    o.inventory = { namespace: NAMESPACE, listUrl: inventoryUrl };
    o.restart = { healthPath: "/health", timeoutSeconds: 60 };
    o.repair = { mode: "shards", timeoutSeconds: 60 };
    return doc;
}

/** The private IP of each origin's instance is its 127.0.0.x (the hashstate host names are those addresses). */
function ipsFor(doc: ReturnType<typeof docWith>): Record<string, string> {
    return Object.fromEntries(Object.keys(doc.config["dataplat:origin"].hashstate).map((h) => [`activedata-stg-origin-${h}`, h]));
}

/** The registered commands of the origin cluster, in dependsOn chain order: rollouts, then repairs. */
function registered(g: StackGraph): { name: string; host?: string; script: string; kind: "rollout" | "repair" }[] {
    const mine = g.resources.filter((r) => r.type.startsWith("command:") && /-origin-/.test(r.name));
    const inChain = new Set(mine.map((m) => m.urn));
    const prevOf = new Map(mine.map((m) => [m.urn, m.explicitDependsOn.filter((u) => inChain.has(u))]));
    let cur = mine.find((m) => prevOf.get(m.urn)!.length === 0);
    const out: { name: string; host?: string; script: string; kind: "rollout" | "repair" }[] = [];
    while (cur) {
        const rollout = cur.type === "command:remote:Command";
        out.push({
            name: cur.name,
            kind: rollout ? "rollout" : "repair",
            host: rollout ? /-origin-(.+)-rollout$/.exec(cur.name)![1] : undefined,
            script: String(cur.inputs.stdin ?? cur.inputs.create),
        });
        const c = cur;
        cur = mine.find((m) => prevOf.get(m.urn)!.includes(c.urn));
    }
    assert.equal(out.length, mine.length, "one chain");
    return out;
}

describe("released Kraken (v0.1.4): add, remove and replace a host on real origins", function () {
    this.timeout(600_000);
    let cluster: KrakenCluster;
    const blobs: string[] = [];
    let docs: ReturnType<typeof docWith>[] = [];

    /** Our placement, computed here independently of the plan: members host:port, weight 100, by shard id. */
    function owners(hosts: string[], digest: string): string[] {
        return rendezvousHash(hosts.map((h) => ({ label: `${h}:${PORT}`, weight: 100 })))
            .orderedLabels(digest.slice(0, 4))
            .slice(0, REPLICAS);
    }

    function assertExactPlacement(hosts: string[]) {
        for (const h of hosts) {
            const locs = cluster.locations(h, blobs);
            blobs.forEach((d, i) => {
                const want = owners(hosts, d);
                assert.equal(locs[i], want.join(","), `${h} places ${d} on ${locs[i]}, we compute ${want}`);
                assert.equal(cluster.holds(h, d), want.includes(`${h}:${PORT}`), `${d} on ${h}: ${cluster.holds(h, d) ? "held" : "missing"}, owners ${want}`);
            });
        }
    }

    /** Evaluates `next` against `prev` as `pulumi up` would, and runs its registered commands in order. */
    async function up(prev: ReturnType<typeof docWith> | undefined, next: ReturnType<typeof docWith>) {
        const g = await evaluateDoc(next, prev, "staging", ipsFor(next));
        const steps = registered(g);
        for (const s of steps) {
            const r = s.kind === "rollout" ? cluster.onHost(s.host!, s.script) : cluster.inNet(s.script);
            assert.equal(r.status, 0, `${s.name} failed:\n${r.stderr}`);
        }
        return steps;
    }

    before(async () => {
        cluster = await KrakenCluster.start(PORT);
        for (const n of [2, 3, 4, 5, 6]) await cluster.addHost(ip(n));
        // First deployment: three origins (5 and 6 are machines that join later).
        docs = [docWith({ [ip(2)]: "a", [ip(3)]: "b", [ip(4)]: "c" })];
        await up(undefined, docs[0]);
        // Real blobs, in the backend, each read once through its first owner (which replicates it to the other).
        const hosts = [ip(2), ip(3), ip(4)];
        for (let i = 0; i < 24; i++) {
            const data = randomBytes(2048 + i);
            const d = createHash("sha256").update(data).digest("hex");
            blobs.push(d);
            cluster.uploadToBackend(`blobs/${d}`, data);
            const first = owners(hosts, d)[0].split(":")[0];
            const g = cluster.inNet(
                `curl -s -o /dev/null -w '%{http_code}' 'http://${first}:${PORT}/namespace/${encodeURIComponent(NAMESPACE)}/blobs/sha256:${d}'`,
            );
            assert.match(g.stdout, /^20[02]$/);
        }
        await cluster.until(
            () => blobs.every((d) => owners(hosts, d).every((o) => cluster.holds(o.split(":")[0], d))),
            "the initial blobs on their owners",
            60,
        );
    });
    after(async () => {
        if (cluster) await cluster.close();
    });

    it("starts with every blob on exactly its owners", () => {
        assertExactPlacement([ip(2), ip(3), ip(4)]);
    });

    it("add: restarts the older origins first and the new one last, then fills and cleans; every blob on exactly its owners", async () => {
        docs.push(docWith({ [ip(2)]: "a", [ip(3)]: "b", [ip(4)]: "c", [ip(5)]: "d" }));
        const steps = await up(docs[0], docs[1]);
        assert.deepEqual(
            steps.filter((s) => s.kind === "rollout").map((s) => s.host),
            [ip(2), ip(3), ip(4), ip(5)],
        );
        assert.deepEqual(
            steps.filter((s) => s.kind === "repair").map((s) => s.name),
            ["activedata-stg-origin-repair-0-fill"],
        );
        assertExactPlacement([ip(2), ip(3), ip(4), ip(5)]);
    });

    it("remove: the remaining origins own every blob, filled from the backend; nothing stale", async () => {
        docs.push(docWith({ [ip(2)]: "a", [ip(4)]: "c", [ip(5)]: "d" }));
        await up(docs[1], docs[2]);
        cluster.stopHost(ip(3)); // the engine deletes the removed origin at the end of the update
        assertExactPlacement([ip(2), ip(4), ip(5)]);
    });

    it("replace-host (a new member in the old one's place): every blob on exactly its owners", async () => {
        docs.push(docWith({ [ip(2)]: "a", [ip(6)]: "e", [ip(5)]: "d" }));
        const steps = await up(docs[2], docs[3]);
        assert.deepEqual(
            steps.filter((s) => s.kind === "rollout").map((s) => s.host),
            [ip(2), ip(5), ip(6)],
        );
        cluster.stopHost(ip(4));
        assertExactPlacement([ip(2), ip(6), ip(5)]);
    });

    it("a blob the backend cannot serve fails the update, naming the blob and the origin, and deletes nothing", async () => {
        // The listing names a blob the backend does not hold (a stand-in listing served in the namespace).
        const missing = createHash("sha256").update("not in the backend").digest("hex");
        const hosts = [ip(2), ip(6), ip(5)];
        const list = JSON.stringify([...blobs, missing].map((d) => `blobs/${d}`));
        const serve = cluster.inNet(
            `mkdir -p /var/tmp/dataplat-list-$$ && cd /var/tmp/dataplat-list-$$ && printf '%s' '${list}' > list.json && ` +
                `(setsid python3 -m http.server 14001 --bind 127.0.0.1 >/dev/null 2>&1 & echo $! > pid) && sleep 1 && echo "$PWD"`,
        );
        const dir = serve.stdout.trim();
        try {
            // A change whose changed shards include the missing blob's: remove then re-add is two updates; instead
            // replay the last change's plan with that listing (its owners are live already).
            const prev = deepClone(docs[2]);
            const next = docWith({ [ip(2)]: "a", [ip(6)]: "e", [ip(5)]: "d" }, "http://127.0.0.1:14001/list.json");
            const g = await evaluateDoc(next, prev, "staging", ipsFor(next));
            const fill = ofType(g, "command:local:Command").find((r) => r.name.endsWith("-repair-0-fill"))!;
            const script = String(fill.inputs.stdin);
            const affected = script.includes(`\n${missing.slice(0, 4)} `);
            if (!affected) {
                // Put the missing digest in a changed shard: any shard of the table will do for this check.
                const shard = /\n([0-9a-f]{4}) [0-9,]+\n/.exec(script)![1];
                const fake = shard + missing.slice(4);
                const list2 = JSON.stringify([...blobs, fake].map((d) => `blobs/${d}`));
                cluster.inNet(`printf '%s' '${list2}' > '${dir}/list.json'`);
                const r = cluster.inNet(script);
                assert.notEqual(r.status, 0);
                assert.match(
                    r.stderr,
                    new RegExp(`blob ${fake} cannot be filled on origin 127\\.0\\.0\\.\\d:${PORT}: the backend of namespace \\S+ does not have it`),
                );
            } else {
                const r = cluster.inNet(script);
                assert.notEqual(r.status, 0);
                assert.match(r.stderr, new RegExp(`blob ${missing} cannot be filled on origin 127\\.0\\.0\\.\\d:${PORT}`));
            }
            assertExactPlacement(hosts);
        } finally {
            cluster.inNet(`kill "$(cat '${dir}/pid')" 2>/dev/null; rm -rf '${dir}'`);
        }
    });
});
