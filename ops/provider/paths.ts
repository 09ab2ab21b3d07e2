/**
 * Property paths over plain input objects, in the syntax Pulumi uses for `replaceOnChanges` and
 * `ignoreChanges` (`a.b`, `a[0]`, `a[*].b`, `*`). Pure: no Pulumi import, no I/O.
 */

export type Segment = string | number;
/** A pattern segment: a key, an index, or `*` (any key or index). */
export type PatternSegment = Segment | "*";

export function parsePath(path: string): PatternSegment[] {
    if (path === "*") return ["*"];
    const out: PatternSegment[] = [];
    const re = /([^.[\]]+)|\[(\*|\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(path)) !== null) {
        if (m[1] !== undefined) out.push(m[1] === "*" ? "*" : m[1]);
        else out.push(m[2] === "*" ? "*" : Number(m[2]));
    }
    if (out.length === 0) throw new Error(`empty property path: ${JSON.stringify(path)}`);
    return out;
}

export function formatPath(segs: readonly Segment[]): string {
    let s = "";
    for (const seg of segs) s += typeof seg === "number" ? `[${seg}]` : s === "" ? seg : `.${seg}`;
    return s;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Leaf paths whose values differ between `a` and `b`. Objects and arrays are walked element by element
 * (a block present on one side only yields the leaves under it); an empty container against a missing
 * value yields the container's own path.
 */
export function changedPaths(a: unknown, b: unknown, prefix: Segment[] = []): string[] {
    if (Array.isArray(a) || Array.isArray(b)) {
        const xa = Array.isArray(a) ? a : undefined;
        const xb = Array.isArray(b) ? b : undefined;
        if (!xa || !xb) {
            const present = (xa ?? xb)!;
            const other = xa ? b : a;
            if (other !== undefined) return [formatPath(prefix)];
            if (present.length === 0) return [formatPath(prefix)];
            return present.flatMap((v, i) => changedPaths(xa ? v : undefined, xb ? v : undefined, [...prefix, i]));
        }
        const n = Math.max(xa.length, xb.length);
        const out: string[] = [];
        for (let i = 0; i < n; i++) out.push(...changedPaths(xa[i], xb[i], [...prefix, i]));
        return out;
    }
    if (isObj(a) || isObj(b)) {
        const oa = isObj(a) ? a : undefined;
        const ob = isObj(b) ? b : undefined;
        if ((!oa && a !== undefined) || (!ob && b !== undefined)) return [formatPath(prefix)];
        const keys = [...new Set([...Object.keys(oa ?? {}), ...Object.keys(ob ?? {})])].sort();
        if (keys.length === 0) return (oa === undefined) !== (ob === undefined) ? [formatPath(prefix)] : [];
        return keys.flatMap((k) => changedPaths(oa?.[k], ob?.[k], [...prefix, k]));
    }
    return a === b ? [] : [formatPath(prefix)];
}

/**
 * Whether `pattern` covers `path` (Pulumi's PropertyPath.Contains: the pattern is a prefix of the path,
 * `*` matching any single key or index).
 */
export function covers(pattern: string, path: string): boolean {
    const p = parsePath(pattern);
    const q = parsePath(path);
    if (p.length > q.length) return false;
    return p.every((seg, i) => seg === "*" || seg === q[i]);
}

/** The value at a concrete path (no wildcards), or undefined. */
export function valueAt(obj: unknown, path: string): unknown {
    let cur: unknown = obj;
    for (const seg of parsePath(path)) {
        if (seg === "*") throw new Error(`valueAt takes a concrete path, got ${path}`);
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string | number, unknown>)[seg];
    }
    return cur;
}

function clone<T>(x: T): T {
    return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

/**
 * Pulumi's processIgnoreChanges (step_generator.go): for each ignored path, the new inputs take the old
 * value. Wildcards expand over the old value's keys/indices.
 */
export function applyIgnoreChanges(oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>, ignore: readonly string[]): Record<string, unknown> {
    const out = clone(newInputs) as Record<string, unknown>;
    const reset = (oldCur: unknown, newParent: Record<string | number, unknown>, segs: PatternSegment[]): void => {
        const [head, ...rest] = segs;
        const keys: Segment[] =
            head === "*" ? (oldCur && typeof oldCur === "object" ? Object.keys(oldCur).map((k) => (Array.isArray(oldCur) ? Number(k) : k)) : []) : [head];
        for (const k of keys) {
            const oldVal = oldCur && typeof oldCur === "object" ? (oldCur as Record<string | number, unknown>)[k] : undefined;
            if (rest.length === 0) {
                if (oldVal === undefined) delete newParent[k];
                else newParent[k] = clone(oldVal);
            } else {
                let next = newParent[k];
                if (next === null || typeof next !== "object") {
                    if (oldVal === undefined) continue;
                    next = typeof rest[0] === "number" ? [] : {};
                    newParent[k] = next;
                }
                reset(oldVal, next as Record<string | number, unknown>, rest);
            }
        }
    };
    for (const p of ignore) reset(oldInputs, out as Record<string | number, unknown>, parsePath(p));
    return out;
}
