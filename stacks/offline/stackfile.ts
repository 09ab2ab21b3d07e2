/**
 * Reading a Pulumi.<stack>.yaml without the Pulumi CLI: the `config:` map becomes the raw config the
 * program sees (structured values as JSON text, as the language host passes them). Secure values
 * cannot be decrypted offline; they become a placeholder and their key is marked secret, so the
 * program's secret checks run exactly as in a real update.
 */
import * as fs from "node:fs";
import { parse } from "yaml";

export interface RawStackConfig {
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

function isSecure(v: unknown): v is { secure: string } {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
}

/** Replaces `{secure: ...}` anywhere in a value by a placeholder; reports whether any was found. */
function unsecure(v: unknown, key: string): { value: unknown; secret: boolean } {
    if (isSecure(v)) return { value: `offline-placeholder-for-secret-${key}`, secret: true };
    if (Array.isArray(v)) {
        const parts = v.map((x) => unsecure(x, key));
        return { value: parts.map((p) => p.value), secret: parts.some((p) => p.secret) };
    }
    if (typeof v === "object" && v !== null) {
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const p = unsecure(x, key);
            out[k] = p.value;
            secret ||= p.secret;
        }
        return { value: out, secret };
    }
    return { value: v, secret: false };
}

export function readStackFile(path: string): RawStackConfig {
    let doc: unknown;
    try {
        doc = parse(fs.readFileSync(path, "utf8"));
    } catch (e) {
        throw new Error(`cannot read stack file ${path}: ${(e as Error).message}`, { cause: e });
    }
    const cfg = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw new Error(`${path}: 'config' must be a map`);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(cfg)) {
        const { value, secret } = unsecure(raw, key);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) secretKeys.push(key);
    }
    return { config, secretKeys };
}
