/**
 * The commands status runs on hosts over SSH, and the readers of what they print. Read-only: they look (df, find,
 * systemctl is-active, curl, cat) and change nothing. Plain text in, plain values out: the runner only transports.
 */

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const SEP = "@@dataplat-status";

/** Where a JVM drops `*.hprof` crash dumps on our hosts ("sudo rm /usr/local/elasticsearch/*.hprof"). */
export const DEFAULT_CRASH_DUMP_DIRS = [
    "/usr/local/elasticsearch",
    "/usr/share/opensearch",
    "/var/lib/opensearch",
    "/var/log/opensearch",
    "/usr/share/elasticsearch",
    "/var/lib/elasticsearch",
];

/** `df -P -k` of every local file system, then the crash dumps under `dirs` (two levels down), as `SIZE PATH`. */
export function hostCommand(dirs: readonly string[]): string {
    const finds = dirs.map((d) => `[ -d ${quote(d)} ] && find ${quote(d)} -maxdepth 2 -name '*.hprof' -printf '%s %p\\n' 2>/dev/null`).join("; ");
    return `df -P -k -l 2>/dev/null; echo ${SEP}; ${finds ? `${finds}; ` : ""}true`;
}

export interface FileSystemUse {
    readonly mount: string;
    readonly device: string;
    readonly usedFraction: number;
    readonly sizeKiB: number;
}

export interface HostReading {
    readonly fileSystems: readonly FileSystemUse[];
    readonly crashDumps: readonly { readonly path: string; readonly bytes: number }[];
}

/** Reads hostCommand's output; throws when it is not that output (a reading that cannot be trusted). */
export function readHost(stdout: string): HostReading {
    const at = stdout.indexOf(`${SEP}\n`);
    if (at < 0) throw new Error("the host's answer lacks the status separator: not the output of the status command");
    const df = stdout
        .slice(0, at)
        .split("\n")
        .filter((l) => l.trim() !== "");
    if (df.length === 0 || !/^Filesystem/.test(df[0]!)) throw new Error("df printed no table");
    const fileSystems: FileSystemUse[] = [];
    for (const line of df.slice(1)) {
        const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line);
        if (!m) throw new Error(`unreadable df line ${JSON.stringify(line)}`);
        const size = Number(m[2]);
        if (size === 0) continue; // pseudo file systems
        fileSystems.push({ device: m[1]!, sizeKiB: size, usedFraction: Number(m[5]) / 100, mount: m[6]! });
    }
    const crashDumps = stdout
        .slice(at + SEP.length + 1)
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => {
            const m = /^(\d+) (.+)$/.exec(l);
            if (!m) throw new Error(`unreadable crash dump line ${JSON.stringify(l)}`);
            return { bytes: Number(m[1]), path: m[2]! };
        });
    return { fileSystems, crashDumps };
}

/** `systemctl is-active` of each unit, one state per line in the units' order (it exits non-zero when one is not active). */
export function unitsCommand(units: readonly string[], systemctl = "systemctl"): string {
    return `${systemctl} is-active ${units.map(quote).join(" ")}; true`;
}

/** Reads unitsCommand's output: unit -> state (active, inactive, failed, activating, unknown...). */
export function readUnits(units: readonly string[], stdout: string): Map<string, string> {
    const lines = stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
    if (lines.length !== units.length) throw new Error(`systemctl printed ${lines.length} states for ${units.length} units`);
    return new Map(units.map((u, i) => [u, lines[i]!]));
}

/**
 * On an origin: the HTTP status of its health check at `url` (as the rollout asks it, with curl; 000 when nothing
 * answered), then the ring file it runs with (or a marker when there is none).
 */
export function originCommand(url: string, configPath: string): string {
    return `printf 'health=%s\\n' "$(curl --silent --max-time 5 -o /dev/null -w '%{http_code}' ${quote(url)} || true)"; echo ${SEP}; if [ -r ${quote(configPath)} ]; then cat ${quote(configPath)}; else echo ${SEP}-no-config; fi`;
}

export interface OriginReading {
    /** HTTP status of the health check; 0 when nothing answered. */
    readonly healthStatus: number;
    /** The ring file's text, or undefined when it does not exist or cannot be read. */
    readonly config: string | undefined;
}

export function readOrigin(stdout: string): OriginReading {
    const m = /^health=(\d{3})\n/.exec(stdout);
    const at = stdout.indexOf(`${SEP}\n`);
    if (!m || at < 0) throw new Error("the origin's answer is not the output of the status command");
    const rest = stdout.slice(at + SEP.length + 1);
    return { healthStatus: Number(m[1]), config: rest.startsWith(`${SEP}-no-config`) ? undefined : rest };
}
