/**
 * The grammar of cli/emergency.ts (pure): `gate --step TEXT --timeout S --poll S (--status yellow|green |
 * --recent PATTERNS --window-hours H)`. A bad argument is a UsageError (exit 64).
 */
export class UsageError extends Error {}

export type GateRun =
    | { readonly command: "help" }
    | {
          readonly command: "gate";
          readonly step: string;
          readonly timeoutSeconds: number;
          readonly pollSeconds: number;
          readonly want:
              | { readonly kind: "cluster"; readonly status: "yellow" | "green" }
              | { readonly kind: "recent-green"; readonly patterns: readonly string[]; readonly windowHours: number };
      };

export const USAGE = `usage: node dist/cli/emergency.js gate --step TEXT --timeout SECONDS --poll SECONDS (--status yellow|green | --recent PATTERN[,PATTERN...] --window-hours HOURS)
  Waits, with progress on stderr, until the search cluster at $SEARCH_ENDPOINT is at least --status, or until every
  index matching the patterns created in the last --window-hours is green. Exit 0: reached; 2: not reached within
  --timeout (refused: nothing may resume); 64: usage; 1: other.
`;

const FLAGS = new Set(["--step", "--timeout", "--poll", "--status", "--recent", "--window-hours"]);

function seconds(flag: string, v: string, max: number): number {
    if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > max)
        throw new UsageError(`${flag}: expected whole seconds/hours 1-${max}, got ${JSON.stringify(v)}`);
    return Number(v);
}

export function parseGateArgs(argv: readonly string[]): GateRun {
    if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help") return { command: "help" };
    if (argv[0] !== "gate") throw new UsageError(`${JSON.stringify(argv[0])}: not a command (gate)`);
    const values = new Map<string, string>();
    for (let i = 1; i < argv.length; i += 2) {
        const flag = argv[i];
        if (!FLAGS.has(flag)) throw new UsageError(`${flag}: not a flag of gate`);
        if (values.has(flag)) throw new UsageError(`${flag}: given twice`);
        const v = argv[i + 1];
        if (v === undefined) throw new UsageError(`${flag}: needs a value`);
        values.set(flag, v);
    }
    const need = (flag: string): string => {
        const v = values.get(flag);
        if (v === undefined) throw new UsageError(`${flag}: required`);
        return v;
    };
    const step = need("--step");
    const timeoutSeconds = seconds("--timeout", need("--timeout"), 86400);
    const pollSeconds = seconds("--poll", need("--poll"), 600);
    const status = values.get("--status");
    const recent = values.get("--recent");
    if ((status === undefined) === (recent === undefined)) throw new UsageError("give exactly one of --status and --recent");
    if (status !== undefined) {
        if (status !== "yellow" && status !== "green") throw new UsageError(`--status: expected yellow or green, got ${JSON.stringify(status)}`);
        if (values.has("--window-hours")) throw new UsageError("--window-hours: only with --recent");
        return { command: "gate", step, timeoutSeconds, pollSeconds, want: { kind: "cluster", status } };
    }
    const patterns = recent!.split(",");
    if (patterns.some((p) => !/^[a-z0-9*][a-z0-9_*.+-]*$/.test(p)))
        throw new UsageError(`--recent: expected comma-separated index patterns, got ${JSON.stringify(recent)}`);
    const windowHours = seconds("--window-hours", need("--window-hours"), 24 * 60);
    return { command: "gate", step, timeoutSeconds, pollSeconds, want: { kind: "recent-green", patterns, windowHours } };
}
