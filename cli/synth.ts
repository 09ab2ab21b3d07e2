/**
 * npm run synth -- --stack <name> [--config FILE] [--previous FILE] [--out FILE]
 *
 * Evaluates the real program under Pulumi's mock runtime (no CLI, no cloud) and prints the resource
 * graph as JSON. Review a pull request without credentials: the base branch's stack file as
 * --previous, the pull request's as --config. Exits 2 with the validation or guardrail message when
 * the config is refused, 1 on any other error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { evaluateStack } from "../stacks/offline/evaluate";
import { readStackFile } from "../stacks/offline/stackfile";

const USAGE = "usage: npm run synth -- --stack <name> [--config FILE] [--previous FILE] [--out FILE]";

function repoRoot(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        const up = path.dirname(dir);
        if (up === dir) throw new Error("cannot find Pulumi.yaml above " + __dirname);
        dir = up;
    }
    return dir;
}

async function main(): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({
            options: { stack: { type: "string" }, config: { type: "string" }, previous: { type: "string" }, out: { type: "string" }, help: { type: "boolean" } },
            strict: true,
        }));
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
        return 64;
    }
    if (values.help) {
        process.stdout.write(USAGE + "\n");
        return 0;
    }
    if (!values.stack) {
        process.stderr.write(`--stack is required\n${USAGE}\n`);
        return 64;
    }
    const configFile = values.config ?? path.join(repoRoot(), `Pulumi.${values.stack}.yaml`);
    const graph = await evaluateStack({
        stack: values.stack,
        config: readStackFile(configFile),
        previous: values.previous ? readStackFile(values.previous) : undefined,
    });
    const text = JSON.stringify(graph, null, 2) + "\n";
    if (values.out) fs.writeFileSync(values.out, text);
    // process.exit() would cut a large graph short when stdout is a pipe: wait until it is flushed.
    else await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
    process.stderr.write(`synth: ${graph.resources.length} resources for stack ${values.stack}\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (e: Error) => {
        const refused = e.name === "ConfigError" || e.name === "RunError" || /Refused by guardrails|Invalid stack configuration/.test(e.message);
        process.stderr.write(`${refused ? "" : "synth failed: "}${e.message}\n`);
        process.exit(refused ? 2 : 1);
    },
);
