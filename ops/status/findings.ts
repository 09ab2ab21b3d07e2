/**
 * What every status check returns, how the whole run is printed (a table grouped by section, or JSON of a stable
 * shape) and what it exits with. The checks themselves (one file per section, ops/status/*.ts) are plain
 * functions of the answers the runner collected (runners/status/): no I/O, no clock (`now` is passed in).
 *
 * Levels: "ok" (seen and fine), "warn" (look today), "fault" (act: the line says what to do, in the runbook's
 * words), "unknown" (the check could not ask its system). A failed call is always "unknown", never "ok": the
 * bug ECK's history warns about is a failed call read as "empty".
 */

export const SECTIONS = ["search", "queues", "fleets", "origin", "platform", "controlplane", "hosts"] as const;
export type Section = (typeof SECTIONS)[number];

/** Titles as the issue and the runbooks name the sections. */
export const SECTION_TITLES: Readonly<Record<Section, string>> = {
    search: "search",
    queues: "queues",
    fleets: "spot fleets",
    origin: "origin",
    platform: "platform",
    controlplane: "control plane",
    hosts: "hosts",
};

export const LEVELS = ["ok", "warn", "fault", "unknown"] as const;
export type Level = (typeof LEVELS)[number];

export interface Finding {
    readonly section: Section;
    /** The check, e.g. `health`, `age`, `dead-letters`. */
    readonly check: string;
    /** What was checked: a queue, a node, a host, a fleet, `cluster`. */
    readonly subject: string;
    readonly level: Level;
    /** What was seen. */
    readonly detail: string;
    /** What to do (every warn, fault and unknown has one). */
    readonly fix?: string;
}

export const ok = (section: Section, check: string, subject: string, detail: string): Finding => ({ section, check, subject, level: "ok", detail });
export const warn = (section: Section, check: string, subject: string, detail: string, fix: string): Finding => ({
    section,
    check,
    subject,
    level: "warn",
    detail,
    fix,
});
export const fault = (section: Section, check: string, subject: string, detail: string, fix: string): Finding => ({
    section,
    check,
    subject,
    level: "fault",
    detail,
    fix,
});
export const unknown = (section: Section, check: string, subject: string, detail: string, fix: string): Finding => ({
    section,
    check,
    subject,
    level: "unknown",
    detail,
    fix,
});

/** Exit codes of `npm run status`. */
export const EXIT = { ok: 0, warnings: 1, faults: 2, couldNotRun: 3, usage: 64, noOutputs: 65, noCredentials: 77, configRefused: 78 } as const;

/**
 * 3 when any check could not run (the picture is incomplete: 0, 1 and 2 would claim a complete one), else 2 when
 * any fault, 1 when any warning, 0 otherwise. No findings at all is 3: nothing was checked.
 */
export function statusExitCode(findings: readonly Finding[]): number {
    if (findings.length === 0 || findings.some((f) => f.level === "unknown")) return EXIT.couldNotRun;
    if (findings.some((f) => f.level === "fault")) return EXIT.faults;
    if (findings.some((f) => f.level === "warn")) return EXIT.warnings;
    return EXIT.ok;
}

export interface StatusReport {
    readonly stack: string;
    /** ISO time the run started (the `now` every age was measured against). */
    readonly checkedAt: string;
    readonly sections: readonly Section[];
    readonly exitCode: number;
    readonly counts: Readonly<Record<Level, number>>;
    readonly findings: readonly Finding[];
}

/** The findings in section order (then as each section produced them), with counts and the exit code. */
export function statusReport(stack: string, now: number, sections: readonly Section[], findings: readonly Finding[]): StatusReport {
    const order = (s: Section) => SECTIONS.indexOf(s);
    const sorted = findings
        .map((f, i) => ({ f, i }))
        .sort((a, b) => order(a.f.section) - order(b.f.section) || a.i - b.i)
        .map((x) => x.f);
    const counts = Object.fromEntries(LEVELS.map((l) => [l, sorted.filter((f) => f.level === l).length])) as Record<Level, number>;
    return {
        stack,
        checkedAt: new Date(now).toISOString(),
        sections: [...sections].sort((a, b) => order(a) - order(b)),
        exitCode: statusExitCode(sorted),
        counts,
        findings: sorted,
    };
}

const MARK: Readonly<Record<Level, string>> = { ok: "ok", warn: "WARN", fault: "FAULT", unknown: "UNKNOWN" };
const flat = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

/**
 * The human table: a heading per section, one line per finding (`LEVEL  check  subject  detail`), and under each
 * warn, fault or unknown the line `-> what to do`. Columns are padded within a section.
 */
export function renderHuman(report: StatusReport): string {
    const out: string[] = [`status of stack ${report.stack} at ${report.checkedAt}`];
    for (const section of report.sections) {
        const rows = report.findings.filter((f) => f.section === section);
        out.push("", `== ${SECTION_TITLES[section]}`);
        if (rows.length === 0) {
            out.push("   (nothing to check)");
            continue;
        }
        const w = (k: (f: Finding) => string) => Math.max(...rows.map((f) => k(f).length));
        const wl = w((f) => MARK[f.level]);
        const wc = w((f) => f.check);
        const ws = w((f) => f.subject);
        for (const f of rows) {
            out.push(`${MARK[f.level].padEnd(wl)}  ${f.check.padEnd(wc)}  ${f.subject.padEnd(ws)}  ${flat(f.detail)}`);
            if (f.level !== "ok" && f.fix !== undefined) out.push(`${" ".repeat(wl)}  -> ${flat(f.fix)}`);
        }
    }
    const c = report.counts;
    out.push("", `${c.ok} ok, ${c.warn} warning(s), ${c.fault} fault(s), ${c.unknown} could not be checked: exit ${report.exitCode}`);
    return out.join("\n") + "\n";
}

/** The JSON output: the report itself (its shape is documented in docs/status.md and pinned by a test). */
export function renderJson(report: StatusReport): string {
    return JSON.stringify(report, null, 2) + "\n";
}

/** Parses `--only a,b`: the sections, or the unknown names (a usage error). Empty or absent: every section. */
export function parseOnly(value: string | undefined): { sections: Section[] } | { unknown: string[] } {
    if (value === undefined || value.trim() === "") return { sections: [...SECTIONS] };
    const names = value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
    if (bad.length > 0) return { unknown: bad };
    return { sections: [...new Set(names as Section[])] };
}
