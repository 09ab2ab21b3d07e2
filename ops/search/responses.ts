// Reading API answers of Elasticsearch 7 / OpenSearch 1-3 fail closed: an answer that does not have the expected
// shape throws ModelError, so an unreadable answer is never read as "drained" or "empty". Shared by every reader of
// ops/search (cluster state, shards, settings, allocation explain). Pure.

export class ModelError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ModelError";
    }
}

export function asRecord(v: unknown, what: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ModelError(`${what}: expected an object`);
    return v as Record<string, unknown>;
}

export function asArray(v: unknown, what: string): unknown[] {
    if (!Array.isArray(v)) throw new ModelError(`${what}: expected an array`);
    return v;
}

export function asString(v: unknown, what: string): string {
    if (typeof v !== "string") throw new ModelError(`${what}: expected a string`);
    return v;
}

export function asCount(v: unknown, what: string): number {
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new ModelError(`${what}: expected a count, got ${JSON.stringify(v)}`);
    return n;
}
