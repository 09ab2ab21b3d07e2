/**
 * Turning zod issues into messages an SRE can act on: every message starts with the config path as it
 * is typed with `pulumi config set --path` (e.g. `search.dataNodes[2].instanceType`), then what was
 * expected. Unknown keys get a "did you mean" hint, because a typo must never be silently ignored.
 */
import type { z } from "zod";

export type ConfigPath = ReadonlyArray<PropertyKey>;

/** `["search", "dataNodes", 2, "instanceType"]` -> `search.dataNodes[2].instanceType`. */
export function formatPath(path: ConfigPath): string {
    let out = "";
    for (const seg of path) {
        if (typeof seg === "number") out += `[${seg}]`;
        else out += out === "" ? String(seg) : `.${String(seg)}`;
    }
    return out === "" ? "(root)" : out;
}

/** Levenshtein distance, small inputs only (config keys). */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length];
}

/** Length of the common start of two lower-cased words. */
function commonStart(a: string, b: string): number {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
}

/**
 * The known key `key` is most likely a typo of, if any: the nearest by edit distance when it is near enough,
 * else the one key that shares all but the last letter of its start (a plural or a shortened word:
 * `alerts` or `alert` for `alerting`), which edit distance alone finds too far.
 */
export function suggest(key: string, known: readonly string[]): string | undefined {
    const typed = key.toLowerCase();
    let best: string | undefined;
    let bestD = Infinity;
    for (const k of known) {
        const d = distance(typed, k.toLowerCase());
        if (d < bestD) {
            bestD = d;
            best = k;
        }
    }
    if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3))) return best;
    const stem = Math.max(4, typed.length - 1);
    const sharing = known.filter((k) => commonStart(typed, k.toLowerCase()) >= stem);
    return sharing.length === 1 ? sharing[0] : undefined;
}

export interface ConfigProblem {
    /** Path of the offending value, formatted (`network.operatorCidrs[0]`). */
    readonly path: string;
    readonly message: string;
}

/** Known keys of the object schema at `path` inside `schema`, for suggestions; best effort. */
function knownKeysAt(schema: z.ZodType, path: ConfigPath): string[] {
    // zod v4 exposes the shape of object schemas through `.shape`; wrappers (optional, default) through
    // `.unwrap()`/`def.innerType`. We only walk objects, records, arrays and those wrappers.
    // zod's internals (`_zod.def`, `.shape`) have no public type: walked as `any`, best effort.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let cur: any = schema;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const unwrap = (s: any): any => {
        for (let i = 0; i < 10 && s; i++) {
            const def = s._zod?.def ?? s.def;
            if (!def) return s;
            if (def.innerType) s = def.innerType;
            else if (def.type === "pipe" && def.in) s = def.in;
            else return s;
        }
        return s;
    };
    for (const seg of path) {
        cur = unwrap(cur);
        const def = cur?._zod?.def ?? cur?.def;
        if (!def) return [];
        if (def.type === "object") cur = def.shape[seg as string];
        else if (def.type === "record") cur = def.valueType;
        else if (def.type === "array") cur = def.element;
        else return [];
    }
    cur = unwrap(cur);
    const def = cur?._zod?.def ?? cur?.def;
    return def?.type === "object" ? Object.keys(def.shape) : [];
}

export function problemsFromZod(error: z.ZodError, schema: z.ZodType, prefix: ConfigPath = []): ConfigProblem[] {
    const out: ConfigProblem[] = [];
    for (const issue of error.issues) {
        const path = [...prefix, ...issue.path];
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysAt(schema, issue.path);
            for (const key of issue.keys) {
                const hint = suggest(key, known);
                out.push({
                    path: formatPath([...path, key]),
                    message: `unknown key${hint ? ` (did you mean '${hint}'?)` : ""}` + (known.length ? `; expected one of: ${known.join(", ")}` : ""),
                });
            }
            continue;
        }
        if (issue.code === "invalid_union" && issue.errors.length > 0) {
            // Report the branch that got furthest (most specific path) rather than "invalid input".
            const best = [...issue.errors].sort((a, b) => maxDepth(b) - maxDepth(a))[0];
            for (const sub of best) out.push({ path: formatPath([...path, ...sub.path]), message: sub.message });
            continue;
        }
        out.push({ path: formatPath(path), message: issue.message });
    }
    return out;
}

function maxDepth(issues: readonly { path: PropertyKey[] }[]): number {
    return Math.max(0, ...issues.map((i) => i.path.length));
}

/**
 * A configuration that does not validate: the one error class for every config of the project (the
 * stack config, and the documents the platform, control-plane and spot modules parse on their own).
 * `problems` holds every problem with its path; `lines` the same as `path: message` sentences.
 */
export class ConfigError extends Error {
    readonly lines: readonly string[];

    /**
     * @param namespace the config namespace named by the default heading (`dataplat`).
     * @param heading replaces the default heading `Invalid stack configuration (<namespace>:*), nothing was deployed`.
     */
    constructor(
        readonly problems: readonly ConfigProblem[],
        namespace: string,
        heading?: string,
    ) {
        const lines = problems.map((p) => `${p.path}: ${p.message}`);
        super(`${heading ?? `Invalid stack configuration (${namespace}:*), nothing was deployed`}:\n` + lines.map((l) => `  - ${l}`).join("\n"));
        this.name = "ConfigError";
        this.lines = lines;
    }
}
