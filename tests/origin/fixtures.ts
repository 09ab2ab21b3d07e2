// Reads tests/fixtures/kraken-hrw: reference outputs of Kraken's lib/hrw (where they come from and how they were
// made: tests/fixtures/kraken-hrw/README.md), kept in the repository so that a fresh clone runs every test.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { repoRoot } from "../../stacks/offline/root";

export { repoRoot };

export const krakenHrwDir = (): string => join(repoRoot(), "tests", "fixtures", "kraken-hrw");

export interface Vector {
    readonly key: string;
    readonly ordered: readonly string[];
    readonly scores: Readonly<Record<string, string>>;
}

export interface Scenario {
    readonly name: string;
    readonly nodes: readonly { label: string; weight: number }[];
    readonly replicas: number;
    readonly vectors: readonly Vector[];
}

export function loadScenarios(): Scenario[] {
    const doc = JSON.parse(readFileSync(join(krakenHrwDir(), "vectors.json"), "utf8")) as { scenarios: Scenario[] };
    return doc.scenarios;
}

export interface WorkedExample {
    readonly key: string;
    readonly label: string;
    readonly weight: number;
    readonly input: string;
    readonly h1: string;
    readonly low53: string;
    /** Rehash input and new h1, when the row rehashes. */
    readonly rehash?: { readonly input: string; readonly h1: string; readonly low53: string };
    readonly u: string;
    readonly ln: string;
    readonly score: string;
}

/** Rows of the README's "Worked examples" table. */
export function loadWorkedExamples(): WorkedExample[] {
    const readme = readFileSync(join(krakenHrwDir(), "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Worked examples"));
    const rows: WorkedExample[] = [];
    for (const line of section.split("\n")) {
        if (!line.startsWith("| `")) continue;
        const cells = line
            .split("|")
            .slice(1, -1)
            .map((c) => c.trim().replace(/`/g, ""));
        const [key, label, weight, input, h1, low53, rehash, u, ln, score] = cells;
        let re: WorkedExample["rehash"];
        if (rehash !== "no") {
            const m = /^([0-9a-f]{16}) → ([0-9a-f]{16}) \(low 53: ([0-9a-f]{14})\)$/.exec(rehash);
            if (m === null) throw new Error(`unreadable rehash cell ${JSON.stringify(rehash)}`);
            re = { input: m[1], h1: m[2], low53: m[3] };
        }
        rows.push({ key, label, weight: Number(weight), input, h1, low53, rehash: re, u, ln, score });
    }
    return rows;
}
