// The exact command strings the SearchCluster component registers on its @pulumi/command local.Command
// resources (cwd = repository root, endpoint in the environment). Pure: the integration tests run these very
// strings with `bash -c`, so what Pulumi runs is what was tested.
//
// Per data node `<configName>-g<generation>` (see searchNodeName):
//   undrain Command  create: NOOP_COMMAND             delete: undrainCommand({node, spotZone})
//   instance         depends on the undrain Command
//   drain Command    create: waitJoinedCommand(...)   delete: drainCommand({node, spotZone, timeoutSeconds})
// Pulumi deletes a replaced node's resources at the end of the update in reverse dependency order:
// drain (non-zero exit stops the update) -> instance -> undrain.
//
// Every value is checked against the CLI's own grammar (flags.ts) before it goes into a string: a builder throws a
// RangeError rather than register a command that the CLI would refuse (exit 64) at the end of an update.

import { arg, int, raw, sh, type Shell } from "../shared/shell";
import { CLI_MISSING_EXIT } from "./failures";
import { type FlagName, MAX_TIMEOUT_SECONDS, SEARCH_ENDPOINT_ENV, flagProblem } from "./flags";

/** Environment variable holding the search endpoint, e.g. http://10.0.0.5:9200 or https://user:pass@host:9200. */
export { SEARCH_ENDPOINT_ENV };

/** The CLI, relative to the repository root (built by `npm run build`). */
export const SEARCH_CLI = "node dist/cli/search.js";

/** A create/delete step that does nothing. */
export const NOOP_COMMAND = "true";

/** The stable OpenSearch node name of a node config: a later node reusing the IP is never excluded by it. */
export function searchNodeName(configName: string, generation: number): string {
    return `${configName}-g${generation}`;
}

export interface DrainCommandArgs {
    node: string;
    timeoutSeconds: number;
    /** Exclude this zone first when the cluster has nodes in it ("Ensure all nodes are reliable"). */
    spotZone?: string;
    zoneAttribute?: string;
    /** Recovery throttles during the drain (restored afterwards). */
    nodeConcurrentRecoveries?: number;
    maxBytesPerSec?: string;
}

/**
 * The delete step of a node's drain Command. It runs when the node's instance is being deleted, and the node may
 * already be gone (a lost spot node): `--absent-ok` makes an absent node a success while the cluster is green with
 * every copy active (and a refusal otherwise); without it the CLI refuses an unknown node.
 */
export function drainCommand(a: DrainCommandArgs): string {
    return cli("drain", [
        ["--node", a.node],
        ["--timeout", seconds(a.timeoutSeconds)],
        ["--spot-zone", a.spotZone],
        ["--zone-attribute", a.zoneAttribute],
        ["--recoveries", a.nodeConcurrentRecoveries === undefined ? undefined : String(a.nodeConcurrentRecoveries)],
        ["--max-bytes-per-sec", a.maxBytesPerSec],
        ["--absent-ok", true],
    ]);
}

export interface UndrainCommandArgs {
    node: string;
    /** Also restore allocation to this zone ("Re-enable spot nodes"). */
    spotZone?: string;
    zoneAttribute?: string;
}

/** The delete step of a node's undrain Command: runs after the instance is gone, hence `--absent-ok`. */
export function undrainCommand(a: UndrainCommandArgs): string {
    return cli("undrain", [
        ["--node", a.node],
        ["--spot-zone", a.spotZone],
        ["--zone-attribute", a.zoneAttribute],
        ["--absent-ok", true],
    ]);
}

export function waitJoinedCommand(a: { node: string; timeoutSeconds: number }): string {
    return cli("wait-joined", [
        ["--node", a.node],
        ["--timeout", seconds(a.timeoutSeconds)],
    ]);
}

export function excludeSpotCommand(a: { spotZone: string; zoneAttribute?: string }): string {
    return cli("exclude-spot", [
        ["--spot-zone", a.spotZone],
        ["--zone-attribute", a.zoneAttribute],
    ]);
}

export function restoreSpotCommand(a: { spotZone: string; zoneAttribute?: string }): string {
    return cli("restore-spot", [
        ["--spot-zone", a.spotZone],
        ["--zone-attribute", a.zoneAttribute],
    ]);
}

export interface BounceCommandArgs {
    node: string;
    /** Shell command restarting the node, e.g. `ssh ec2-user@10.0.0.7 sudo supervisorctl restart es`. */
    restart: string;
    timeoutSeconds: number;
    allocation?: "primaries" | "none";
}

export function bounceCommand(a: BounceCommandArgs): string {
    // The --restart value is a command line the CLI runs with bash: its `$` expand there, not here (shellcheck SC2016).
    return (
        RESTART_IS_QUOTED +
        cli("bounce", [
            ["--node", a.node],
            ["--restart", a.restart],
            ["--timeout", seconds(a.timeoutSeconds)],
            ["--allocation", a.allocation],
        ])
    );
}

/** First line of a script whose single-quoted argument is a command line run later by bash. */
export const RESTART_IS_QUOTED = "# shellcheck disable=SC2016 # the quoted --restart command line expands where the CLI runs it\n";

export function healthCommand(a: { status?: "green" | "yellow" | "red"; timeoutSeconds?: number } = {}): string {
    return cli("health", [
        ["--status", a.status],
        ["--timeout", a.timeoutSeconds === undefined ? undefined : seconds(a.timeoutSeconds)],
    ]);
}

/** `flags`: [flag, value] pairs; an undefined value leaves the flag out, `true` is a boolean flag. */
function cli(command: string, flags: [string, string | true | undefined][]): string {
    // Flags and the command are this module's own words; each value is one argument, whatever it contains.
    const words: Shell[] = [raw(SEARCH_CLI), raw(command)];
    for (const [flag, value] of flags) {
        if (value === undefined) continue;
        if (value === true) {
            words.push(raw(flag));
            continue;
        }
        const problem = flagProblem(flag.replace(/^--/, "") as FlagName, value);
        if (problem) throw new RangeError(`${command} command: ${problem}`);
        words.push(raw(flag), arg(value));
    }
    return sh`${words}`;
}

function seconds(n: number): string {
    if (!Number.isFinite(n) || n <= 0 || Math.ceil(n) > MAX_TIMEOUT_SECONDS) {
        throw new RangeError(`timeout must be a positive number of seconds up to ${MAX_TIMEOUT_SECONDS}, got ${n}`);
    }
    return String(Math.ceil(n));
}

// ---- Reaching the node and the cluster from `pulumi up` (SearchCluster component) ----

/** Environment variable holding the SSH private key for restarts (only when dataplat:sshPrivateKey is set). */
export const SEARCH_SSH_KEY_ENV = "SEARCH_SSH_KEY";

/**
 * Installed on every node by its user data: `dataplat-search-restart HEAP` writes the JVM heap and restarts the
 * engine's systemd unit. The heap is not in the user data, so changing it restarts the node instead of replacing it.
 */
export const SEARCH_RESTART_HELPER = "/usr/local/sbin/dataplat-search-restart";

export interface SshRestartArgs {
    /** Private IP of the node. */
    host: string;
    /** Login user with passwordless sudo (Amazon Linux: ec2-user). */
    user: string;
    /** JVM heap the node restarts with, e.g. "31g". */
    heap: string;
    /**
     * Take the private key from this environment variable (written to a 0600 temp file removed on exit); without
     * it ssh uses the runner's agent and default keys. The key never appears in the command string.
     */
    keyEnv?: string;
}

/**
 * The `--restart` command of a bounce: SSH to the node (BatchMode, so a missing key fails instead of prompting;
 * accept-new, so a changed host key on a reused IP fails closed) and run the restart helper under sudo.
 */
export function sshRestartCommand(a: SshRestartArgs): string {
    if (!/^[1-9]\d*[mg]$/.test(a.heap)) throw new RangeError(`heap must look like 512m or 31g, got ${a.heap}`);
    const target = `${a.user}@${a.host}`;
    const options = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-o", "StrictHostKeyChecking=accept-new"];
    const remote = ["sudo", SEARCH_RESTART_HELPER, a.heap];
    if (a.keyEnv === undefined) return sh`${["ssh", ...options, target, ...remote].map(arg)}`;
    if (!/^[A-Z_][A-Z0-9_]*$/.test(a.keyEnv)) throw new RangeError(`not an environment variable name: ${a.keyEnv}`);
    const ssh = sh`ssh -i "$key" -o IdentitiesOnly=yes ${[...options, target, ...remote].map(arg)}`;
    return sh`(umask 077 && key="$(mktemp)" && trap 'rm -f "$key"' EXIT && printf '%s\n' "$${raw(a.keyEnv)}" >"$key" && ${raw(ssh)})`;
}

/**
 * Waits until the cluster answers through $SEARCH_ENDPOINT with at least `status` (default yellow), retrying
 * while the endpoint does not answer yet (a cluster forming on first deployment, a coordinator restarting).
 * Exits CLI_MISSING_EXIT (2) when the CLI is not built, 4 at the timeout. Every failure of the health poll is
 * retried until the timeout, a usage error (64) included: the program only registers polls the CLI accepts.
 */
export function waitReachableCommand(a: { timeoutSeconds: number; status?: "green" | "yellow" }): string {
    const limit = seconds(a.timeoutSeconds);
    const poll = healthCommand({ status: a.status ?? "yellow", timeoutSeconds: Math.min(30, Number(limit)) });
    const wait = int(Number(limit));
    return [
        sh`test -f dist/cli/search.js || { echo "dist/cli/search.js is missing: run npm run build before pulumi up" >&2; exit ${int(CLI_MISSING_EXIT)}; }`,
        sh`deadline=$((SECONDS + ${wait}))`,
        sh`until ${raw(poll)} >/dev/null; do if [ "$SECONDS" -ge "$deadline" ]; then echo "search cluster not ${raw(a.status ?? "yellow")} through \$${raw(SEARCH_ENDPOINT_ENV)} within ${wait}s" >&2; exit 4; fi; sleep 5; done`,
    ].join("; ");
}

/**
 * A restart of the node that serves $SEARCH_ENDPOINT itself: it cannot watch its own bounce, so restart it (exit 7,
 * as the CLI's bounce, when the restart command fails), then wait until the cluster answers through it again.
 */
export function restartEndpointNodeCommand(a: { restart: string; timeoutSeconds: number }): string {
    // The restart is a command line by contract (sshRestartCommand builds it with the toolkit): written as it is.
    return sh`if ! ${raw(a.restart)}; then echo "restart command failed" >&2; exit 7; fi; ${raw(waitReachableCommand({ timeoutSeconds: a.timeoutSeconds }))}`;
}

/** `endpoint` without the user and password it may carry (what may be shown or exported in the clear). */
export function endpointWithoutCredentials(endpoint: string): string {
    const url = new URL(endpoint);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
}

/** `base` (http(s)://host:port, no credentials) with basic-auth credentials, URL-encoded. */
export function endpointWithCredentials(base: string, credentials?: { username: string; password: string }): string {
    const url = new URL(base);
    if (url.username || url.password) throw new RangeError("the base endpoint must not carry credentials");
    if (credentials) {
        url.username = encodeURIComponent(credentials.username);
        url.password = encodeURIComponent(credentials.password);
    }
    return url.toString().replace(/\/$/, "");
}
