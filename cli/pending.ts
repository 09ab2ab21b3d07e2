/**
 * `npm run pending -- [FILE] [--stack NAME] [--config STACK_FILE]`: refuses (exit 2) when the stack's state
 * holds unfinished work from an earlier update (resources pending deletion or replacement, interrupted
 * operations), with what to do; exit 0 when there is none. Reads `pulumi stack export` output from FILE, or
 * from stdin without one:
 *
 *   pulumi stack export --stack prod | npm run -s pending -- --stack prod --config Pulumi.prod.yaml
 *
 * With --config (the stack file this update deploys), an update that turns the emergency switch on
 * (`dataplat:emergency.active: true` while the deployed stack has it off) passes with a warning on stderr:
 * unfinished work never blocks the runbook's emergency stop.
 *
 * The decision is ops/state/pending.ts; this only reads the input and prints.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { checkPending, StackExportError } from "../ops/state/pending";
import { EmergencyConfigSchema } from "../ops/emergency/config";
import { EXIT, readStackFileOf, runCli, UsageError, writeStdout } from "./stack-cli";

const USAGE = "usage: npm run pending -- [FILE] [--stack NAME] [--config STACK_FILE]   (FILE: `pulumi stack export` output; stdin when omitted)";

async function readInput(file: string | undefined): Promise<string> {
    if (file !== undefined && file !== "-") {
        if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file (pass the output of \`pulumi stack export\`, or pipe it in)`);
        return fs.promises.readFile(file, "utf8");
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

/** Whether the stack file turns the emergency switch on (validated with the program's own schema). */
function emergencyOf(file: string): { active: boolean } | { problem: string } {
    const raw = readStackFileOf("--config", file).config["dataplat:emergency"];
    if (raw === undefined) return { active: false };
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = raw;
    }
    const parsed = EmergencyConfigSchema.safeParse(value);
    if (!parsed.success)
        return {
            problem: `${file}: dataplat:emergency is not valid (${parsed.error.issues[0]?.message ?? "invalid"}); \`npm run synth -- --stack <name>\` names the path`,
        };
    return { active: parsed.data.active };
}

async function main(): Promise<number> {
    let values: { stack?: string; config?: string; help?: boolean };
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({
            options: { stack: { type: "string" }, config: { type: "string" }, help: { type: "boolean" } },
            allowPositionals: true,
            strict: true,
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 64;
    }
    if (values.help) {
        await writeStdout(USAGE + "\n");
        return 0;
    }
    if (positionals.length > 1) {
        process.stderr.write(`at most one FILE\n${USAGE}\n`);
        return 64;
    }
    const emergency = values.config === undefined ? { active: false } : emergencyOf(values.config);
    if ("problem" in emergency) {
        process.stderr.write(`pending: ${emergency.problem}\n`);
        return EXIT.refused;
    }
    const text = await readInput(positionals[0]);
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        process.stderr.write(`pending: the input is not JSON (${(e as Error).message}); pass the output of \`pulumi stack export\`\n`);
        return 64;
    }
    let result;
    try {
        result = checkPending(json, values.stack, emergency.active);
    } catch (e) {
        if (e instanceof StackExportError) {
            process.stderr.write(`pending: ${e.message}\n`);
            return 64;
        }
        throw e;
    }
    if (result.ok && "exempt" in result) {
        await new Promise<void>((resolve, reject) => process.stderr.write(result.message + "\n", (e) => (e ? reject(e) : resolve())));
        return 0;
    }
    if (result.ok) {
        await writeStdout(result.message + "\n");
        return 0;
    }
    // Flushed before exiting: the explanation is the point of the refusal.
    await new Promise<void>((resolve, reject) => process.stderr.write(result.message + "\n", (e) => (e ? reject(e) : resolve())));
    return 2;
}

runCli("pending", main);
