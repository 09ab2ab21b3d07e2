/**
 * Every host the update will reach over SSH answers with the configured key, from this machine. Which hosts,
 * as whom, on which port (sshTargets): the addresses the last update exported (`origin.hostIps`,
 * `platform.hostIps`, `controlPlane.headnodeIp`, `search.nodeIps`) with the user and port of the stack config
 * the update will use (origin.ssh, platform.ssh, controlPlane.ssh, search.restart.sshUser on port 22), the
 * same values the command resources connect with. Hosts the update creates do not exist yet and are not asked.
 * The key is dataplat:sshPrivateKey, handed to the preflight in $DATAPLAT_SSH_KEY.
 */
import type { StackConfig } from "../config/schema";
import { type CheckLine, fail, pass } from "./check";
import { HIDDEN_SECRET, outputAt, sectionDeployed, type StackOutputs } from "./outputs";

/** The environment variable holding the private key (PEM text) of dataplat:sshPrivateKey. */
export const SSH_KEY_ENV = "DATAPLAT_SSH_KEY";

/** Seconds ssh waits for the TCP connection (ssh -o ConnectTimeout). */
export const SSH_CONNECT_TIMEOUT_SECONDS = 10;

/**
 * The ssh(1) argument list of every check that logs in to a host (the preflight, `status`): no ssh config and no
 * agent, exactly this key, never a prompt, a bounded connect, a host key learned on first use into `knownHosts`.
 * The command resources log in the same way.
 */
export function sshArgv(
    t: { readonly user: string; readonly address: string; readonly port: number },
    keyFile: string,
    knownHosts: string,
    command: string,
): string[] {
    return [
        ...["-F", "none", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes"],
        ...["-o", `ConnectTimeout=${SSH_CONNECT_TIMEOUT_SECONDS}`, "-o", "StrictHostKeyChecking=accept-new", "-o", `UserKnownHostsFile=${knownHosts}`],
        ...["-p", String(t.port), `${t.user}@${t.address}`, command],
    ];
}

export interface SshTarget {
    /** Config section, e.g. origin. */
    readonly section: string;
    /** The host's name in that section's outputs. */
    readonly host: string;
    readonly address: string;
    readonly user: string;
    readonly port: number;
}

interface SectionReach {
    readonly section: keyof StackConfig & string;
    /** Output path of the addresses: a name -> address map, or one address. */
    readonly addresses: readonly string[];
    readonly user: string;
    readonly port: number;
}

/** The sections whose hosts `pulumi up` reaches over SSH, as the config sets them up. */
function reaches(config: StackConfig): SectionReach[] {
    const out: SectionReach[] = [];
    if (config.origin) out.push({ section: "origin", addresses: ["origin", "hostIps"], user: config.origin.ssh.user, port: config.origin.ssh.port });
    if (config.platform) out.push({ section: "platform", addresses: ["platform", "hostIps"], user: config.platform.ssh.user, port: config.platform.ssh.port });
    // Only the headnode runs commands (its recovery); compute nodes are not reached.
    if (config.controlPlane)
        out.push({
            section: "controlPlane",
            addresses: ["controlPlane", "headnodeIp"],
            user: config.controlPlane.ssh.user,
            port: config.controlPlane.ssh.port,
        });
    // Bounces restart a node over SSH (ops/search/commands.ts sshRestartCommand: port 22). Which nodes an update
    // bounces is decided by the program, so every node must answer.
    if (config.search) out.push({ section: "search", addresses: ["search", "nodeIps"], user: config.search.restart.sshUser, port: 22 });
    return out;
}

const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:.]*|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
const SHOW_OUTPUTS = "pass the full `pulumi stack output --stack NAME --json --show-secrets`";

/**
 * The SSH targets of the update, and one line per section that has none to ask (nothing deployed yet: pass)
 * or whose addresses cannot be read (fail: the preflight cannot tell which hosts the update reaches).
 */
export function sshTargets(config: StackConfig, outputs: StackOutputs): { targets: SshTarget[]; lines: CheckLine[] } {
    const targets: SshTarget[] = [];
    const lines: CheckLine[] = [];
    for (const r of reaches(config)) {
        const check = `ssh ${r.section}`;
        const value = outputAt(outputs, r.addresses);
        const shown = r.addresses.join(".");
        if (value === undefined) {
            if (sectionDeployed(outputs, r.section))
                lines.push(fail(check, `${r.section} is deployed but the outputs have no ${shown}: cannot tell which hosts the update reaches`, SHOW_OUTPUTS));
            else lines.push(pass(check, `no ${r.section} hosts deployed yet (the update creates them)`));
            continue;
        }
        const entries: [string, unknown][] =
            typeof value === "string"
                ? [[r.section === "controlPlane" ? "headnode" : r.section, value]]
                : typeof value === "object" && value !== null && !Array.isArray(value)
                  ? Object.entries(value)
                  : [];
        if (entries.length === 0 && typeof value !== "object") {
            lines.push(fail(check, `${shown} in the outputs is not an address or a map of addresses`, SHOW_OUTPUTS));
            continue;
        }
        for (const [host, address] of entries) {
            if (typeof address !== "string" || address === HIDDEN_SECRET || !ADDRESS.test(address)) {
                lines.push(fail(`ssh ${r.section}/${host}`, `${shown}.${host} in the outputs is not an address (${JSON.stringify(address)})`, SHOW_OUTPUTS));
                continue;
            }
            targets.push({ section: r.section, host, address, user: r.user, port: r.port });
        }
    }
    return { targets, lines };
}

/** How `ssh -o BatchMode=yes ... USER@HOST true` ended. */
export interface SshFact {
    /** Exit status; null when ssh was killed (see `timedOut`) or could not start (see `error`). */
    readonly status: number | null;
    readonly stderr: string;
    readonly timedOut?: boolean;
    /** ssh could not be started at all (e.g. not installed). */
    readonly error?: string;
}

const lastLine = (s: string) =>
    s
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "" && !/^Warning: Permanently added/.test(l))
        .pop() ?? "";

export function checkSsh(t: SshTarget, fact: SshFact): CheckLine {
    const check = `ssh ${t.section}/${t.host}`;
    const where = `${t.user}@${t.address}:${t.port}`;
    const network = `run the update from a runner inside the VPC whose CIDR is in network.operatorCidrs (the tiers admit SSH from there), and check that the host is running`;
    if (fact.error !== undefined)
        return fail(
            check,
            `ssh did not start: ${fact.error}`,
            "install the OpenSSH client (apt-get install openssh-client) on the machine that runs the update",
        );
    if (fact.timedOut) return fail(check, `${where} did not answer in time`, network);
    if (fact.status === 0) return pass(check, `${where} accepted the key`);
    const said = lastLine(fact.stderr);
    const seen = `${where}: ${said || `ssh exited ${fact.status}`}`;
    if (/Permission denied/i.test(said)) {
        return fail(
            check,
            `${seen} (the key was refused)`,
            `put the public half of dataplat:sshPrivateKey in ~${t.user}/.ssh/authorized_keys on the host, and set ${SSH_KEY_ENV} from \`pulumi config get dataplat:sshPrivateKey\` (not another key)`,
        );
    }
    if (/Connection refused/i.test(said)) return fail(check, seen, `nothing listens on port ${t.port}: start sshd on the host, or fix the section's ssh.port`);
    if (/timed out|No route to host|Network is unreachable|Connection closed|Connection reset/i.test(said)) return fail(check, seen, network);
    if (/Could not resolve hostname/i.test(said)) return fail(check, seen, "the host name does not resolve from this machine: use the runner's VPC DNS");
    if (/invalid format|error in libcrypto|Load key/i.test(said))
        return fail(check, seen, `${SSH_KEY_ENV} does not hold a readable private key: set it from \`pulumi config get dataplat:sshPrivateKey\``);
    return fail(check, seen, "read the ssh message above and fix the host or key it names");
}

/** The line when there are hosts to ask but no key to ask with. */
export function missingKeyLine(targets: readonly SshTarget[]): CheckLine {
    return fail(
        "ssh",
        `${targets.length} host(s) to reach (${[...new Set(targets.map((t) => t.section))].join(", ")}) but ${SSH_KEY_ENV} is not set`,
        `export ${SSH_KEY_ENV}="$(pulumi config get dataplat:sshPrivateKey --stack NAME)" and run the preflight again`,
    );
}
