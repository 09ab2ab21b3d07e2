/**
 * The age of the newest complete backup unit under each backup root, against the age a restore accepts. A unit
 * is complete once its MANIFEST is written (written last, ops/platform/backupunit.ts), and its freshness is read
 * from S3's LastModified of that manifest, not from the host's clock in the stamp.
 */
import type { Answer } from "./answer";
import { duration } from "./answer";
import { fault, type Finding, ok, type Section, unknown } from "./findings";
import { MANIFEST_NAME, parseStamp } from "../platform/backupunit";

export interface BackupObject {
    readonly key: string;
    /** S3 LastModified, ms since the epoch. */
    readonly lastModified: number;
}

export interface BackupFacts {
    readonly section: Section;
    /** What these backups are, e.g. `headnode`, `koverse`. */
    readonly subject: string;
    readonly bucket: string;
    /** Key prefix the units live under (`<prefix>/<kind>/<stamp>/MANIFEST` or `<prefix>/<stamp>/MANIFEST`). */
    readonly prefix: string;
    readonly maxAgeMinutes: number;
    readonly objects: Answer<readonly BackupObject[]>;
}

/** Newest manifest per backup root (the key path between the prefix and the stamp; "" when none). */
export function newestUnits(prefix: string, objects: readonly BackupObject[]): Map<string, { stamp: string; lastModified: number }> {
    const out = new Map<string, { stamp: string; lastModified: number }>();
    for (const o of objects) {
        if (!o.key.startsWith(`${prefix}/`) || !o.key.endsWith(`/${MANIFEST_NAME}`)) continue;
        const parts = o.key.slice(prefix.length + 1).split("/");
        const stamp = parts[parts.length - 2];
        if (stamp === undefined || parseStamp(stamp) === undefined) continue;
        const root = parts.slice(0, -2).join("/");
        const seen = out.get(root);
        if (seen === undefined || o.lastModified > seen.lastModified) out.set(root, { stamp, lastModified: o.lastModified });
    }
    return out;
}

export function checkBackups(f: BackupFacts, now: number): Finding[] {
    const where = `s3://${f.bucket}/${f.prefix}`;
    if (!f.objects.ok)
        return [
            unknown(
                f.section,
                "backup",
                f.subject,
                `${where} could not be listed: ${f.objects.why}`,
                "check the credentials' s3:ListBucket on the backup bucket",
            ),
        ];
    const units = newestUnits(f.prefix, f.objects.value);
    if (units.size === 0)
        return [
            fault(
                f.section,
                "backup",
                f.subject,
                `no complete backup unit (with a ${MANIFEST_NAME}) under ${where}`,
                "the backup timer has not completed a run: read `journalctl -u` of its unit on the host and run it by hand once",
            ),
        ];
    const out: Finding[] = [];
    for (const [root, u] of [...units.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const age = (now - u.lastModified) / 1000;
        const name = root === "" ? f.subject : `${f.subject} ${root}`;
        const seen = `newest ${u.stamp}, ${duration(age)} old (a restore accepts ${duration(f.maxAgeMinutes * 60)})`;
        if (age > f.maxAgeMinutes * 60)
            out.push(
                fault(
                    f.section,
                    "backup",
                    name,
                    seen,
                    "the backups stopped: a restore now would refuse this one; read the backup timer's journal on the host and fix it, then run it by hand",
                ),
            );
        else out.push(ok(f.section, "backup", name, seen));
    }
    return out;
}
