/**
 * The resume gates as predicates over the search API's answers (cli/emergency.ts polls; these decide). Pure: the
 * time is passed in. "When you get a yellow cluster" (balancer, frontend); "wait ... until after the recent indexes
 * are green" (ingestion, ETL).
 */
export type Health = "green" | "yellow" | "red";

const RANK: Record<Health, number> = { red: 0, yellow: 1, green: 2 };

export function isHealth(v: unknown): v is Health {
    return v === "green" || v === "yellow" || v === "red";
}

/** The cluster is at least `want`. An unreadable status is not (fail closed). */
export function clusterAtLeast(status: unknown, want: Health): boolean {
    return isHealth(status) && RANK[status] >= RANK[want];
}

/** One row of `GET _cat/indices/<patterns>?format=json&h=index,health,creation.date`. */
export interface IndexRow {
    readonly index?: unknown;
    readonly health?: unknown;
    readonly "creation.date"?: unknown;
}

export type RecentVerdict =
    | { readonly kind: "green"; readonly recent: readonly string[] }
    | { readonly kind: "waiting"; readonly notGreen: readonly string[]; readonly recent: readonly string[] }
    | { readonly kind: "unreadable"; readonly problem: string };

/**
 * The recent indexes (created within windowHours before nowMs) and which of them are not green. A row without a
 * readable creation date or health makes the answer unreadable: the gate keeps waiting rather than guess.
 */
export function recentIndexesVerdict(rows: unknown, nowMs: number, windowHours: number): RecentVerdict {
    if (!Array.isArray(rows)) return { kind: "unreadable", problem: "the index list is not an array" };
    const since = nowMs - windowHours * 3600_000;
    const recent: string[] = [];
    const notGreen: string[] = [];
    for (const r of rows as IndexRow[]) {
        const name = r?.index;
        if (typeof name !== "string") return { kind: "unreadable", problem: "an index without a name" };
        if (name.startsWith(".")) continue;
        const created = Number(r["creation.date"]);
        if (!Number.isFinite(created)) return { kind: "unreadable", problem: `index ${name} has no creation date` };
        if (created < since) continue;
        recent.push(name);
        if (!isHealth(r.health)) return { kind: "unreadable", problem: `index ${name} has no health` };
        if (r.health !== "green") notGreen.push(`${name} (${r.health})`);
    }
    recent.sort();
    return notGreen.length ? { kind: "waiting", notGreen: notGreen.sort(), recent } : { kind: "green", recent };
}
