// The command line of cli/search.ts: the grammar of every flag, which command takes which flag, the usage text (built
// from the same tables, so it cannot drift from the parser), and what a node name that passes the grammar but names
// no node means. Pure. The command builders (commands.ts) check their values with the same grammar, so the program
// can never register a command string that the CLI refuses.
//
// The grammar is the program's own: node names exactly as searchNodeName builds them from a config name and a
// generation (config.ts), byte rates, zone attributes and recovery counts as the config schema allows them. Every
// refusal names the flag, the value and what is expected, and is an OpsFailure("usage") (exit 64).

import { parseArgs } from "node:util";
import { EXIT_CODES, OpsFailure } from "./failures";

/** Environment variable holding the search endpoint, e.g. http://10.0.0.5:9200 or https://user:pass@host:9200. */
export const SEARCH_ENDPOINT_ENV = "SEARCH_ENDPOINT";

/** The CLI as an operator types it (from the repository root). */
const CLI = "node dist/cli/search.js";

/** Largest --timeout: the longest timeout the config allows (timeouts.drainSeconds, 7 days). */
export const MAX_TIMEOUT_SECONDS = 7 * 86400;
/** Recovery concurrency the config allows (drain.nodeConcurrentRecoveries). */
export const MAX_RECOVERIES = 64;

// ---- The grammar of each value ----

/** config.ts `nodeName`: the `name` of a node config. */
const CONFIG_NAME = /^[a-z][a-z0-9-]{0,40}$/;
/** `<config name>-g<generation>`: the generation is a non-negative safe integer, written as String(n) does. */
const NODE_NAME = /^(.+)-g(0|[1-9][0-9]{0,15})$/;

/** Why `value` is not a node name the program generates (searchNodeName), or undefined when it is one. */
export function nodeNameProblem(value: string): string | undefined {
    const expected =
        "expected a node name as the program generates it, <config name>-g<generation> such as backup-1-g0 " +
        "(config name: lower-case letters, digits and dashes, starting with a letter, at most 41 characters; generation: a whole number)";
    const m = NODE_NAME.exec(value);
    if (!m) return expected;
    const [, name, generation] = m;
    if (!CONFIG_NAME.test(name!) || /-g\d+$/.test(name!) || Number(generation) > Number.MAX_SAFE_INTEGER) return expected;
    return undefined;
}

/** config.ts `drain.maxBytesPerSec`. */
export function byteRateProblem(value: string): string | undefined {
    return /^\d+(b|kb|mb|gb)$/.test(value) ? undefined : "expected a byte rate per second as the config writes it: digits and b, kb, mb or gb, such as 250mb";
}

/** config.ts `zones.attribute`: the node attribute holding the zone (node.attr.<attribute>). */
export function zoneAttributeProblem(value: string): string | undefined {
    return /^[a-z_][a-z0-9_]*$/.test(value)
        ? undefined
        : "expected a node attribute name: lower-case letters, digits and underscores, not starting with a digit, such as zone";
}

/**
 * A zone value (config.ts `zones.spot` / `zones.backup`: any non-empty string), less what would change meaning in
 * an allocation exclusion list: a comma separates two zones, `*` is a wildcard matching other zones, and spaces at
 * either end are trimmed away by the engine. Control characters are refused too.
 */
export function zoneValueProblem(value: string): string | undefined {
    const problem =
        value === ""
            ? "is empty"
            : value.includes(",")
              ? "contains a comma, which would exclude two zones"
              : value.includes("*")
                ? "contains *, a wildcard that would exclude other zones too"
                : value.trim() !== value
                  ? "starts or ends with a space"
                  : /\p{Cc}/u.test(value)
                    ? "contains a control character"
                    : undefined;
    return problem && `expected a zone value such as spot (${problem})`;
}

/** A whole number of seconds, 1 to MAX_TIMEOUT_SECONDS. */
export function timeoutProblem(value: string): string | undefined {
    return /^[1-9]\d{0,6}$/.test(value) && Number(value) <= MAX_TIMEOUT_SECONDS
        ? undefined
        : `expected a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (7 days), such as 3600`;
}

/** config.ts `drain.nodeConcurrentRecoveries`. */
export function recoveriesProblem(value: string): string | undefined {
    return /^[1-9]\d?$/.test(value) && Number(value) <= MAX_RECOVERIES ? undefined : `expected a whole number from 1 to ${MAX_RECOVERIES}, such as 4`;
}

/** The endpoint: http(s)://[user:pass@]host[:port]. The message never repeats the password. */
export function endpointProblem(value: string): string | undefined {
    const expected = "expected http(s)://[user:pass@]host:port, such as http://127.0.0.1:9200";
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `${expected} (not a URL)`;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return `${expected} (scheme ${url.protocol.replace(/:$/, "")})`;
    if (url.hostname === "") return `${expected} (no host)`;
    if (url.search || url.hash) return `${expected} (no query or fragment)`;
    return undefined;
}

/** `endpoint` as it may be printed: anything between `//` and the last `@` (user and password) becomes `***`. */
export function redactEndpoint(endpoint: string): string {
    const start = endpoint.indexOf("//");
    const at = endpoint.lastIndexOf("@");
    if (at < 0) return endpoint;
    return start >= 0 && start < at ? `${endpoint.slice(0, start + 2)}***${endpoint.slice(at)}` : `***${endpoint.slice(at)}`;
}

// ---- Flags and commands ----

export type FlagName =
    | "endpoint"
    | "node"
    | "timeout"
    | "spot-zone"
    | "zone-attribute"
    | "recoveries"
    | "max-bytes-per-sec"
    | "keep-exclusion-on-failure"
    | "absent-ok"
    | "restart"
    | "allocation"
    | "status";

interface FlagSpec {
    /** Placeholder in the usage text; absent for a boolean flag. */
    value?: string;
    /** One line for the usage text. */
    help: string;
    /** Why a value is refused (undefined: accepted). */
    problem?: (value: string) => string | undefined;
}

const oneOf =
    (...allowed: string[]) =>
    (value: string): string | undefined =>
        allowed.includes(value) ? undefined : `expected ${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`;

const FLAGS: Readonly<Record<FlagName, FlagSpec>> = {
    endpoint: {
        value: "URL",
        help: `http(s)://[user:pass@]host:port; default $${SEARCH_ENDPOINT_ENV} (keeps the password out of the process list)`,
        problem: endpointProblem,
    },
    node: { value: "NAME", help: "OpenSearch node name as the program generates it: <config name>-g<generation>, e.g. backup-1-g0", problem: nodeNameProblem },
    timeout: { value: "SECONDS", help: `whole seconds, 1 to ${MAX_TIMEOUT_SECONDS}; bounds every request of the command too`, problem: timeoutProblem },
    "spot-zone": { value: "ZONE", help: "zone value of the spot nodes, e.g. spot (no comma, no *)", problem: zoneValueProblem },
    "zone-attribute": { value: "ATTR", help: "node attribute holding the zone (node.attr.ATTR); default zone", problem: zoneAttributeProblem },
    recoveries: {
        value: "N",
        help: `cluster.routing.allocation.node_concurrent_recoveries during the drain, 1 to ${MAX_RECOVERIES}; default 4`,
        problem: recoveriesProblem,
    },
    "max-bytes-per-sec": {
        value: "RATE",
        help: "indices.recovery.max_bytes_per_sec during the drain, e.g. 250mb (b, kb, mb, gb); default 200mb",
        problem: byteRateProblem,
    },
    "keep-exclusion-on-failure": { help: "leave the node (and zone) excluded when the drain fails" },
    "absent-ok": { help: "a node that is not in the cluster is not an error (a node already gone, e.g. a lost spot node)" },
    restart: {
        value: "'SHELL COMMAND'",
        help: "command that restarts the node, run with bash -c",
        problem: (v) => (v.trim() === "" ? "expected a shell command that restarts the node" : undefined),
    },
    allocation: {
        value: "primaries|none",
        help: "cluster.routing.allocation.enable while the node restarts; default primaries",
        problem: oneOf("primaries", "none"),
    },
    status: { value: "green|yellow|red", help: "status to wait for; default green", problem: oneOf("green", "yellow", "red") },
};

interface CommandSpec {
    summary: string;
    required: readonly FlagName[];
    optional: readonly FlagName[];
}

const COMMANDS = {
    drain: {
        summary: "move every shard copy off a node (excludes it by name, raises the recovery throttles, waits until it holds nothing)",
        required: ["node", "timeout"],
        optional: ["spot-zone", "zone-attribute", "recoveries", "max-bytes-per-sec", "keep-exclusion-on-failure", "absent-ok"],
    },
    undrain: {
        summary: "take the node (and, with --spot-zone, that zone) out of the allocation exclusions",
        required: ["node"],
        optional: ["spot-zone", "zone-attribute", "absent-ok"],
    },
    "wait-joined": { summary: "wait until a node of that name is in the cluster", required: ["node", "timeout"], optional: [] },
    "exclude-spot": { summary: "add the zone to cluster.routing.allocation.exclude.<attribute>", required: ["spot-zone"], optional: ["zone-attribute"] },
    "restore-spot": { summary: "remove the zone from cluster.routing.allocation.exclude.<attribute>", required: ["spot-zone"], optional: ["zone-attribute"] },
    bounce: {
        summary: "controlled restart: allocation to primaries, run --restart, wait for the node to rejoin, allocation back, wait for green",
        required: ["node", "restart", "timeout"],
        optional: ["allocation"],
    },
    health: { summary: "wait for the status (with --timeout), print the cluster health JSON on stdout", required: [], optional: ["status", "timeout"] },
} as const satisfies Record<string, CommandSpec>;

export type SearchCommandName = keyof typeof COMMANDS;
export const SEARCH_COMMANDS = Object.keys(COMMANDS) as SearchCommandName[];

export type SearchInvocation =
    | { command: "help" }
    | ({ endpoint: string } & (
          | {
                command: "drain";
                node: string;
                timeoutSeconds: number;
                spotZone?: string;
                zoneAttribute?: string;
                recoveries?: number;
                maxBytesPerSec?: string;
                keepExclusionOnFailure: boolean;
                absentOk: boolean;
            }
          | { command: "undrain"; node: string; spotZone?: string; zoneAttribute?: string; absentOk: boolean }
          | { command: "wait-joined"; node: string; timeoutSeconds: number }
          | { command: "exclude-spot" | "restore-spot"; spotZone: string; zoneAttribute?: string }
          | { command: "bounce"; node: string; restart: string; timeoutSeconds: number; allocation: "primaries" | "none" }
          | { command: "health"; status: "green" | "yellow" | "red"; timeoutSeconds?: number }
      ));

const HINT = `run \`${CLI} --help\` for every command and flag`;

function usageError(message: string): OpsFailure {
    return new OpsFailure("usage", `${message}\n${HINT}`);
}

/** Why `value` is refused for `--flag`, as a sentence naming the flag and the value; undefined when accepted. */
export function flagProblem(flag: FlagName, value: string): string | undefined {
    const problem = FLAGS[flag].problem?.(value);
    if (problem === undefined) return undefined;
    const shown = flag === "endpoint" ? redactEndpoint(value) : value;
    return `--${flag} ${JSON.stringify(shown.length > 200 ? `${shown.slice(0, 200)}...` : shown)}: ${problem}`;
}

/**
 * Parses the CLI's arguments (`argv` without node and the script) into one invocation, or throws a usage
 * OpsFailure naming the flag: unknown command or flag, a flag the command does not take, a flag given twice,
 * a missing required flag, or a value outside its grammar. `envEndpoint` is $SEARCH_ENDPOINT.
 */
export function parseSearchArgs(argv: readonly string[], envEndpoint?: string): SearchInvocation {
    const [command, ...rest] = argv;
    if (command === undefined) throw usageError("no command given");
    if (command === "help" || command === "--help" || command === "-h" || rest.includes("--help") || rest.includes("-h")) return { command: "help" };
    if (!Object.hasOwn(COMMANDS, command)) throw usageError(`unknown command ${JSON.stringify(command)}: expected one of ${SEARCH_COMMANDS.join(", ")}`);
    const name = command as SearchCommandName;
    const spec: CommandSpec = COMMANDS[name];

    const options = Object.fromEntries(
        (Object.keys(FLAGS) as FlagName[]).map((f) => [f, { type: FLAGS[f].value === undefined ? ("boolean" as const) : ("string" as const) }]),
    );
    let tokens: NonNullable<ReturnType<typeof parseArgs>["tokens"]>;
    try {
        ({ tokens } = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false, tokens: true }));
    } catch (e) {
        throw usageError(`${command}: ${e instanceof Error ? e.message.replace(/\n/g, " ") : String(e)}`);
    }
    const allowed = new Set<FlagName>(["endpoint", ...spec.required, ...spec.optional]);
    const values = new Map<FlagName, string | true>();
    for (const t of tokens) {
        if (t.kind !== "option") continue;
        const flag = t.name as FlagName;
        if (!allowed.has(flag)) throw usageError(`${command} does not take --${flag}; it takes ${[...allowed].map((f) => `--${f}`).join(", ")}`);
        if (values.has(flag)) throw usageError(`--${flag} is given twice: give it once`);
        values.set(flag, t.value ?? true);
    }
    for (const flag of spec.required) if (!values.has(flag)) throw usageError(`${command} needs --${flag} ${FLAGS[flag].value}: ${FLAGS[flag].help}`);
    for (const [flag, value] of values) {
        if (typeof value !== "string") continue;
        const problem = flagProblem(flag, value);
        if (problem) throw usageError(problem);
    }

    const str = (f: FlagName): string | undefined => {
        const v = values.get(f);
        return typeof v === "string" ? v : undefined;
    };
    const num = (f: FlagName): number | undefined => (str(f) === undefined ? undefined : Number(str(f)));
    const flag = (f: FlagName): boolean => values.get(f) === true;

    const endpoint = str("endpoint") ?? envEndpoint;
    if (endpoint === undefined || endpoint === "")
        throw usageError(`no endpoint: pass --endpoint URL or set ${SEARCH_ENDPOINT_ENV} (http(s)://[user:pass@]host:port)`);
    if (str("endpoint") === undefined) {
        const problem = endpointProblem(endpoint);
        if (problem) throw usageError(`$${SEARCH_ENDPOINT_ENV} ${JSON.stringify(redactEndpoint(endpoint))}: ${problem}`);
    }
    const zone = { spotZone: str("spot-zone"), zoneAttribute: str("zone-attribute") };
    switch (name) {
        case "drain":
            return {
                command: name,
                endpoint,
                node: str("node")!,
                timeoutSeconds: num("timeout")!,
                ...zone,
                recoveries: num("recoveries"),
                maxBytesPerSec: str("max-bytes-per-sec"),
                keepExclusionOnFailure: flag("keep-exclusion-on-failure"),
                absentOk: flag("absent-ok"),
            };
        case "undrain":
            return { command: name, endpoint, node: str("node")!, ...zone, absentOk: flag("absent-ok") };
        case "wait-joined":
            return { command: name, endpoint, node: str("node")!, timeoutSeconds: num("timeout")! };
        case "exclude-spot":
        case "restore-spot":
            return { command: name, endpoint, spotZone: str("spot-zone")!, zoneAttribute: str("zone-attribute") };
        case "bounce":
            return {
                command: name,
                endpoint,
                node: str("node")!,
                restart: str("restart")!,
                timeoutSeconds: num("timeout")!,
                allocation: (str("allocation") ?? "primaries") as "primaries" | "none",
            };
        case "health":
            return { command: name, endpoint, status: (str("status") ?? "green") as "green" | "yellow" | "red", timeoutSeconds: num("timeout") };
    }
}

/** The --help text: every command with its flags, every flag with its grammar, the exit codes. */
export function usageText(): string {
    const width = Math.max(...SEARCH_COMMANDS.map((c) => c.length));
    const lines = [
        `Usage: ${CLI} COMMAND [--endpoint URL] [FLAGS]`,
        `       ${CLI} --help`,
        "",
        `Runs one step of the search runbooks against the cluster at --endpoint, or $${SEARCH_ENDPOINT_ENV} when --endpoint is`,
        "not given. Progress goes to stderr.",
        "",
        "Commands:",
    ];
    for (const c of SEARCH_COMMANDS) {
        const spec: CommandSpec = COMMANDS[c];
        const flags = [...spec.required.map((f) => synopsis(f)), ...spec.optional.map((f) => `[${synopsis(f)}]`)];
        lines.push(`  ${c.padEnd(width)}  ${flags.join(" ")}`, `  ${"".padEnd(width)}    ${spec.summary}`);
    }
    lines.push("", "Flags:");
    const flagWidth = Math.max(...(Object.keys(FLAGS) as FlagName[]).map((f) => synopsis(f).length));
    for (const f of Object.keys(FLAGS) as FlagName[]) lines.push(`  ${synopsis(f).padEnd(flagWidth)}  ${FLAGS[f].help}`);
    lines.push(
        "",
        "An unknown --node is an error (exit 3) unless --absent-ok: drain and undrain check the cluster for it first.",
        "",
        "Exit codes:",
        "  0  done",
        `  ${EXIT_CODES.refused}  refused before changing anything lasting (cluster red, unknown or absent node, a copy that cannot move)`,
        `  ${EXIT_CODES.timeout}  not done before --timeout (a request still unanswered at the timeout too)`,
        `  ${EXIT_CODES.api}  API error: network error, non-2xx answer, unreadable answer (the message names the endpoint)`,
        `  ${EXIT_CODES.lost}  the node left, or the cluster stayed red, during the operation`,
        `  ${EXIT_CODES.restart}  bounce: the --restart command exited non-zero`,
        `  ${EXIT_CODES.usage} bad usage: unknown command or flag, a value outside its grammar, no endpoint`,
        "  1  a bug",
        "",
    );
    return lines.join("\n");
}

function synopsis(f: FlagName): string {
    return FLAGS[f].value === undefined ? `--${f}` : `--${f} ${FLAGS[f].value}`;
}

// ---- A node name that passes the grammar but names no node ----

/**
 * Whether drain or undrain must refuse `node` before doing anything: it is not among the cluster's nodes (for
 * undrain: nor named by the name exclusion it would clear) and the caller did not say `--absent-ok`. On a green
 * cluster a drain of an absent node would otherwise succeed doing nothing, so a misspelt name would pass as done.
 */
export function unknownNodeRefusal(a: {
    command: "drain" | "undrain";
    node: string;
    clusterNodes: readonly string[];
    excluded?: readonly string[];
    absentOk: boolean;
}): string | undefined {
    if (a.absentOk || a.clusterNodes.includes(a.node) || (a.command === "undrain" && (a.excluded ?? []).includes(a.node))) return undefined;
    const shown = [...a.clusterNodes].sort();
    const list = shown.length > 20 ? `${shown.slice(0, 20).join(", ")}, ... (${shown.length} in all)` : shown.join(", ") || "none";
    const where = a.command === "undrain" ? "is not in the cluster and no allocation exclusion names it" : "is not in the cluster";
    return (
        `node ${a.node} ${where} (nodes in the cluster: ${list}). Check --node; if the node may already be gone ` +
        `(a lost spot node), pass --absent-ok${a.command === "drain" ? ": the drain then succeeds only while the cluster is green with every copy active" : ""}.`
    );
}
