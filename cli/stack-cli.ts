/**
 * What the project's command lines share: one exit-code table, `--stack`/`--config` parsing with usage errors,
 * a wrong `--stack` answered with the stacks that exist, output that is flushed before the process exits
 * (process.exit() cuts a large write to a pipe short), and a reader that closes the pipe early (`| head`)
 * ending the command quietly instead of with an EPIPE stack trace.
 *
 * Exit codes (docs/cli.md): 0 success, 2 refused by config or a guardrail, 64 bad usage (EX_USAGE), 1 anything
 * else. The operational commands that command resources run (search, spot) keep 0, 1 and 64 and add their own
 * codes from 3 up for the outcomes a script tells apart (refused, timeout, API error, ...).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { repoRoot } from "../stacks/offline/root";
import { readStackFile, type RawStackConfig } from "../stacks/offline/stackfile";

export const EXIT = { ok: 0, failed: 1, refused: 2, usage: 64 } as const;

/** Bad usage: an unknown flag, a missing argument, a file or stack that does not exist (exit 64). */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

const isEpipe = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === "EPIPE";

/**
 * A reader that stops reading (`| head`, `| jq` failing) closes stdout: the command ends there, quietly and with
 * success, as `cat` and `seq` do. Without this listener Node throws the EPIPE as an unhandled 'error' event.
 */
export function endQuietlyOnEpipe(): void {
    if (process.stdout.listenerCount("error") > 0) return;
    process.stdout.on("error", (e) => {
        if (isEpipe(e)) process.exit(EXIT.ok);
        throw e;
    });
}

/** The stacks of this project: one per `Pulumi.<name>.yaml` next to Pulumi.yaml. */
export function stackNames(root: string = repoRoot()): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((n): n is string => n !== undefined)
        .sort();
}

/** The stack file of `--stack NAME`, or a usage error listing the stacks that exist. */
export function stackFileOf(stack: string, root: string = repoRoot()): string {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(file)) return file;
    const names = stackNames(root);
    throw new UsageError(
        `no stack '${stack}': there is no Pulumi.${stack}.yaml in ${root}. The stacks are: ${names.join(", ") || "(none)"}` +
            " (or pass --config FILE to evaluate another stack file under that name)",
    );
}

/** Reads a stack file named by a flag; a file that is not there is a usage error naming the flag. */
export function readStackFileOf(flag: string, file: string): RawStackConfig {
    if (!fs.existsSync(file)) throw new UsageError(`${flag} ${file}: no such file`);
    return readStackFile(file);
}

type StringOptions = Record<string, { type: "string" }>;

/** Parses `--stack NAME [--config FILE]` plus extra string options; a number is the exit code to stop with. */
export function parseStackArgs<E extends StringOptions>(
    usage: string,
    extra: E,
): ({ stack: string; config: RawStackConfig } & Partial<Record<keyof E, string>>) | number {
    let values: Record<string, string | boolean | undefined>;
    try {
        const options = { stack: { type: "string" }, config: { type: "string" }, help: { type: "boolean" }, ...extra } as ParseArgsConfig["options"];
        ({ values } = parseArgs({ options, strict: true }) as { values: Record<string, string | boolean | undefined> });
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${usage}\n`);
        return 64;
    }
    if (values.help) {
        process.stdout.write(usage + "\n");
        return 0;
    }
    if (typeof values.stack !== "string" || values.stack === "") {
        process.stderr.write(`--stack is required (the stacks are: ${stackNames().join(", ")})\n${usage}\n`);
        return 64;
    }
    const config = typeof values.config === "string" ? readStackFileOf("--config", values.config) : readStackFile(stackFileOf(values.stack));
    const rest = Object.fromEntries(Object.keys(extra).map((k) => [k, values[k]])) as Partial<Record<keyof E, string>>;
    return { ...rest, stack: values.stack, config };
}

/** Writes to stdout and resolves once the text is flushed. */
export function writeStdout(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

/** An error by which the program refused the config or the change (exit 2), as opposed to a failure (exit 1). */
export function isRefusedConfig(e: Error): boolean {
    return e.name === "ConfigError" || e.name === "RunError" || /Refused by guardrails|Invalid stack configuration/.test(e.message);
}

/**
 * Runs a CLI's main: its number is the exit code. A usage error exits 64, a refused config or guardrail 2, a
 * closed stdout 0 (quietly), anything else 1. Every CLI goes through here, so they all share one table.
 */
export function runCli(name: string, main: () => Promise<number>, isRefusal: (e: Error) => boolean = () => false): void {
    endQuietlyOnEpipe();
    main().then(
        (code) => process.exit(code),
        (e: Error) => {
            if (isEpipe(e)) process.exit(EXIT.ok);
            if (e instanceof UsageError) {
                process.stderr.write(`${name}: ${e.message}\n`);
                process.exit(EXIT.usage);
            }
            const refused = isRefusal(e) || isRefusedConfig(e);
            process.stderr.write(`${refused ? "" : `${name} failed: `}${e.message}\n`);
            process.exit(refused ? EXIT.refused : EXIT.failed);
        },
    );
}
