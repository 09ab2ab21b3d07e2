import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { platformMermaid } from "../../cli/graph";
import { dependencyList, layerGraph } from "../../ops/platform/layers";
import { renderLayerMermaid } from "../../ops/platform/mermaid";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, deepClone, stackDoc } from "../support/graph";
import { repoRoot } from "../support/repo";
import { platformConfigOf, serviceCommandsOf } from "./support";

const cli = () => path.join(repoRoot(), "dist", "cli", "graph.js");
const runCli = (args: string[]) => spawnSync(process.execPath, [cli(), ...args], { encoding: "utf8", cwd: repoRoot(), timeout: 120_000 });

describe("npm run graph: the layer graph as Mermaid, from the dependencies the program registered", () => {
    let g: StackGraph;
    before(async () => (g = await committedStack("prod")));

    it("draws every service instance in its layer and exactly the registered edges (= the layer graph for prod)", () => {
        const config = platformConfigOf(stackDoc("prod"));
        const graph = layerGraph(config);
        const text = platformMermaid(g);
        assert.equal(text, renderLayerMermaid(graph.instances, dependencyList(graph)));
        assert.match(text, /^flowchart BT\n {2}subgraph layer1\["1\. Coordination Layer"\]\n {4}n0\["journalnode@master-1"\]/);
        assert.equal(text.split("\n").filter((l) => l.includes("-->")).length, dependencyList(graph).length);
    });

    it("draws what was registered, not what was meant: a dropped dependency disappears from the picture", () => {
        const commands = serviceCommandsOf(g);
        const webapp = commands.get("koverse-webapp@app-1")!;
        const server = commands.get("koverse-server@app-1")!;
        const tampered: StackGraph = {
            ...g,
            resources: g.resources.map((r) => (r === webapp ? { ...r, dependsOn: r.dependsOn.filter((u) => u !== server.urn) } : r)),
        };
        const n = (text: string, id: string) => text.match(new RegExp(`(n\\d+)\\["${id}"\\]`))![1];
        const before = platformMermaid(g);
        const after = platformMermaid(tampered);
        const edge = `  ${n(before, "koverse-server@app-1")} --> ${n(before, "koverse-webapp@app-1")}`;
        assert.ok(before.split("\n").includes(edge));
        assert.ok(!after.split("\n").includes(edge));
    });

    it("prints the same picture from the command line, and exits 2 for a stack without a platform", () => {
        const ok = runCli(["--stack", "prod"]);
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(ok.stdout, platformMermaid(g));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-graph-"));
        try {
            const doc = deepClone(stackDoc("staging"));
            delete doc.config["dataplat:platform"];
            const file = path.join(dir, "Pulumi.staging.yaml");
            fs.writeFileSync(file, stringify(doc));
            const none = runCli(["--stack", "staging", "--config", file]);
            assert.equal(none.status, 2);
            assert.match(none.stderr, /stack staging has no platform \(config key dataplat:platform\)/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.equal(runCli([]).status, 64);
    });
});
