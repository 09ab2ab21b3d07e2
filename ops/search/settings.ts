// Cluster settings as the drain reads and writes them: transient shadows persistent, exclusion lists keep every
// name the drain did not add, and recovery throttles are raised for a drain without lowering an operator's value.
// Pure: returns the updates to send, never sends them.

import { ModelError, asRecord } from "./responses";

export type SettingValue = string | string[];
export type FlatSettings = Record<string, SettingValue>;

export interface ClusterSettings {
    persistent: FlatSettings;
    transient: FlatSettings;
    defaults: FlatSettings;
}

/** Body of `PUT _cluster/settings`; null removes the setting from that layer. */
export interface SettingsUpdate {
    persistent?: Record<string, string | null>;
    transient?: Record<string, string | null>;
}

export const EXCLUDE_NAME = "cluster.routing.allocation.exclude._name";
export const ALLOCATION_ENABLE = "cluster.routing.allocation.enable";
export const NODE_CONCURRENT_RECOVERIES = "cluster.routing.allocation.node_concurrent_recoveries";
export const RECOVERY_MAX_BYTES = "indices.recovery.max_bytes_per_sec";

export function excludeAttributeKey(attribute: string): string {
    return `cluster.routing.allocation.exclude.${attribute}`;
}

/** Reads `GET _cluster/settings` (flat_settings or nested, with or without include_defaults). */
export function parseClusterSettings(body: unknown): ClusterSettings {
    const s = asRecord(body, "cluster settings");
    const layer = (v: unknown, name: string): FlatSettings => (v === undefined ? {} : flatten(asRecord(v, name), ""));
    if (s.persistent === undefined || s.transient === undefined) {
        throw new ModelError("cluster settings answer lacks persistent or transient");
    }
    return { persistent: layer(s.persistent, "persistent"), transient: layer(s.transient, "transient"), defaults: layer(s.defaults, "defaults") };
}

function flatten(obj: Record<string, unknown>, prefix: string, out: FlatSettings = {}): FlatSettings {
    for (const [k, v] of Object.entries(obj)) {
        const key = prefix ? `${prefix}.${k}` : k;
        if (v === null || v === undefined) continue;
        if (Array.isArray(v)) out[key] = v.map(String);
        else if (typeof v === "object") flatten(v as Record<string, unknown>, key, out);
        else out[key] = String(v);
    }
    return out;
}

export type SettingLayer = "transient" | "persistent" | "defaults";

/** The value in force: transient if present there (even ""), else persistent, else the default. */
export function effectiveSetting(s: ClusterSettings, key: string): { value: SettingValue; layer: SettingLayer } | undefined {
    for (const layer of ["transient", "persistent", "defaults"] as const) {
        const v = s[layer][key];
        if (v !== undefined) return { value: v, layer };
    }
    return undefined;
}

/** Splits a comma-separated filter value (or an array of them) into names. */
export function parseNameList(value: SettingValue | undefined): string[] {
    if (value === undefined) return [];
    const parts = Array.isArray(value) ? value.flatMap((v) => v.split(",")) : value.split(",");
    return parts.map((p) => p.trim()).filter((p) => p !== "");
}

export function withName(list: readonly string[], name: string): string[] {
    return list.includes(name) ? [...list] : [...list, name];
}

export function withoutName(list: readonly string[], name: string): string[] {
    return list.filter((n) => n !== name);
}

/** The names in force for an exclusion filter (transient shadows persistent). */
export function effectiveExclusion(s: ClusterSettings, key: string): string[] {
    const eff = effectiveSetting(s, key);
    return eff && eff.layer !== "defaults" ? parseNameList(eff.value) : [];
}

/**
 * Adds `name` to an exclusion filter without touching other names. Written to persistent; also to
 * transient when the key is present there, since a transient value (even "") shadows the persistent one.
 * Returns null when `name` is already in every layer we would write.
 */
export function addToExclusion(s: ClusterSettings, key: string, name: string): SettingsUpdate | null {
    const update: SettingsUpdate = {};
    const persistent = parseNameList(s.persistent[key]);
    if (!persistent.includes(name)) update.persistent = { [key]: withName(persistent, name).join(",") };
    if (s.transient[key] !== undefined) {
        const transient = parseNameList(s.transient[key]);
        if (!transient.includes(name)) update.transient = { [key]: withName(transient, name).join(",") };
    }
    return update.persistent || update.transient ? update : null;
}

/**
 * Removes `name` from an exclusion filter in both layers, keeping every other name. An emptied persistent
 * value is removed (null); an emptied transient value is kept as "" so that it still shadows the persistent
 * one exactly as before. Returns null when `name` is in neither layer.
 */
export function removeFromExclusion(s: ClusterSettings, key: string, name: string): SettingsUpdate | null {
    const update: SettingsUpdate = {};
    const persistent = parseNameList(s.persistent[key]);
    if (persistent.includes(name)) {
        const rest = withoutName(persistent, name);
        update.persistent = { [key]: rest.length ? rest.join(",") : null };
    }
    const transient = parseNameList(s.transient[key]);
    if (transient.includes(name)) update.transient = { [key]: withoutName(transient, name).join(",") };
    return update.persistent || update.transient ? update : null;
}

/**
 * Sets `key` to `value` where it takes effect: persistent, and transient too when present there.
 * `restore` puts each written layer back as it was (null when the key was absent).
 */
export function overrideSetting(s: ClusterSettings, key: string, value: string): { apply: SettingsUpdate; restore: SettingsUpdate } {
    const apply: SettingsUpdate = { persistent: { [key]: value } };
    const restore: SettingsUpdate = { persistent: { [key]: scalar(s.persistent[key]) } };
    if (s.transient[key] !== undefined) {
        apply.transient = { [key]: value };
        restore.transient = { [key]: scalar(s.transient[key]) };
    }
    return { apply, restore };
}

export function mergeUpdates(...updates: (SettingsUpdate | null)[]): SettingsUpdate | null {
    const out: SettingsUpdate = {};
    for (const u of updates) {
        if (!u) continue;
        if (u.persistent) out.persistent = { ...out.persistent, ...u.persistent };
        if (u.transient) out.transient = { ...out.transient, ...u.transient };
    }
    return out.persistent || out.transient ? out : null;
}

function scalar(v: SettingValue | undefined): string | null {
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(",") : v;
}

// Recovery throttles raised during a drain

const byteUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

/** Parses a byte-size setting such as "40mb" or "1.5gb"; "-1" and "0" mean unlimited. */
export function parseByteSize(v: string): number {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*([kmgtp]?b)?\s*$/i.exec(v);
    if (!m) throw new ModelError(`unreadable byte size ${JSON.stringify(v)}`);
    const n = Number(m[1]);
    if (n <= 0) return Number.POSITIVE_INFINITY;
    return n * (byteUnits[(m[2] ?? "b").toLowerCase()] ?? 1);
}

export interface RecoveryBoost {
    /** Cluster-wide number of concurrent recoveries per node during the drain. */
    nodeConcurrentRecoveries: number;
    /** Recovery bandwidth per node during the drain, e.g. "200mb". */
    maxBytesPerSec: string;
}

/**
 * Raises the recovery throttles for a drain, never lowering a value an operator has set higher.
 * Returns what to apply and how to put the previous values back.
 */
export function planRecoveryBoost(s: ClusterSettings, want: RecoveryBoost): { apply: SettingsUpdate | null; restore: SettingsUpdate | null } {
    const plans: { apply: SettingsUpdate; restore: SettingsUpdate }[] = [];
    const recoveries = effectiveSetting(s, NODE_CONCURRENT_RECOVERIES);
    const currentRecoveries = recoveries ? Number(scalar(recoveries.value)) : 2;
    if (!(currentRecoveries >= want.nodeConcurrentRecoveries)) {
        plans.push(overrideSetting(s, NODE_CONCURRENT_RECOVERIES, String(want.nodeConcurrentRecoveries)));
    }
    const bytes = effectiveSetting(s, RECOVERY_MAX_BYTES);
    const currentBytes = bytes ? parseByteSize(scalar(bytes.value) ?? "40mb") : parseByteSize("40mb");
    if (currentBytes < parseByteSize(want.maxBytesPerSec)) plans.push(overrideSetting(s, RECOVERY_MAX_BYTES, want.maxBytesPerSec));
    return { apply: mergeUpdates(...plans.map((p) => p.apply)), restore: mergeUpdates(...plans.map((p) => p.restore)) };
}
