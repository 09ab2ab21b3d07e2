import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashstateNodes, parseOriginCluster } from "../../ops/origin/hashstate";
import { rendezvousHash } from "../../ops/origin/hrw";
import { shardMovement } from "../../ops/origin/repair";
import { loadScenarios } from "./fixtures";

// The compiled CLI sits at dist/cli/origin.js, two folders above dist/tests/origin/.
const cli = join(__dirname, "..", "..", "cli", "origin.js");

/** These cases are the runbook's Kraken (labels and weights): --kraken runbook unless a case names a target. */
function run(args: string[], input = "") {
    if ((args[0] === "placement" || args[0] === "plan") && !args.includes("--kraken")) args = [...args, "--kraken", "runbook"];
    const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sjc1Yaml = `hashstate:
  kraken-origin-master01-sjc1:
    label: origin0
    weight: 30000
  kraken-origin-master02-sjc1:
    label: origin1
    weight: 30000
  kraken-origin-master03-sjc1:
    label: origin2
    weight: 30000
`;

describe("origin CLI", function () {
    this.timeout(60_000);
    let dir: string;
    const file = (name: string, text: string) => {
        const p = join(dir, name);
        writeFileSync(p, text);
        return p;
    };
    before(() => (dir = mkdtempSync(join(tmpdir(), "origin-cli-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    describe("placement", () => {
        it("prints, per stdin key, every label ordered as the library orders it (scenario E from a bare JSON map)", () => {
            const e = loadScenarios().find((s) => s.name === "E")!;
            const map = Object.fromEntries(e.nodes.map((n) => [`host-${n.label}`, n]));
            const keys = e.vectors.map((v) => v.key);
            const r = run(["placement", "--hashstate", file("e.json", JSON.stringify(map))], keys.join("\n") + "\n");
            assert.equal(r.code, 0, r.stderr);
            const lines = r.stdout
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { key: string; ordered: string[]; replicaSet: string[] });
            const p = rendezvousHash(e.nodes);
            assert.deepEqual(
                lines.map((l) => l.key),
                keys,
            );
            lines.forEach((l, i) => {
                assert.deepEqual(l.ordered, p.orderedLabels(l.key));
                assert.deepEqual(l.ordered, e.vectors[i].ordered);
                assert.deepEqual(l.replicaSet, l.ordered.slice(0, 3));
            });
        });

        it("reads the stack config section from YAML and honours --replicas", () => {
            const r = run(["placement", "--hashstate", file("a.yaml", sjc1Yaml), "--replicas", "1"], "0000\r\n\nffff\n");
            assert.equal(r.code, 0, r.stderr);
            const lines = r.stdout
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { key: string; ordered: string[]; replicaSet: string[] });
            const nodes = hashstateNodes({
                "kraken-origin-master01-sjc1": { label: "origin0", weight: 30000 },
                "kraken-origin-master02-sjc1": { label: "origin1", weight: 30000 },
                "kraken-origin-master03-sjc1": { label: "origin2", weight: 30000 },
            });
            const p = rendezvousHash(nodes);
            assert.deepEqual(
                lines.map((l) => l.key),
                ["0000", "ffff"],
                "CRLF trimmed, blank line skipped",
            );
            for (const l of lines) {
                assert.deepEqual(l.ordered, p.orderedLabels(l.key));
                assert.deepEqual(l.replicaSet, [l.ordered[0]]);
            }
        });

        it("fails with the line number on an invalid key", () => {
            const r = run(["placement", "--hashstate", file("a.yaml", sjc1Yaml)], "0000\nnot-hex\n");
            assert.equal(r.code, 64, "bad input is a usage error");
            assert.match(r.stderr, /stdin line 2: invalid hex key "not-hex"/);
        });

        it("fails on an invalid hashstate, naming the duplicate label", () => {
            const bad = sjc1Yaml.replace("label: origin1", "label: origin0");
            const r = run(["placement", "--hashstate", file("bad.yaml", bad)], "00\n");
            assert.equal(r.code, 2, "an invalid configuration is refused, as synth refuses an invalid stack file");
            assert.match(r.stderr, /label "origin0" of hashstate\.kraken-origin-master02-sjc1 is already used/);
        });

        it("fails on unknown options and a missing file", () => {
            assert.equal(run(["placement", "--hashstat", "x"]).code, 64);
            const r = run(["placement", "--hashstate", join(dir, "missing.yaml")]);
            assert.equal(r.code, 64);
            assert.match(r.stderr, /missing\.yaml/);
        });
    });

    describe("plan", () => {
        const added = `${sjc1Yaml}  kraken-origin-master04-sjc1:
    label: origin3
    weight: 15000
`;
        it("prints the add plan: restart order, repairs older first, moved fraction equal to the minimum", () => {
            const r = run(["plan", "--from", file("a.yaml", sjc1Yaml), "--to", file("b.yaml", added)]);
            assert.equal(r.code, 0, r.stderr);
            const out = JSON.parse(r.stdout);
            assert.equal(out.allowed, true);
            assert.equal(out.change.kind, "add");
            const hosts = [1, 2, 3, 4].map((i) => `kraken-origin-master0${i}-sjc1`);
            assert.deepEqual(out.rollingRestart, hosts);
            assert.deepEqual(
                out.repairs.map((x: { host: string }) => x.host),
                hosts,
            );
            const a = parseOriginCluster({ hashstate: Object.fromEntries(hosts.slice(0, 3).map((h, i) => [h, { label: `origin${i}`, weight: 30000 }])) });
            const b = { ...a.hashstate, [hosts[3]]: { label: "origin3", weight: 15000 } };
            const mv = shardMovement(a.hashstate, b, 3);
            assert.equal(out.movement.changedShards, mv.changedShards);
            assert.equal(out.movement.movedFraction, mv.movedFraction);
            assert.equal(out.movement.movedOverMinimum, 1);
            assert.equal(out.movement.gainedShards[hosts[3]], mv.gained[hosts[3]].length);
            assert.equal(out.shardRepairs.repairs.length, 3);
            assert.equal(out.shardRepairs.repairs[0].shards, undefined);
        });

        it("lists the shard ids with --shards", () => {
            const r = run(["plan", "--from", file("a.yaml", sjc1Yaml), "--to", file("b.yaml", added), "--shards"]);
            assert.equal(r.code, 0, r.stderr);
            const first = JSON.parse(r.stdout).shardRepairs.repairs[0];
            assert.equal(first.shards.length, first.shardCount);
            assert.match(first.shards[0], /^[0-9a-f]{4}$/);
        });

        it("exits 2 with the split steps when the change combines two additions", () => {
            const two = `${added}  kraken-origin-master05-sjc1:
    label: origin4
    weight: 15000
`;
            const r = run(["plan", "--from", file("a.yaml", sjc1Yaml), "--to", file("c.yaml", two)]);
            assert.equal(r.code, 2);
            const out = JSON.parse(r.stdout);
            assert.equal(out.allowed, false);
            assert.equal(out.change.kind, "refused");
            assert.deepEqual([out.rollingRestart, out.repairs, out.shardRepairs], [[], [], null]);
            assert.match(out.refusal, /1\. add origin host kraken-origin-master04-sjc1[^\n]*\n {2}2\. add origin host kraken-origin-master05-sjc1/);
            assert.match(r.stderr, /atomically and incrementally/);
        });

        it("exits 2 when the replica count changes", () => {
            const r = run(["plan", "--from", file("a.yaml", sjc1Yaml), "--to", file("d.yaml", `${added}replicas: 2\n`)]);
            assert.equal(r.code, 2);
            assert.match(r.stderr, /replicas changes from 3 to 2/);
        });

        it("plans nothing for an unchanged hashstate", () => {
            const r = run(["plan", "--from", file("a.yaml", sjc1Yaml), "--to", file("a2.yaml", sjc1Yaml)]);
            assert.equal(r.code, 0);
            const out = JSON.parse(r.stdout);
            assert.equal(out.change.kind, "none");
            assert.equal(out.movement.movedSlots, 0);
            assert.deepEqual(out.repairs, []);
        });

        it("fails with usage when --to is missing", () => {
            const r = run(["plan", "--from", file("a.yaml", sjc1Yaml)]);
            assert.equal(r.code, 64);
            assert.match(r.stderr, /plan needs --to/);
        });
    });
});
