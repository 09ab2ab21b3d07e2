// Helpers for the SearchCluster tests: stack documents reduced to the foundation and the search section (the
// other sections do not change what is tested here and cost evaluation time), and queries over the graph.

import * as fs from "node:fs";
import * as path from "node:path";
import { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { repoRoot } from "../../stacks/offline/root";
import { byUrn, deepClone, evaluateDoc, stackDoc } from "../support/graph";

export const T = {
    cluster: "dataplat:search:SearchCluster",
    host: "dataplat:compute:Host",
    instance: "aws:ec2/instance:Instance",
    command: "command:local:Command",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    zone: "aws:route53/zone:Zone",
    record: "aws:route53/record:Record",
    sg: "aws:ec2/securityGroup:SecurityGroup",
} as const;

const OTHER_SECTIONS = ["dataplat:origin", "dataplat:spotFleets", "dataplat:platform", "dataplat:controlPlane"];

export type Doc = { config: Record<string, any> };

/** The committed stack file with only the foundation and the search section. */
export function searchDoc(stack: "prod" | "staging"): Doc {
    const doc = stackDoc(stack);
    for (const k of OTHER_SECTIONS) delete doc.config[k];
    return doc;
}

export const search = (doc: Doc): any => doc.config["dataplat:search"];

/** A copy of `doc` changed by `edit` (applied to the search section). */
export function edited(doc: Doc, edit: (s: any, doc: Doc) => void): Doc {
    const copy = deepClone(doc);
    edit(search(copy), copy);
    return copy;
}

const cache = new Map<string, Promise<StackGraph>>();

/** evaluateDoc, memoized on the documents (several tests compare against the same base graph). */
export function evaluate(doc: Doc, previous?: Doc, stack = "test"): Promise<StackGraph> {
    const key = JSON.stringify([doc, previous ?? null, stack]);
    let g = cache.get(key);
    if (!g) {
        g = evaluateDoc(doc, previous, stack);
        cache.set(key, g);
        g.catch(() => cache.delete(key));
    }
    return g;
}

/** Every resource under the SearchCluster component (children, and the Hosts' instances). */
export function clusterResources(g: StackGraph): GraphResource[] {
    const roots = g.resources.filter((r) => r.type === T.cluster).map((r) => r.urn);
    const inside = new Set(roots);
    let grew = true;
    while (grew) {
        grew = false;
        for (const r of g.resources) {
            if (r.parent && inside.has(r.parent) && !inside.has(r.urn)) {
                inside.add(r.urn);
                grew = true;
            }
        }
    }
    return g.resources.filter((r) => inside.has(r.urn) && !roots.includes(r.urn));
}

/**
 * A search node's resources are named from its identity, `<prefix>-search-<node>-g<generation>-<8 hex>[-kind]`;
 * tests name them by config name, `<prefix>-search-<node>[-kind]`.
 */
export const withoutIdentity = (name: string): string => name.replace(/-g\d+-[0-9a-f]{8}(?=-|$)/, "");

export function res(g: StackGraph, type: string, name: string): GraphResource {
    const r =
        g.resources.find((x) => x.type === type && x.name === name) ??
        g.resources.find((x) => x.type === type && withoutIdentity(x.name) === name && x.name !== name);
    if (!r) throw new Error(`no ${type} named ${name}`);
    return r;
}

/** The command resource `<prefix>-search-<node>-<kind>` (kind undrain, drain, bounce) or `<prefix>-search-ready`. */
export function cmd(g: StackGraph, prefix: string, node: string | undefined, kind?: string): GraphResource {
    return res(g, T.command, node === undefined ? `${prefix}-search-ready` : `${prefix}-search-${node}-${kind}`);
}

/** Names of the resources `r` depends on, explicitly (dependsOn). */
export const explicitDeps = (g: StackGraph, r: GraphResource): string[] =>
    r.explicitDependsOn.map((u) => `${byUrn(g, u).type}::${withoutIdentity(byUrn(g, u).name)}`).sort();

/** Inputs by `type::name` (search node names without their identity), for comparing two graphs. */
export function inputsByKey(g: StackGraph): Map<string, string> {
    return new Map(g.resources.map((r) => [`${r.type}::${withoutIdentity(r.name)}`, JSON.stringify(r.inputs)]));
}

/** The `type::name` keys whose inputs differ between two graphs (or exist in only one). */
export function changedKeys(a: StackGraph, b: StackGraph): string[] {
    const x = inputsByKey(a);
    const y = inputsByKey(b);
    return [...new Set([...x.keys(), ...y.keys()])].filter((k) => x.get(k) !== y.get(k)).sort();
}

/**
 * The stack outputs that dataplat wrote (commit 0ba0251, before nodes booted with their configured heap) for the
 * committed stack file reduced as searchDoc does: the snapshot of a cluster whose nodes booted on a default heap
 * and were bounced to theirs. Written by that program, not by hand (tests/search-cluster/fixtures/).
 */
export function outputsBeforeHeapAtBoot(stack: "prod" | "staging"): any {
    const file = path.join(repoRoot(), "tests/search-cluster/fixtures", `outputs-before-heap-at-boot.${stack}.json`);
    return JSON.parse(fs.readFileSync(file, "utf8")).outputs;
}
