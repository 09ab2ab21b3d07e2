/**
 * The thin runner of `npm run status`: every check of the targets (ops/status/targets.ts) started at once, each
 * collecting its answers and handing them to its predicate (ops/status/*.ts), with a line on stderr as each one
 * ends. SSH goes a few hosts at a time, as the preflight does: many hosts at once should not look like a scan.
 * A check that throws is reported "unknown" with its error: never dropped, never "ok".
 */
import { checkBlessed } from "../../ops/status/controlplane";
import { type Finding, type Section, unknown } from "../../ops/status/findings";
import { checkHost, type DiskThresholds } from "../../ops/status/hosts";
import { checkOrigin } from "../../ops/status/origin";
import { checkPlatform } from "../../ops/status/platform";
import { hostCommand, originCommand, readHost, readOrigin, readUnits, unitsCommand } from "../../ops/status/remote";
import type { StatusTargets } from "../../ops/status/targets";
import type { Answer } from "../../ops/status/answer";
import { type AwsClients, awsClients, backupFindings, fleetFindings, queueFindings } from "./aws";
import { searchFindings } from "./search";
import { type SshSession, sshSession } from "./ssh";

export interface RunOptions {
    /** The time every age is measured against (ms since the epoch). */
    readonly now: number;
    /** The stack's SSH private key (PEM), when a check needs SSH. */
    readonly sshKey?: string;
    /** How systemctl is run on the platform hosts (e.g. `sudo -n systemctl`). */
    readonly systemctl: string;
    readonly crashDumpDirs: readonly string[];
    readonly disk: DiskThresholds;
    readonly progress: (line: string) => void;
    /** SSH commands at once. */
    readonly sshConcurrency?: number;
    /** Checks at once (default: all). The benchmark's baseline runs them one after another with 1. */
    readonly concurrency?: number;
}

export interface CheckTiming {
    readonly section: Section;
    readonly name: string;
    readonly ms: number;
}

export interface RunResult {
    readonly findings: Finding[];
    readonly timings: CheckTiming[];
    readonly totalMs: number;
}

interface Check {
    readonly section: Section;
    readonly name: string;
    readonly run: () => Promise<Finding[]>;
}

/** A counting semaphore: at most `n` of the wrapped calls run at once. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
    let active = 0;
    const waiting: (() => void)[] = [];
    return async (f) => {
        if (active >= n) await new Promise<void>((r) => waiting.push(r));
        active++;
        try {
            return await f();
        } finally {
            active--;
            waiting.shift()?.();
        }
    };
}

function parsed<T>(a: Answer<string>, read: (s: string) => T): Answer<T> {
    if (!a.ok) return a;
    try {
        return { ok: true, value: read(a.value) };
    } catch (e) {
        return { ok: false, why: (e as Error).message };
    }
}

function checksOf(t: StatusTargets, o: RunOptions, aws: () => AwsClients, ssh: () => SshSession): Check[] {
    const checks: Check[] = [];
    const limit = limiter(o.sshConcurrency ?? 8);
    const remote = (target: Parameters<SshSession["run"]>[0], command: string) => limit(() => ssh().run(target, command));
    if (t.search) {
        const s = t.search;
        checks.push({ section: "search", name: "cluster", run: () => searchFindings(s.target, s.expectedNode, t.region, o.now) });
    }
    for (const q of t.queues) checks.push({ section: "queues", name: q.name, run: () => queueFindings(aws(), q, o.now) });
    for (const f of t.fleets) checks.push({ section: "fleets", name: f.name, run: () => fleetFindings(aws(), f) });
    for (const origin of t.origins) {
        checks.push({
            section: "origin",
            name: origin.host,
            run: async () =>
                checkOrigin({
                    host: origin.host,
                    address: origin.ssh.address,
                    healthUrl: origin.healthUrl,
                    configPath: origin.configPath,
                    expectedConfig: origin.expectedConfig,
                    reading: parsed(await remote(origin.ssh, originCommand(origin.healthUrl, origin.configPath)), readOrigin),
                }),
        });
    }
    if (t.platform) {
        const p = t.platform;
        checks.push({
            section: "platform",
            name: "services",
            run: async () => {
                const states = new Map(
                    await Promise.all(
                        p.hosts.map(async (h) => {
                            const units = [...new Set(p.instances.filter((i) => i.host === h.host).map((i) => i.unit))];
                            return [
                                h.host,
                                parsed(await remote(h, unitsCommand(units, o.systemctl)), (s) => readUnits(units, s) as ReadonlyMap<string, string>),
                            ] as const;
                        }),
                    ),
                );
                return checkPlatform({ instances: p.instances, states });
            },
        });
    }
    if (t.controlPlane) {
        const c = t.controlPlane;
        checks.push({ section: "controlplane", name: "blessed", run: async () => checkBlessed(c.config, c.environment) });
    }
    for (const b of t.backups) checks.push({ section: b.section, name: `backup ${b.subject}`, run: () => backupFindings(aws(), b, o.now) });
    for (const h of t.hosts) {
        const name = `${h.section}/${h.host}`;
        checks.push({
            section: "hosts",
            name,
            run: async () => checkHost({ host: name, address: h.address, reading: parsed(await remote(h, hostCommand(o.crashDumpDirs)), readHost) }, o.disk),
        });
    }
    return checks;
}

export async function runStatus(t: StatusTargets, o: RunOptions): Promise<RunResult> {
    let clients: AwsClients | undefined;
    let session: SshSession | undefined;
    const aws = () => (clients ??= awsClients(t.region));
    const ssh = () => {
        if (o.sshKey === undefined) throw new Error("no SSH key: set DATAPLAT_SSH_KEY");
        return (session ??= sshSession(o.sshKey));
    };
    const checks = checksOf(t, o, aws, ssh);
    const started = Date.now();
    let done = 0;
    const atOnce = limiter(o.concurrency ?? Math.max(1, checks.length));
    o.progress(`asking ${checks.length} check(s) ${o.concurrency === 1 ? "one after another" : "at once"}`);
    try {
        const results = await Promise.all(
            checks.map((c) =>
                atOnce(async () => {
                    const t0 = Date.now();
                    let findings: Finding[];
                    try {
                        findings = await c.run();
                    } catch (e) {
                        findings = [
                            unknown(
                                c.section,
                                "run",
                                c.name,
                                `the check failed: ${(e as Error).message}`,
                                "report this: a check must judge its answers, not throw",
                            ),
                        ];
                    }
                    const ms = Date.now() - t0;
                    done++;
                    const worst =
                        findings.find((f) => f.level === "unknown") ?? findings.find((f) => f.level === "fault") ?? findings.find((f) => f.level === "warn");
                    o.progress(`[${done}/${checks.length}] ${c.section} ${c.name}: ${worst ? worst.level : "ok"} (${(ms / 1000).toFixed(1)} s)`);
                    return { findings, timing: { section: c.section, name: c.name, ms } };
                }),
            ),
        );
        return { findings: [...t.problems, ...results.flatMap((r) => r.findings)], timings: results.map((r) => r.timing), totalMs: Date.now() - started };
    } finally {
        session?.close();
    }
}
