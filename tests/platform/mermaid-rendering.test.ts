import assert from "node:assert/strict";
import { parsePlatformConfig } from "../../ops/platform/config";
import { dependencyList, layerGraph } from "../../ops/platform/layers";
import { renderLayerMermaid } from "../../ops/platform/mermaid";
import { LAYERS } from "../../ops/platform/services";
import { haPlatform } from "./fixtures";

/** Read the rendered flowchart back: node labels by Mermaid id, subgraph of each label, edges as labels. */
function parse(text: string) {
    const labels = new Map<string, string>();
    const layerOf = new Map<string, string>();
    const edges: string[] = [];
    let subgraph = "";
    for (const line of text.split("\n")) {
        const sg = /^ {2}subgraph (\w+)\["(.*)"\]$/.exec(line);
        if (sg) subgraph = sg[2]!;
        const node = /^ {4}(n\d+)\["(.*)"\]$/.exec(line);
        if (node) {
            labels.set(node[1]!, node[2]!);
            layerOf.set(node[2]!, subgraph);
        }
        const edge = /^ {2}(n\d+) --> (n\d+)$/.exec(line);
        if (edge) edges.push(`${labels.get(edge[1]!)} --> ${labels.get(edge[2]!)}`);
    }
    return { labels, layerOf, edges };
}

describe("Mermaid rendering of the layer graph", () => {
    const graph = layerGraph(parsePlatformConfig(haPlatform()));
    const text = renderLayerMermaid(graph.instances, dependencyList(graph));
    const parsed = parse(text);

    it("is a bottom-up flowchart with one subgraph per layer holding its instances", () => {
        assert.ok(text.startsWith("flowchart BT\n"));
        assert.equal((text.match(/^ {2}subgraph /gm) ?? []).length, LAYERS.length);
        for (const inst of graph.instances) {
            const layer = LAYERS.find((l) => l.number === inst.layer)!;
            assert.equal(parsed.layerOf.get(inst.id), `${layer.number}. ${layer.title}`, inst.id);
        }
        assert.equal(parsed.labels.size, graph.instances.length);
    });

    it("draws exactly the given dependencies, from the instance that starts first to the one that waits", () => {
        const expected = dependencyList(graph)
            .map((d) => `${d.to} --> ${d.from}`)
            .sort();
        assert.deepEqual(parsed.edges.sort(), expected);
    });

    it("draws only the dependencies it is given (what was registered, not what was planned)", () => {
        const registered = dependencyList(graph).filter((d) => d.from.startsWith("koverse-webapp@"));
        assert.deepEqual(parse(renderLayerMermaid(graph.instances, registered)).edges.sort(), registered.map((d) => `${d.to} --> ${d.from}`).sort());
    });

    it("refuses a dependency on an instance it does not draw", () => {
        assert.throws(() => renderLayerMermaid(graph.instances, [{ from: "koverse-webapp@app-1", to: "ghost@nowhere" }]), /ghost@nowhere/);
    });

    it("escapes quotes in labels", () => {
        const out = renderLayerMermaid([{ id: 'a"b', layer: 1 }], []);
        assert.match(out, /n0\["a#quot;b"\]/);
    });
});
