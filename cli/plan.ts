/**
 * npm run -s plan -- --stack <name> [--previous FILE] [--config FILE] [--format md|text|json]
 *
 * Prints what `pulumi up` would do, section by section in the runbooks' words and in the engine's order,
 * plus the resources created, replaced, updated and deleted by kind. The program is evaluated offline
 * under Pulumi's mocks, as `npm run synth` does (no CLI, no cloud, no credentials): `--previous` is the
 * stack file deployed now (evaluated first; its graph is the deployed state and its outputs answer the
 * program's reference to itself), `--config` the one to deploy (default Pulumi.<stack>.yaml). Without
 * --previous the plan is a first deployment. The wording lives in ops/plan/ (pure); this file only
 * evaluates and prints.
 *
 * stdout carries the plan only (use `npm run -s` so npm prints no banner). Exits 0 with a plan, 2 when
 * the program refuses the config or the change (the refusals and their fixes are the plan printed), 64 on
 * bad usage, 1 on any other error. A closed stdout (`| head`) ends the command quietly.
 */
import { buildPlan, refusedPlan, type PlanDocument } from "../ops/plan/document";
import { PLAN_FORMATS, renderPlan, type PlanFormat } from "../ops/plan/render";
import { evaluateStack } from "../stacks/offline/evaluate";
import { isRefusedConfig, parseStackArgs, readStackFileOf, runCli, writeStdout } from "./stack-cli";

const USAGE = "usage: npm run -s plan -- --stack <name> [--previous FILE] [--config FILE] [--format md|text|json]";

async function main(): Promise<number> {
    const args = parseStackArgs(USAGE, { previous: { type: "string" }, format: { type: "string" } });
    if (typeof args === "number") return args;
    const format = (args.format ?? "text") as PlanFormat;
    if (!PLAN_FORMATS.includes(format)) {
        process.stderr.write(`--format must be one of ${PLAN_FORMATS.join(", ")}\n${USAGE}\n`);
        return 64;
    }
    const previousConfig = args.previous ? readStackFileOf("--previous", args.previous) : undefined;
    let doc: PlanDocument;
    try {
        // The deployed state is the previous stack file's graph; its outputs answer the program's
        // StackReference to itself, exactly as `npm run synth -- --previous` evaluates it.
        const previous = previousConfig ? await evaluateStack({ stack: args.stack, config: previousConfig }) : undefined;
        const next = await evaluateStack({ stack: args.stack, config: args.config, previousOutputs: previous?.outputs });
        doc = buildPlan({ stack: args.stack, previous, next });
    } catch (e) {
        if (!(e instanceof Error) || !isRefusedConfig(e)) throw e;
        doc = refusedPlan(args.stack, e.message);
    }
    await writeStdout(renderPlan(doc, format));
    return doc.change === "refused" ? 2 : 0;
}

runCli("plan", main);
