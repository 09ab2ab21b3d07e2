/**
 * Refactors change code, not deployments. The synth of both committed stacks, as a first deployment
 * and as a no-op update over itself, must register exactly the resources recorded in
 * tests/fixtures/synth/ (same URNs, parents, dependencies, options and inputs, script text byte for
 * byte: a changed `create` script is an update that runs it again), and export the same outputs.
 *
 * A change that is meant to change the graph regenerates the record on purpose:
 *   npm run build && DATAPLAT_WRITE_SYNTH_RECORD=1 npx mocha --no-config dist/tests/architecture/synth-is-unchanged-by-refactors.test.js
 * and the diff of tests/fixtures/synth/ is then part of the review. A child renamed by a refactor is
 * listed in RENAMES (old URN to new URN) and must carry an alias to its old URN.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack, GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { readStackFile } from "../../stacks/offline/stackfile";
import { stackFile } from "../support/graph";
import { repoRoot } from "../support/repo";

/** Old URN to new URN, for children renamed by a refactor. Each new resource aliases its old URN. */
const RENAMES: Readonly<Record<string, string>> = {};

const RECORD_DIR = path.join(repoRoot(), "tests", "fixtures", "synth");
const WRITE = process.env.DATAPLAT_WRITE_SYNTH_RECORD === "1";

interface Record_ {
    readonly stack: string;
    readonly mode: string;
    readonly resources: Record<string, Omit<GraphResource, "urn" | "name">>;
    readonly outputs: Record<string, unknown>;
}

function normalize(g: StackGraph, mode: string): Record_ {
    const resources: Record_["resources"] = {};
    for (const r of [...g.resources].sort((a, b) => a.urn.localeCompare(b.urn))) {
        const { urn, name: _name, ...rest } = r;
        resources[urn] = { ...rest, dependsOn: [...rest.dependsOn].sort(), explicitDependsOn: [...rest.explicitDependsOn].sort() };
    }
    return { stack: g.stack, mode, resources, outputs: g.outputs };
}

/** The recorded graph with RENAMES applied, as the current program should register it. */
function renamed(rec: Record_): Record_ {
    const map = (u: string) => RENAMES[u] ?? u;
    const resources: Record_["resources"] = {};
    for (const [urn, r] of Object.entries(rec.resources)) {
        resources[map(urn)] = {
            ...r,
            parent: r.parent === undefined ? undefined : map(r.parent),
            dependsOn: r.dependsOn.map(map).sort(),
            explicitDependsOn: r.explicitDependsOn.map(map).sort(),
        };
    }
    return { ...rec, resources: JSON.parse(JSON.stringify(resources)) };
}

/** The first difference, named by URN and property path, so a failure says what moved. */
function firstDifference(want: unknown, got: unknown, at: string): string | undefined {
    if (JSON.stringify(want) === JSON.stringify(got)) return undefined;
    if (want && got && typeof want === "object" && typeof got === "object" && !Array.isArray(want) && !Array.isArray(got)) {
        const w = want as Record<string, unknown>;
        const g = got as Record<string, unknown>;
        for (const k of [...new Set([...Object.keys(w), ...Object.keys(g)])].sort()) {
            if (!(k in g)) return `${at}.${k}: recorded but no longer registered`;
            if (!(k in w)) return `${at}.${k}: registered but not recorded`;
            const d = firstDifference(w[k], g[k], `${at}.${k}`);
            if (d) return d;
        }
    }
    const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v, null, 1)).slice(0, 4000);
    return `${at}:\n--- recorded\n${show(want)}\n+++ now\n${show(got)}`;
}

const CASES: ReadonlyArray<{ stack: "prod" | "staging"; mode: "first-deployment" | "no-op-update" }> = [
    { stack: "prod", mode: "first-deployment" },
    { stack: "prod", mode: "no-op-update" },
    { stack: "staging", mode: "first-deployment" },
    { stack: "staging", mode: "no-op-update" },
];

describe("refactors leave the synth of both stacks unchanged (URNs, edges, inputs, outputs)", function () {
    this.timeout(300000);
    for (const c of CASES) {
        it(`${c.stack}, ${c.mode}: same resources, inputs and outputs as recorded in tests/fixtures/synth`, async () => {
            const config = readStackFile(stackFile(c.stack));
            const g = await evaluateStack({ stack: c.stack, config, previous: c.mode === "no-op-update" ? config : undefined });
            const now = normalize(g, c.mode);
            const file = path.join(RECORD_DIR, `${c.stack}.${c.mode}.json`);
            if (WRITE) {
                fs.mkdirSync(RECORD_DIR, { recursive: true });
                fs.writeFileSync(file, JSON.stringify(now, null, 1) + "\n");
                return;
            }
            const want = renamed(JSON.parse(fs.readFileSync(file, "utf8")) as Record_);
            const got = JSON.parse(JSON.stringify(now)) as Record_;
            for (const [oldUrn, newUrn] of Object.entries(RENAMES)) {
                const r = got.resources[newUrn];
                if (r) assert.ok(r.options.aliases?.includes(oldUrn), `${newUrn} is renamed from ${oldUrn} but carries no alias to it`);
            }
            const diff = firstDifference(want.resources, got.resources, "resources") ?? firstDifference(want.outputs, got.outputs, "outputs");
            assert.equal(diff, undefined, diff);
        });
    }

    it("the record names its stacks and modes and is not empty (a lost record cannot pass)", () => {
        if (WRITE) return;
        for (const c of CASES) {
            const rec = JSON.parse(fs.readFileSync(path.join(RECORD_DIR, `${c.stack}.${c.mode}.json`), "utf8")) as Record_;
            assert.equal(rec.stack, c.stack);
            assert.equal(rec.mode, c.mode);
            assert.ok(Object.keys(rec.resources).length > 150, `${c.stack}.${c.mode}: ${Object.keys(rec.resources).length} resources`);
        }
    });
});
