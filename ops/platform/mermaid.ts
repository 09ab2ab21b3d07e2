/**
 * A Mermaid `flowchart` of the layered platform: one subgraph per run-book layer, one node per
 * service instance, and one arrow per dependency it is given, drawn from the instance that starts
 * first to the one that waits for it. The caller passes the dependencies actually registered
 * (e.g. read back from the Pulumi resources), so the picture shows what will happen, not what was
 * meant to happen.
 */
import type { Dependency } from "./layers";
import { LAYERS, type LayerNumber } from "./services";

export interface MermaidNode {
    readonly id: string;
    readonly layer: LayerNumber;
}

function label(text: string): string {
    return `"${text.replace(/"/g, "#quot;")}"`;
}

export function renderLayerMermaid(instances: readonly MermaidNode[], dependencies: readonly Dependency[]): string {
    // Mermaid ids cannot hold '@'; number the instances instead and show the id as the label.
    const sorted = [...instances].sort((a, b) => a.layer - b.layer || a.id.localeCompare(b.id));
    const key = new Map(sorted.map((inst, i) => [inst.id, `n${i}`]));
    if (key.size !== sorted.length) throw new Error("duplicate instance ids");
    const lines = ["flowchart BT"];
    for (const layer of LAYERS) {
        const members = sorted.filter((i) => i.layer === layer.number);
        if (members.length === 0) continue;
        lines.push(`  subgraph layer${layer.number}[${label(`${layer.number}. ${layer.title}`)}]`);
        for (const m of members) lines.push(`    ${key.get(m.id)}[${label(m.id)}]`);
        lines.push("  end");
    }
    const edges = dependencies.map((d) => {
        const from = key.get(d.from);
        const to = key.get(d.to);
        if (from === undefined || to === undefined) {
            throw new Error(`dependency ${d.from} -> ${d.to} names an instance that is not drawn`);
        }
        return `  ${to} --> ${from}`;
    });
    lines.push(...[...new Set(edges)].sort());
    return `${lines.join("\n")}\n`;
}
