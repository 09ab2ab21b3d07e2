/**
 * One call's outcome as the runner hands it to a check: the answer, or why there was none. A check must read
 * `failed` as "unknown": never as empty, drained or fine.
 */
export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

export const answered = <T>(value: T): Answer<T> => ({ ok: true, value });
export const failed = <T = never>(why: string): Answer<T> => ({ ok: false, why });

/** Minutes or hours, as the runbooks speak of ages ("14 days", "1/2 hour"). */
export function duration(seconds: number): string {
    const s = Math.max(0, Math.round(seconds));
    if (s < 120) return `${s} s`;
    if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
    if (s < 2 * 86400) return `${(s / 3600).toFixed(1).replace(/\.0$/, "")} h`;
    return `${(s / 86400).toFixed(1).replace(/\.0$/, "")} days`;
}
