/**
 * The hosts section ("Machine Health": "When logging into machines, always check the disk. Some logs do not roll
 * over, and some crashes can fill the drives with crash reports"): per host, each file system's use against a
 * threshold, and the `*.hprof` crash dumps found.
 */
import type { Answer } from "./answer";
import { fault, type Finding, ok, unknown, warn } from "./findings";
import type { HostReading } from "./remote";

export interface HostFacts {
    /** `section/name`, e.g. search/spot-1. */
    readonly host: string;
    readonly address: string;
    readonly reading: Answer<HostReading>;
}

/** Disk use at which a file system is reported: warn, and fault at `faultFraction`. */
export interface DiskThresholds {
    readonly warnFraction: number;
    readonly faultFraction: number;
}

export const DEFAULT_DISK_THRESHOLDS: DiskThresholds = { warnFraction: 0.8, faultFraction: 0.9 };

const H = "hosts" as const;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export function checkHost(f: HostFacts, t: DiskThresholds = DEFAULT_DISK_THRESHOLDS): Finding[] {
    if (!f.reading.ok)
        return [
            unknown(
                H,
                "disk",
                f.host,
                `${f.address}: ${f.reading.why}`,
                "check that the host runs and that SSH reaches it with the stack's key (`npm run preflight`)",
            ),
        ];
    const out: Finding[] = [];
    const hunt =
        '"This is most often caused by a crash dump filling the drive": remove the `*.hprof` files; if that is not it, hunt down the big directories with `du -sh -- *`';
    for (const fs of f.reading.value.fileSystems) {
        const seen = `${fs.mount} ${(fs.usedFraction * 100).toFixed(0)}% used of ${gib(fs.sizeKiB * 1024)}`;
        if (fs.usedFraction >= t.faultFraction) out.push(fault(H, "disk", f.host, `${seen} (fault at ${(t.faultFraction * 100).toFixed(0)}%)`, hunt));
        else if (fs.usedFraction >= t.warnFraction) out.push(warn(H, "disk", f.host, `${seen} (warning at ${(t.warnFraction * 100).toFixed(0)}%)`, hunt));
    }
    if (!out.some((x) => x.check === "disk"))
        out.push(ok(H, "disk", f.host, `${f.reading.value.fileSystems.length} file system(s) under ${(t.warnFraction * 100).toFixed(0)}%`));
    const dumps = f.reading.value.crashDumps;
    if (dumps.length === 0) out.push(ok(H, "crash-dumps", f.host, "no *.hprof found"));
    else {
        const total = dumps.reduce((a, d) => a + d.bytes, 0);
        out.push(
            warn(
                H,
                "crash-dumps",
                f.host,
                `${dumps.length} crash dump(s), ${gib(total)}: ${dumps.map((d) => d.path).join(", ")}`,
                `a JVM ran out of memory; keep one for its cause if wanted, then remove them (\`sudo rm ${dumps[0]!.path.replace(/[^/]*$/, "*.hprof")}\`)`,
            ),
        );
    }
    return out;
}
