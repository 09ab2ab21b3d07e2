/**
 * Test access to evaluated stacks: each stack file is evaluated once per process (the mock runtime
 * costs about a second per evaluation) and queried through small helpers.
 */
import * as path from "node:path";
import { parse, stringify } from "yaml";
import * as fs from "node:fs";
import * as os from "node:os";
import { evaluateStack, GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { RawStackConfig, readStackFile } from "../../stacks/offline/stackfile";
import { repoRoot } from "./repo";

const cache = new Map<string, Promise<StackGraph>>();

export function stackFile(stack: string): string {
    return path.join(repoRoot(), `Pulumi.${stack}.yaml`);
}

/** The graph of a committed stack file (prod, staging), evaluated once. */
export function committedStack(stack: "prod" | "staging"): Promise<StackGraph> {
    let g = cache.get(stack);
    if (!g) {
        g = evaluateStack({ stack, config: readStackFile(stackFile(stack)) });
        cache.set(stack, g);
    }
    return g;
}

/** The committed stack file's `config:` map as a plain object, to edit in tests. */
export function stackDoc(stack: "prod" | "staging"): { config: Record<string, any> } {
    return parse(fs.readFileSync(stackFile(stack), "utf8"));
}

/** Writes an edited stack document to a temp file and reads it back as raw config. */
export function rawFromDoc(doc: unknown): RawStackConfig {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-cfg-"));
    const file = path.join(dir, "Pulumi.test.yaml");
    fs.writeFileSync(file, stringify(doc));
    try {
        return readStackFile(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export function evaluateDoc(doc: unknown, previous?: unknown, stack = "test", privateIps?: Record<string, string>): Promise<StackGraph> {
    return evaluateStack({ stack, config: rawFromDoc(doc), previous: previous ? rawFromDoc(previous) : undefined, privateIps });
}

export const ofType = (g: StackGraph, type: string): GraphResource[] => g.resources.filter((r) => r.type === type);

export function named(g: StackGraph, type: string, name: string): GraphResource {
    const r = g.resources.find((x) => x.type === type && x.name === name);
    if (!r)
        throw new Error(
            `no ${type} named ${name}; have: ${ofType(g, type)
                .map((x) => x.name)
                .join(", ")}`,
        );
    return r;
}

export const byUrn = (g: StackGraph, urn: string): GraphResource => {
    const r = g.resources.find((x) => x.urn === urn);
    if (!r) throw new Error(`no resource ${urn}`);
    return r;
};

/** Names of the resources `r` depends on (explicit and implied), as `type::name`. */
export const depNames = (g: StackGraph, r: GraphResource): string[] => r.dependsOn.map((u) => byUrn(g, u).name).sort();

export const json = (s: unknown): any => JSON.parse(String(s));

export function deepClone<T>(x: T): T {
    return JSON.parse(JSON.stringify(x));
}
