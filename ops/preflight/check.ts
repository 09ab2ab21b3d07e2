/**
 * What every preflight check returns, how a line is printed and what the whole run exits with. The checks
 * themselves (one file each) are plain functions of facts the CLI gathered (cli/preflight.ts): no I/O, no clock.
 */

/** One line of the report: a check passed, or failed with what to fix. */
export type CheckLine =
    | { readonly check: string; readonly ok: true; readonly detail: string }
    | { readonly check: string; readonly ok: false; readonly detail: string; readonly fix: string };

export const pass = (check: string, detail: string): CheckLine => ({ check, ok: true, detail });
export const fail = (check: string, detail: string, fix: string): CheckLine => ({ check, ok: false, detail, fix });

/** `ok   NAME: what was seen` or `FAIL NAME: what was seen; fix: what to do`. One line: newlines are folded. */
export function renderLine(line: CheckLine): string {
    const flat = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();
    return line.ok ? `ok   ${line.check}: ${flat(line.detail)}` : `FAIL ${line.check}: ${flat(line.detail)}; fix: ${flat(line.fix)}`;
}

/** Exit code of a run: 0 when every check passed, 1 otherwise. No lines at all is a failure (nothing was checked). */
export function preflightExitCode(lines: readonly CheckLine[]): 0 | 1 {
    return lines.length > 0 && lines.every((l) => l.ok) ? 0 : 1;
}
