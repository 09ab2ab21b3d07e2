// The search section's refusals, as a pull-request review runs them (`evaluateDoc(next, previous)`, the same as
// `npm run synth -- --previous`): nothing is registered, and every message says what to do instead.

import assert from "node:assert/strict";
import { StackGraph } from "../../stacks/offline/evaluate";
import { Doc, T, clusterResources, cmd, edited, evaluate, res, searchDoc } from "./fixtures";

const node = (s: any, name: string) => [...s.masters, ...s.backupNodes, ...s.spotNodes].find((n: any) => n.name === name);

async function refused(next: Doc, previous: Doc | undefined, ...patterns: RegExp[]): Promise<string> {
    let message = "";
    await assert.rejects(evaluate(next, previous, "prod"), (e: Error) => {
        message = e.message;
        return true;
    });
    for (const p of patterns) assert.match(message, p);
    return message;
}

describe("search guardrails: changes one update must not make", function () {
    this.timeout(120_000);
    const base = searchDoc("prod");

    it("refuses replacing two data nodes in one update, naming both and what to do", async () => {
        const next = edited(base, (s) => {
            node(s, "backup-1").generation = 1;
            node(s, "spot-4").instanceType = "r6id.4xlarge";
        });
        await refused(
            next,
            base,
            /Refused by guardrails, nothing was changed/,
            /would drain 2 data nodes at once: backup-1 \(replaced: generation\), spot-4 \(replaced: instanceType\)/,
            /one data node per update/,
        );
    });

    it("refuses a cluster-wide change that would give every node a new machine (hosts.imageId with no image pinned)", async () => {
        const unpinned = edited(base, (s) => delete s.image);
        const next = edited(unpinned, (_s, doc) => (doc.config["dataplat:hosts"].imageId = "ami-0123456789abcdef0"));
        await refused(
            next,
            unpinned,
            /search: this update would drain 9 data nodes at once: backup-1-g0 \(replaced: image\)/,
            /pin the current value on each node first/,
            /search: this update would replace or remove 4 cluster-manager-eligible nodes at once/,
        );
        // Pinned: the same foundation change leaves the search nodes alone.
        const pinned = await evaluate(
            edited(base, (_s, doc) => (doc.config["dataplat:hosts"].imageId = "ami-0123456789abcdef0")),
            base,
            "prod",
        );
        assert.equal(res(pinned, T.instance, "activedata-search-backup-1").inputs.ami, "ami-0e4f3a2b1c0d9e8f7");
    });

    it("refuses turning zone awareness on or off in one update: it rewrites every node's opensearch.yml", async () => {
        await refused(
            edited(base, (s) => (s.zones.awareness = false)),
            base,
            /would drain 9 data nodes at once: .*opensearch\.yml/,
        );
    });

    it("refuses replacing two cluster-manager-eligible nodes at once (quorum)", async () => {
        const next = edited(base, (s) => {
            node(s, "master-1").generation = 1;
            node(s, "master-3").instanceType = "m6i.xlarge";
        });
        await refused(next, base, /replace or remove 2 cluster-manager-eligible nodes at once: master-1-g0 .*master-3-g0/, /one per update/);
    });

    it("refuses removing a backup node when the rest cannot hold every copy with the spot zone excluded", async () => {
        const small = edited(base, (s) => s.backupNodes.pop());
        await refused(
            edited(small, (s) => s.backupNodes.pop()),
            small,
            /excludes the spot zone, leaving 1 backup nodes for 2 copies/,
            /Add backup nodes/,
        );
    });

    it("refuses decommission mixed with node changes, and replacing a node while decommissioned", async () => {
        await refused(
            edited(base, (s) => {
                s.decommission = true;
                node(s, "spot-1").generation = 1;
            }),
            base,
            /decommission: true must be an update of its own/,
        );
        const off = edited(base, (s) => (s.decommission = true));
        await refused(
            edited(off, (s) => (node(s, "spot-1").generation = 1)),
            off,
            /decommission is on, so spot-1-g0 .* would leave without a drain/,
            /decommission: false/,
        );
    });
});

describe("search config problems: refused before anything, with the path", function () {
    this.timeout(120_000);
    const base = searchDoc("prod");
    const configError = /Invalid stack configuration \(dataplat:\*\), nothing was deployed/;

    it("fewer data nodes than replicas + 1", async () => {
        await refused(
            edited(base, (s) => (s.replicas = 9)),
            base,
            configError,
            /search\.replicas: 9 data nodes cannot hold 10 copies of each shard/,
            /lower replicas first/,
        );
    });

    it("fewer than 3 cluster-manager-eligible nodes in prod; none at all anywhere", async () => {
        await refused(
            edited(base, (s) => s.masters.splice(1)),
            base,
            configError,
            /search\.masters: prod needs at least 3 cluster-manager-eligible nodes.*has 2/,
        );
        const staging = edited(searchDoc("staging"), (s) => {
            s.masters = [];
            s.coordinator.clusterManager = false;
        });
        await refused(staging, undefined, /search\.masters: the cluster needs a cluster-manager-eligible node/);
    });

    it("a subnet index outside network.subnets, a data volume under 8 GiB, basic auth over plain http", async () => {
        await refused(
            edited(base, (s) => (node(s, "spot-2").subnet = 3)),
            undefined,
            configError,
            /search\.spotNodes\[1\]\.subnet: expected an index into network\.subnets \(0-2\)/,
        );
        await refused(
            edited(base, (s) => (node(s, "master-1").volumeSizeGiB = 4)),
            undefined,
            /search\.masters\[0\]\.volumeSizeGiB: expected a data volume of at least 8 GiB/,
        );
        await refused(
            edited(base, (s) => (s.admin = { auth: "basic" })),
            undefined,
            configError,
            /search\.admin\.auth: basic auth over plain http/,
        );
        await refused(
            edited(base, (s) => (s.admin = { endpoint: "http://admin:pw@localhost:9201" })),
            undefined,
            /search\.admin\.endpoint: must not contain credentials/,
        );
    });
});

describe("search admin endpoint: basic auth stays secret", function () {
    this.timeout(60_000);
    let g: StackGraph;
    const placeholder = "offline-placeholder-for-secret-dataplat:searchAdminPassword";
    before(async () => {
        const doc = edited(searchDoc("staging"), (s, d) => {
            s.admin = { auth: "basic", tls: true, username: "ops" };
            d.config["dataplat:searchAdminPassword"] = { secure: "v1:c2VjcmV0" };
        });
        g = await evaluate(doc, undefined, "staging");
    });

    it("the password reaches the commands only inside the secret environment, never in plaintext", () => {
        const text = JSON.stringify(g);
        assert.ok(!text.includes(placeholder), "the password appears nowhere in the graph or the outputs");
        assert.doesNotMatch(text, /ops:[^"@]*@/, "no URL with credentials");
        const mine = clusterResources(g).filter((r) => r.type === T.command);
        assert.equal(mine.length, 4 * 2 + 1, "drain and undrain per data node, ready (no bounce on a first deployment)");
        for (const r of mine) assert.equal(r.inputs.environment, "[secret]", r.name);
        assert.equal(cmd(g, "activedata-stg", "backup-1", "drain").inputs.create, "node dist/cli/search.js wait-joined --node backup-1-g0 --timeout 1800");
    });
});
