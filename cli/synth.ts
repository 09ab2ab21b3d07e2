/**
 * npm run synth -- --stack <name> [--config FILE] [--previous FILE] [--out FILE] [--preview]
 *
 * Evaluates the real program under Pulumi's mock runtime (no CLI, no cloud) and prints the resource
 * graph as JSON. With --preview the evaluation is a dry run in which every provider-computed output
 * (ids, ARNs, IPs, generated names, random values) is unknown, as in a first real `pulumi preview`;
 * unknown inputs and outputs are printed as "[unknown]". Review a pull request without credentials: the base branch's stack file as
 * --previous, the pull request's as --config. Exits 2 with the validation or guardrail message when
 * the config is refused, 64 on bad usage (a wrong --stack lists the stacks there are), 1 on any other error.
 * stdout carries the JSON only (use `npm run -s` so npm prints no banner); the resource count goes to stderr.
 */
import * as fs from "node:fs";
import { evaluateStack } from "../stacks/offline/evaluate";
import { parseStackArgs, readStackFileOf, runCli, writeStdout } from "./stack-cli";

const USAGE = "usage: npm run synth -- --stack <name> [--config FILE] [--previous FILE] [--out FILE] [--preview]";

/** Removes the boolean flag `--preview` from argv (the shared parser takes string options only). */
function takePreviewFlag(): boolean {
    const at = process.argv.indexOf("--preview", 2);
    if (at < 0) return false;
    process.argv.splice(at, 1);
    return true;
}

async function main(): Promise<number> {
    const preview = takePreviewFlag();
    const args = parseStackArgs(USAGE, { previous: { type: "string" }, out: { type: "string" } });
    if (typeof args === "number") return args;
    const graph = await evaluateStack({
        stack: args.stack,
        config: args.config,
        previous: args.previous ? readStackFileOf("--previous", args.previous) : undefined,
        preview,
    });
    const text = JSON.stringify(graph, null, 2) + "\n";
    if (args.out) fs.writeFileSync(args.out, text);
    else await writeStdout(text);
    process.stderr.write(`synth: ${graph.resources.length} resources for stack ${args.stack}${preview ? " (preview: computed values unknown)" : ""}\n`);
    return 0;
}

runCli("synth", main);
