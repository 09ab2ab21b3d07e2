/**
 * `npm run status -- --stack NAME [--json] [--only search,queues,...]`: the runbooks' daily checks in one command,
 * against the live systems (issue 14). Run from where `pulumi up` runs: it reads the stack's outputs (what the
 * last update deployed) and the stack file (what the config wants), asks the systems, and prints a table grouped
 * by section with one line per fault that says what to do (or, with --json, the same as JSON).
 *
 *   export DATAPLAT_SSH_KEY="$(pulumi config get dataplat:sshPrivateKey --stack prod)"
 *   npm run -s status -- --stack prod
 *
 * The checks are plain predicates in ops/status/; the collection is runners/status/; this file only parses the
 * flags, reads the inputs and prints. Exit codes: see EXIT in ops/status/findings.ts and USAGE below.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseStackConfig } from "../ops/config/parse";
import { OutputsError, readOutputs, type StackOutputs } from "../ops/preflight/outputs";
import { SSH_KEY_ENV } from "../ops/preflight/ssh";
import { EXIT, parseOnly, renderHuman, renderJson, SECTIONS, statusReport } from "../ops/status/findings";
import { DEFAULT_DISK_THRESHOLDS } from "../ops/status/hosts";
import { DEFAULT_CRASH_DUMP_DIRS } from "../ops/status/remote";
import { needsAws, needsSsh, statusTargets } from "../ops/status/targets";
import { missingCredentials } from "../runners/status/aws";
import { runStatus } from "../runners/status/run";
import { repoRoot } from "../stacks/offline/root";
import { readStackFile } from "../stacks/offline/stackfile";
import { runCli, writeStdout } from "./stack-cli";

const USAGE = [
    "usage: npm run status -- --stack NAME [--json] [--only SECTION,...] [--config FILE] [--outputs FILE|-]",
    "         [--systemctl CMD] [--crash-dump-dirs DIR,...] [--disk-warn PERCENT] [--disk-fault PERCENT]",
    `  sections: ${SECTIONS.join(", ")} (default: all)`,
    "  --outputs   `pulumi stack output --stack NAME --json --show-secrets` saved to FILE (- reads stdin);",
    "              without it status runs that command itself",
    `  SSH key of dataplat:sshPrivateKey in $${SSH_KEY_ENV}; AWS credentials from the default chain (AWS_ENDPOINT_URL honoured)`,
    `  --systemctl how platform hosts are asked for unit states (default systemctl)`,
    `  --crash-dump-dirs where hosts are searched for *.hprof (default ${DEFAULT_CRASH_DUMP_DIRS.join(",")})`,
    `  --disk-warn/--disk-fault  disk use of a host's file system to report (default ${DEFAULT_DISK_THRESHOLDS.warnFraction * 100}/${DEFAULT_DISK_THRESHOLDS.faultFraction * 100})`,
    "exit: 0 all well, 1 warnings, 2 faults, 3 a check could not run; 64 usage, 65 no stack outputs,",
    "      77 missing credentials (AWS or SSH key), 78 the stack file is missing or refused",
].join("\n");

const PULUMI_TIMEOUT_MS = 60_000;

const progress = (line: string) => process.stderr.write(`status: ${line}\n`);

function pulumiOutputs(stack: string): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(
            "pulumi",
            ["stack", "output", "--stack", stack, "--json", "--show-secrets"],
            { timeout: PULUMI_TIMEOUT_MS, encoding: "utf8", maxBuffer: 64 << 20 },
            (error, stdout, stderr) => {
                if (!error) return resolve(stdout);
                const code = (error as NodeJS.ErrnoException).code;
                reject(
                    new OutputsError(
                        code === "ENOENT"
                            ? "no `pulumi` on PATH to read the stack outputs: install it, or pass --outputs FILE"
                            : `\`pulumi stack output --stack ${stack}\` failed: ${(stderr || error.message).trim().slice(0, 300)}`,
                    ),
                );
            },
        );
    });
}

async function readInput(file: string): Promise<string> {
    if (file !== "-") return fs.promises.readFile(file, "utf8");
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

function percent(value: string | undefined, fallback: number, flag: string): number | string {
    if (value === undefined) return fallback;
    const n = Number(value);
    return Number.isFinite(n) && n > 0 && n <= 100 ? n / 100 : `${flag} must be a percentage in (0, 100], got ${JSON.stringify(value)}`;
}

async function main(): Promise<number> {
    type Values = {
        stack?: string;
        config?: string;
        outputs?: string;
        json?: boolean;
        only?: string;
        systemctl?: string;
        "crash-dump-dirs"?: string;
        "disk-warn"?: string;
        "disk-fault"?: string;
        help?: boolean;
    };
    let values: Values;
    try {
        ({ values } = parseArgs({
            options: {
                stack: { type: "string" },
                config: { type: "string" },
                outputs: { type: "string" },
                json: { type: "boolean" },
                only: { type: "string" },
                systemctl: { type: "string" },
                "crash-dump-dirs": { type: "string" },
                "disk-warn": { type: "string" },
                "disk-fault": { type: "string" },
                help: { type: "boolean" },
            },
            strict: true,
        }) as { values: Values });
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return EXIT.usage;
    }
    if (values.help) {
        await writeStdout(USAGE + "\n");
        return 0;
    }
    const usage = (message: string) => {
        process.stderr.write(`${message}\n${USAGE}\n`);
        return EXIT.usage;
    };
    if (typeof values.stack !== "string" || values.stack === "") return usage("--stack is required");
    const only = parseOnly(values.only);
    if ("unknown" in only) return usage(`--only: unknown section(s) ${only.unknown.join(", ")}; the sections are ${SECTIONS.join(", ")}`);
    const warnAt = percent(values["disk-warn"], DEFAULT_DISK_THRESHOLDS.warnFraction, "--disk-warn");
    const faultAt = percent(values["disk-fault"], DEFAULT_DISK_THRESHOLDS.faultFraction, "--disk-fault");
    if (typeof warnAt === "string") return usage(warnAt);
    if (typeof faultAt === "string") return usage(faultAt);
    if (warnAt > faultAt) return usage("--disk-warn must not be above --disk-fault");
    const crashDumpDirs =
        values["crash-dump-dirs"] !== undefined
            ? values["crash-dump-dirs"]
                  .split(",")
                  .map((d) => d.trim())
                  .filter((d) => d !== "")
            : DEFAULT_CRASH_DUMP_DIRS;
    if (crashDumpDirs.some((d) => !d.startsWith("/"))) return usage("--crash-dump-dirs takes absolute paths");

    // The stack file: what the config wants (its guardrails are the update's business; a refused file stops here).
    const stackFile = values.config ?? path.join(repoRoot(), `Pulumi.${values.stack}.yaml`);
    let parsed;
    try {
        const raw = readStackFile(stackFile);
        parsed = parseStackConfig(raw.config, new Set(raw.secretKeys));
    } catch (e) {
        process.stderr.write(`status: the stack file ${stackFile} cannot be used: ${(e as Error).message}\n`);
        return EXIT.configRefused;
    }

    // The outputs: what the last update deployed.
    let outputs: StackOutputs;
    try {
        outputs = readOutputs(values.outputs !== undefined ? await readInput(values.outputs) : await pulumiOutputs(values.stack));
    } catch (e) {
        if (e instanceof OutputsError || (e as NodeJS.ErrnoException).code === "ENOENT") {
            process.stderr.write(`status: cannot read the outputs of stack ${values.stack}: ${(e as Error).message}\n`);
            return EXIT.noOutputs;
        }
        throw e;
    }
    if (Object.keys(outputs).length === 0) {
        process.stderr.write(`status: stack ${values.stack} has no outputs: nothing is deployed yet (run \`pulumi up\`), or the outputs are another stack's\n`);
        return EXIT.noOutputs;
    }

    const targets = statusTargets({
        config: parsed.config,
        region: parsed.region,
        outputs,
        sections: only.sections,
        env: { SEARCH_ENDPOINT: process.env.SEARCH_ENDPOINT, SEARCH_CA: process.env.SEARCH_CA, SEARCH_TLS_NAME: process.env.SEARCH_TLS_NAME },
    });
    // Missing credentials would make every check of their kind "unknown" for one reason: say it once, and stop.
    const key = process.env[SSH_KEY_ENV];
    if (needsSsh(targets) && !key) {
        process.stderr.write(
            `status: ${SSH_KEY_ENV} is not set, and the sections asked reach hosts over SSH: export ${SSH_KEY_ENV}="$(pulumi config get dataplat:sshPrivateKey --stack ${values.stack})", or leave out origin, platform and hosts with --only\n`,
        );
        return EXIT.noCredentials;
    }
    if (needsAws(targets)) {
        const missing = await missingCredentials(parsed.region);
        if (missing !== undefined) {
            process.stderr.write(
                `status: no AWS credentials for ${parsed.region} (${missing}): export AWS_PROFILE or run \`aws sso login\` (on a runner, its instance role), or leave out queues, fleets, platform and controlplane with --only\n`,
            );
            return EXIT.noCredentials;
        }
    }

    const now = Date.now();
    const run = await runStatus(targets, {
        now,
        ...(key ? { sshKey: key } : {}),
        systemctl: values.systemctl ?? "systemctl",
        crashDumpDirs,
        disk: { warnFraction: warnAt, faultFraction: faultAt },
        progress,
    });
    const report = statusReport(values.stack, now, only.sections, run.findings);
    await writeStdout(values.json ? renderJson(report) : renderHuman(report));
    progress(`done in ${(run.totalMs / 1000).toFixed(1)} s`);
    return report.exitCode;
}

// An unexpected error is "a check could not run" (3), not runCli's 1, which here means warnings.
runCli("status", () =>
    main().catch((e: Error) => {
        process.stderr.write(`status failed: ${e.message}\n`);
        return EXIT.couldNotRun;
    }),
);
