/**
 * Backups as units: the rules every backup, restore and recovery script follows (issue 18). Plain
 * decisions over values: no Pulumi, no I/O, no clock. The shell toolkit (ops/platform/bash.ts)
 * renders each rule as a bash function built from the constants here, and
 * tests/platform/backup-unit-rules.test.ts runs both renderings over the same cases.
 *
 * A unit is everything one backup run took, under one stamp:
 *   s3://<bucket>/<root>/<stamp>/<part>...       the parts, uploaded first
 *   s3://<bucket>/<root>/<stamp>/MANIFEST         written last: kind, stamp, host, and per part its
 *                                                 name, size, sha256 and S3 LastModified
 * A unit without a manifest, or whose parts do not match it, is never restored.
 *
 * Stamps are `<UTC time to the nanosecond>Z-<host>`, e.g. `20240131T235959.123456789Z-headnode`:
 * two runs never share one (and each unit runs under flock). The time in the stamp comes from the
 * host's clock and orders nothing: freshness is read from S3's LastModified of the manifest.
 */

/** date(1) format of the time part of a stamp (GNU date: %N is nanoseconds). */
export const STAMP_DATE_FORMAT = "%Y%m%dT%H%M%S.%NZ";
/** A host label in a stamp: the config's host names (ops/platform/config.ts hostName). */
export const STAMP_HOST_PATTERN = "[a-z][a-z0-9-]{0,62}";
/** ERE (bash `[[ =~ ]]` and JavaScript alike) of a whole stamp, without anchors. */
export const STAMP_PATTERN = `[0-9]{8}T[0-9]{6}\\.[0-9]{9}Z-${STAMP_HOST_PATTERN}`;
export const STAMP_EXAMPLE = "20240131T235959.123456789Z-headnode";

export interface Stamp {
    readonly text: string;
    /** Whole seconds since the epoch of the time part (UTC). */
    readonly epochSeconds: number;
    readonly nanoseconds: number;
    readonly host: string;
}

const STAMP_RE = new RegExp(`^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})\\.([0-9]{9})Z-(${STAMP_HOST_PATTERN})$`);

/** The stamp, or undefined when `text` is not one (including impossible dates such as month 13). */
export function parseStamp(text: string): Stamp | undefined {
    const m = STAMP_RE.exec(text);
    if (m === null) return undefined;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    if (
        back.getUTCFullYear() !== y ||
        back.getUTCMonth() !== mo - 1 ||
        back.getUTCDate() !== d ||
        back.getUTCHours() !== h ||
        back.getUTCMinutes() !== mi ||
        back.getUTCSeconds() !== s
    ) {
        return undefined;
    }
    return { text, epochSeconds: ms / 1000, nanoseconds: Number(m[7]), host: m[8]! };
}

/** The stamp a run on `host` takes at `epochSeconds` + `nanoseconds`. */
export function formatStamp(epochSeconds: number, nanoseconds: number, host: string): string {
    if (!Number.isInteger(epochSeconds) || !Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
        throw new Error(`formatStamp: expected whole seconds and 0-999999999 nanoseconds, got ${epochSeconds}, ${nanoseconds}`);
    }
    if (!new RegExp(`^${STAMP_HOST_PATTERN}$`).test(host)) throw new Error(`formatStamp: not a host label: ${host}`);
    const iso = new Date(epochSeconds * 1000).toISOString();
    const time = iso.slice(0, 19).replace(/[-:]/g, "");
    return `${time}.${String(nanoseconds).padStart(9, "0")}Z-${host}`;
}

export const MANIFEST_NAME = "MANIFEST";
export const MANIFEST_HEADER = "dataplat-backup-manifest 1";
/** A part's name inside its unit: path segments that do not start with '.', so never `..`. */
export const PART_NAME_PATTERN = "[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*";
/** S3 LastModified as recorded in a manifest (whole seconds, UTC). */
export const MODIFIED_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z";
export const SHA256_PATTERN = "[0-9a-f]{64}";
export const SIZE_PATTERN = "(0|[1-9][0-9]*)";

export interface ManifestPart {
    readonly name: string;
    readonly size: number;
    readonly sha256: string;
    /** S3 LastModified of the part, `2024-01-31T23:59:59Z`. */
    readonly lastModified: string;
}

export interface Manifest {
    readonly kind: string;
    readonly stamp: string;
    readonly host: string;
    readonly parts: readonly ManifestPart[];
}

/** The manifest's text: one field per line, parts in upload order, `end <count>` last. */
export function renderManifest(m: Manifest): string {
    return [
        MANIFEST_HEADER,
        `kind ${m.kind}`,
        `stamp ${m.stamp}`,
        `host ${m.host}`,
        ...m.parts.map((p) => `part ${p.name} ${p.size} ${p.sha256} ${p.lastModified}`),
        `end ${m.parts.length}`,
        "",
    ].join("\n");
}

/** What a manifest must say: its unit's kind and stamp, and exactly these parts (any, when "any"). */
export interface ManifestExpectation {
    readonly kind: string;
    readonly stamp: string;
    readonly parts: readonly string[] | "any";
}

export type ManifestRead = { readonly ok: true; readonly manifest: Manifest } | { readonly ok: false; readonly problem: string };

const PART_LINE = new RegExp(`^part (${PART_NAME_PATTERN}) ${SIZE_PATTERN} (${SHA256_PATTERN}) (${MODIFIED_PATTERN})$`);
const END_LINE = /^end (0|[1-9][0-9]*)$/;

/**
 * Read a manifest, refusing anything but a complete one for the expected unit: the header, kind,
 * stamp, the host named in the stamp, well-formed unique parts, and `end <count>` as the last line
 * (a truncated manifest has none). One trailing newline is allowed.
 */
export function readManifest(text: string, expect: ManifestExpectation): ManifestRead {
    const fail = (problem: string): ManifestRead => ({ ok: false, problem });
    const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
    if (lines[0] !== MANIFEST_HEADER) return fail(`not a dataplat backup manifest (first line '${lines[0] ?? ""}')`);
    if (lines[1] !== `kind ${expect.kind}`) return fail(`expected 'kind ${expect.kind}', found '${lines[1] ?? ""}'`);
    if (lines[2] !== `stamp ${expect.stamp}`) return fail(`expected 'stamp ${expect.stamp}', found '${lines[2] ?? ""}'`);
    const stamp = parseStamp(expect.stamp);
    if (stamp === undefined) return fail(`'${expect.stamp}' is not a backup stamp`);
    if (lines[3] !== `host ${stamp.host}`) return fail(`expected 'host ${stamp.host}', found '${lines[3] ?? ""}'`);
    const parts: ManifestPart[] = [];
    for (let i = 4; i < lines.length; i++) {
        const line = lines[i]!;
        const part = PART_LINE.exec(line);
        if (part !== null) {
            if (parts.some((p) => p.name === part[1])) return fail(`part ${part[1]} is listed twice`);
            parts.push({ name: part[1]!, size: Number(part[3]), sha256: part[4]!, lastModified: part[5]! });
            continue;
        }
        const end = END_LINE.exec(line);
        if (end === null) return fail(`line ${i + 1} is neither a part nor the end: '${line}'`);
        if (Number(end[1]) !== parts.length) return fail(`the end line counts ${end[1]} parts, the manifest lists ${parts.length}`);
        if (i !== lines.length - 1) return fail(`text after the end line (line ${i + 2})`);
        if (parts.length === 0) return fail("the manifest lists no parts");
        if (expect.parts !== "any") {
            const want = [...expect.parts].sort().join(" ");
            const have = parts
                .map((p) => p.name)
                .sort()
                .join(" ");
            if (want !== have) return fail(`expected the parts ${want}, the manifest lists ${have}`);
        }
        return { ok: true, manifest: { kind: expect.kind, stamp: expect.stamp, host: stamp.host, parts } };
    }
    return fail("no end line: the manifest is truncated");
}

/** How far apart a host's clock and S3's may be, and how old a backup may be. */
export interface TimeRules {
    readonly maxAgeSeconds: number;
    readonly maxSkewSeconds: number;
}

/**
 * - `skewed`: the stamp (host clock) is later than the manifest's S3 LastModified by more than the
 *   skew: written by a host whose clock ran fast; never chosen as "fresh";
 * - `future`: S3 wrote the manifest later than this host's now by more than the skew: this host's
 *   clock is behind, so no age can be trusted;
 * - `too-old`: older than maxAge by S3's LastModified;
 * - `fresh` otherwise.
 */
export type TimeVerdict = "skewed" | "future" | "too-old" | "fresh";

export function unitTimeVerdict(stampSeconds: number, modifiedSeconds: number, nowSeconds: number, rules: TimeRules): TimeVerdict {
    if (stampSeconds > modifiedSeconds + rules.maxSkewSeconds) return "skewed";
    if (modifiedSeconds > nowSeconds + rules.maxSkewSeconds) return "future";
    if (nowSeconds - modifiedSeconds > rules.maxAgeSeconds) return "too-old";
    return "fresh";
}

/**
 * A backup host wrote an object between its own clock readings `beforeSeconds` and `afterSeconds`
 * and S3 stamped it `s3Seconds` (LastModified): the clocks disagree when S3's time lies outside
 * that window widened by the skew on each side.
 */
export function hostClockSkewed(beforeSeconds: number, afterSeconds: number, s3Seconds: number, maxSkewSeconds: number): boolean {
    return s3Seconds < beforeSeconds - maxSkewSeconds || s3Seconds > afterSeconds + maxSkewSeconds;
}

export interface UnitListing {
    readonly stamp: string;
    /** S3 LastModified of the unit's manifest, seconds since the epoch. */
    readonly modifiedSeconds: number;
}

/**
 * The order in which recovery tries units: newest manifest first by S3's LastModified (stamps come
 * from host clocks), ties broken by the stamp, latest first. Keys that are not stamps are dropped.
 */
export function candidateOrder(units: readonly UnitListing[]): UnitListing[] {
    return units
        .filter((u) => parseStamp(u.stamp) !== undefined)
        .slice()
        .sort((a, b) => b.modifiedSeconds - a.modifiedSeconds || (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : 0));
}

/** GNU tar exits 1 when a file changed while it was read; a backup retries that many times in all. */
export const TAR_ATTEMPTS = 3;
/** Default of `maxClockSkewSeconds`: how far a host's clock may be from S3's. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;
