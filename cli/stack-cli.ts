/**
 * What the stack CLIs (synth, graph) share: `--stack`/`--config` parsing with usage errors (exit 64),
 * the default stack file, output that is flushed before the process exits (process.exit() cuts a
 * large write to a pipe short), and the exit code of a refused config (2) versus a failure (1).
 */
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { repoRoot } from "../stacks/offline/root";
import { readStackFile, type RawStackConfig } from "../stacks/offline/stackfile";


type StringOptions = Record<string, { type: "string" }>;

/** Parses `--stack NAME [--config FILE]` plus extra string options; a number is the exit code to stop with. */
export function parseStackArgs<E extends StringOptions>(usage: string, extra: E): ({ stack: string; config: RawStackConfig } & Partial<Record<keyof E, string>>) | number {
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
    if (typeof values.stack !== "string") {
        process.stderr.write(`--stack is required\n${usage}\n`);
        return 64;
    }
    const file = typeof values.config === "string" ? values.config : path.join(repoRoot(), `Pulumi.${values.stack}.yaml`);
    const rest = Object.fromEntries(Object.keys(extra).map((k) => [k, values[k]])) as Partial<Record<keyof E, string>>;
    return { ...rest, stack: values.stack, config: readStackFile(file) };
}

/** Writes to stdout and resolves once the text is flushed. */
export function writeStdout(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

/** An error by which the program refused the config or the change (exit 2), as opposed to a failure (exit 1). */
export function isRefusedConfig(e: Error): boolean {
    return e.name === "ConfigError" || e.name === "RunError" || /Refused by guardrails|Invalid stack configuration/.test(e.message);
}

/** Runs a CLI's main: its number is the exit code; a refused config or guardrail exits 2, anything else 1. */
export function runCli(name: string, main: () => Promise<number>, isRefusal: (e: Error) => boolean = () => false): void {
    main().then(
        (code) => process.exit(code),
        (e: Error) => {
            const refused = isRefusal(e) || isRefusedConfig(e);
            process.stderr.write(`${refused ? "" : `${name} failed: `}${e.message}\n`);
            process.exit(refused ? 2 : 1);
        },
    );
}
