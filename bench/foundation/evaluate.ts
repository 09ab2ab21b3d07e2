/**
 * Benchmark: how much the program's own logic (config validation, decisions, components) costs on
 * top of Pulumi's mock runtime. Prints the ratio of evaluating the prod stack to registering the same
 * number of raw resources under the same mocks, both measured in this run.
 *
 *   npm run bench            (builds, then runs this file)
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack } from "../../stacks/offline/evaluate";
import { OfflineMocks } from "../../stacks/offline/mocks";
import { readStackFile } from "../../stacks/offline/stackfile";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** A plain custom resource: what registration costs with no program logic around it. */
class RawQueue extends pulumi.CustomResource {
    constructor(name: string) {
        super("aws:sqs/queue:Queue", name, { messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });
    }
}

async function rawRegistration(count: number): Promise<void> {
    await pulumi.runtime.setMocks(new OfflineMocks({ region: "us-west-2" }), "dataplat", "bench", false, "organization");
    await pulumi.runtime.runInPulumiStack(async () => {
        const urns: pulumi.Output<string>[] = [];
        for (let i = 0; i < count; i++) {
            urns.push(new RawQueue(`raw-${i}`).urn);
        }
        await new Promise((resolve) => pulumi.all(urns).apply(resolve));
        return {};
    });
    await pulumi.runtime.disconnect();
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
    const root = path.resolve(__dirname, "..", "..", "..");
    const config = readStackFile(path.join(root, "Pulumi.prod.yaml"));
    const program: number[] = [];
    const raw: number[] = [];
    // Warm-up of both paths, then alternate so machine noise hits both alike.
    const count = (await evaluateStack({ stack: "prod", config })).resources.length;
    await rawRegistration(count);
    for (let i = 0; i < ROUNDS; i++) {
        let t = process.hrtime.bigint();
        await evaluateStack({ stack: "prod", config });
        program.push(Number(process.hrtime.bigint() - t) / 1e6);
        t = process.hrtime.bigint();
        await rawRegistration(count);
        raw.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const p = median(program);
    const r = median(raw);
    console.log(`resources: ${count}, rounds: ${ROUNDS}`);
    console.log(`prod program under mocks: median ${p.toFixed(1)} ms (${(p / count).toFixed(2)} ms/resource)`);
    console.log(`raw registration baseline: median ${r.toFixed(1)} ms (${(r / count).toFixed(2)} ms/resource)`);
    console.log(`ratio program/raw: ${(p / r).toFixed(2)}`);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
