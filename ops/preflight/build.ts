/**
 * The built CLIs under dist/ match the sources: the command resources of `pulumi up` run dist/cli/*.js, so an
 * edit not built yet (or a dist/ edited by hand) would run other code than the one reviewed. At build time
 * `npm run build` records, for every source under BUILD_SCOPE, the SHA-256 of the source and of the JavaScript
 * tsc emitted for it (dist/build-manifest.json, written by `preflight --record-build` as the postbuild step,
 * which npm runs only when tsc succeeded). The preflight hashes both again and compares.
 */
import { type CheckLine, fail, pass } from "./check";

/** Source folders whose compiled output `pulumi up` runs (tests and benchmarks are not run by it). */
export const BUILD_SCOPE = ["cli", "components", "ops", "runners", "stacks"] as const;
/** Where the manifest lives, relative to the project root. */
export const MANIFEST_PATH = "dist/build-manifest.json";

export interface BuildManifest {
    readonly format: 1;
    /** Source path (e.g. cli/search.ts) -> hashes of the source and of its output (null: tsc emitted none). */
    readonly files: Readonly<Record<string, { readonly source: string; readonly output: string | null }>>;
}

/** Whether a project-relative path is a TypeScript source the build compiles into scope. */
export function inScope(relPath: string): boolean {
    return BUILD_SCOPE.some((d) => relPath.startsWith(`${d}/`)) && relPath.endsWith(".ts") && !relPath.endsWith(".d.ts");
}

/** cli/search.ts -> dist/cli/search.js (tsconfig: rootDir ".", outDir "dist"). */
export function outputOf(source: string): string {
    return `dist/${source.replace(/\.ts$/, ".js")}`;
}

/** Hashes of the sources and of their outputs (undefined: no output file), as the build records them. */
export interface BuildHashes {
    readonly sources: Readonly<Record<string, string>>;
    readonly outputs: Readonly<Record<string, string | undefined>>;
}

export function manifestOf(h: BuildHashes): BuildManifest {
    const files: Record<string, { source: string; output: string | null }> = {};
    for (const source of Object.keys(h.sources).sort()) files[source] = { source: h.sources[source]!, output: h.outputs[outputOf(source)] ?? null };
    return { format: 1, files };
}

export type ManifestFact =
    { readonly kind: "missing" } | { readonly kind: "unreadable"; readonly why: string } | { readonly kind: "read"; readonly value: unknown };

function readManifest(value: unknown): BuildManifest | string {
    if (typeof value !== "object" || value === null) return "not a JSON object";
    const m = value as { format?: unknown; files?: unknown };
    if (m.format !== 1) return `format ${JSON.stringify(m.format)} is not 1`;
    if (typeof m.files !== "object" || m.files === null || Array.isArray(m.files)) return "no files map";
    for (const [k, v] of Object.entries(m.files)) {
        const e = v as { source?: unknown; output?: unknown } | null;
        if (typeof e !== "object" || e === null || typeof e.source !== "string" || (typeof e.output !== "string" && e.output !== null))
            return `entry ${k} is not {source, output}`;
    }
    return m as BuildManifest;
}

const REBUILD = "run `npm run build` (it records dist/build-manifest.json when tsc succeeds), then run the preflight again";

function listed(paths: readonly string[]): string {
    return paths.length <= 3 ? paths.join(", ") : `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more`;
}

export function checkBuild(manifestFact: ManifestFact, now: BuildHashes): CheckLine {
    const check = "dist";
    if (manifestFact.kind === "missing") return fail(check, `${MANIFEST_PATH} is missing: cannot tell which sources dist/ was built from`, REBUILD);
    if (manifestFact.kind === "unreadable") return fail(check, `${MANIFEST_PATH} cannot be read: ${manifestFact.why}`, REBUILD);
    const manifest = readManifest(manifestFact.value);
    if (typeof manifest === "string") return fail(check, `${MANIFEST_PATH} is not a build manifest (${manifest})`, REBUILD);
    const changed: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    const missing: string[] = [];
    const edited: string[] = [];
    for (const [source, hash] of Object.entries(now.sources)) {
        const entry = manifest.files[source];
        if (entry === undefined) added.push(source);
        else if (entry.source !== hash) changed.push(source);
    }
    for (const [source, entry] of Object.entries(manifest.files)) {
        if (now.sources[source] === undefined) removed.push(source);
        const out = now.outputs[outputOf(source)];
        if (entry.output === null || out === undefined) missing.push(outputOf(source));
        else if (out !== entry.output) edited.push(outputOf(source));
    }
    const problems = [
        changed.length ? `changed since the build: ${listed(changed.sort())}` : "",
        added.length ? `new since the build: ${listed(added.sort())}` : "",
        removed.length ? `deleted since the build: ${listed(removed.sort())}` : "",
        missing.length ? `no built file: ${listed(missing.sort())}` : "",
        edited.length ? `changed after the build: ${listed(edited.sort())}` : "",
    ].filter((p) => p !== "");
    if (problems.length > 0) return fail(check, `dist/ does not match the sources (${problems.join("; ")})`, REBUILD);
    return pass(check, `${Object.keys(manifest.files).length} built files match their sources (${BUILD_SCOPE.join(", ")})`);
}
