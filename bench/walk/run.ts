/**
 * The long random walk over config edits (issue 9): `npm run build && node dist/bench/walk/run.js [steps] [seed]`
 * (default 2000 steps; progress on stderr every 100 steps). Prints the steps per second and the ratio of a walk
 * step to one plain evaluation of the prod stack measured in the same run, the accepted/refused mix per edit, and
 * every invariant violation (exit 1 if any).
 */
import { evaluateStack } from "../../stacks/offline/evaluate";
import { readStackFile } from "../../stacks/offline/stackfile";
import { stackDoc, stackFile } from "../../tests/support/graph";
import { walk } from "../../tests/support/walk";

async function main(): Promise<number> {
    const steps = Number(process.argv[2] ?? 2000);
    const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await evaluateStack({ stack: "prod", config: readStackFile(stackFile("prod")) });
    const baseline = (Date.now() - t0) / 5;
    const t1 = Date.now();
    // Progress on stderr every 100 steps (a long walk takes over an hour on 2 cores: the stack grows as nodes and
    // origins are added), and every violation as soon as it is found.
    let done = 0;
    let found = 0;
    const log = (line: string) => {
        if (line.includes(": VIOLATION ")) {
            found++;
            console.error(line);
            return;
        }
        if (++done % 100 === 0) console.error(`step ${done}/${steps}: ${((Date.now() - t1) / 1000).toFixed(0)} s, ${found} violations so far`);
    };
    const result = await walk({ start: stackDoc("prod"), stack: "prod", seed, minSteps: steps, maxSteps: steps, deadline: 0, log });
    const perStep = (Date.now() - t1) / result.steps;
    console.log(`walk seed ${seed}: ${result.steps} steps, ${result.accepted} accepted, ${result.refused} refused, ${result.violations.length} violations`);
    console.log(`per step ${perStep.toFixed(0)} ms; one prod evaluation ${baseline.toFixed(0)} ms; ratio ${(perStep / baseline).toFixed(2)}`);
    for (const [label, t] of Object.entries(result.byEdit)) console.log(`  ${label}: ${t.accepted} accepted, ${t.refused} refused`);
    for (const v of result.violations) console.log(`VIOLATION ${v}`);
    return result.violations.length === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
