// node dist/cli/emergency.js gate ...: the resume gates of the emergency switch (ops/emergency/scripts.ts runs it
// from the resume scripts). Thin: the grammar is ops/emergency/cliargs.ts, the verdicts ops/emergency/gates.ts.
// The endpoint is $SEARCH_ENDPOINT (http(s)://[user:pass@]host:port); $SEARCH_CA / $SEARCH_TLS_NAME as for
// cli/search.ts. Exit 0: the gate was reached; 2: not within --timeout (refused); 64: usage; 1: other.
import { parseGateArgs, USAGE, UsageError } from "../ops/emergency/cliargs";
import { clusterAtLeast, recentIndexesVerdict } from "../ops/emergency/gates";
import { SearchClient } from "../runners/search/client";
import { SEARCH_ENDPOINT_ENV } from "../ops/search/commands";
import { SEARCH_CA_ENV, SEARCH_TLS_NAME_ENV } from "../ops/search/security";
import { endQuietlyOnEpipe } from "./stack-cli";

class Refused extends Error {}

const env = (name: string): string | undefined => (process.env[name] ? process.env[name] : undefined);
const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);

async function main(argv: string[]): Promise<void> {
    const run = parseGateArgs(argv);
    if (run.command === "help") {
        process.stdout.write(USAGE);
        return;
    }
    const endpoint = env(SEARCH_ENDPOINT_ENV);
    if (endpoint === undefined) throw new UsageError(`$${SEARCH_ENDPOINT_ENV} is not set`);
    const client = new SearchClient(endpoint, { requestTimeoutMs: 30_000, tls: { ca: env(SEARCH_CA_ENV), serverName: env(SEARCH_TLS_NAME_ENV) } });
    const what =
        run.want.kind === "cluster"
            ? `the cluster at least ${run.want.status}`
            : `the recent indexes (${run.want.patterns.join(",")}, last ${run.want.windowHours}h) green`;
    const deadline = Date.now() + run.timeoutSeconds * 1000;
    for (;;) {
        let progress: string;
        try {
            if (run.want.kind === "cluster") {
                const health = await client.health();
                if (clusterAtLeast(health.status, run.want.status)) return log(`${run.step}: gate reached: the cluster is ${health.status}`);
                progress = `the cluster is ${health.status}`;
            } else {
                const path = `/_cat/indices/${run.want.patterns.map(encodeURIComponent).join(",")}?format=json&h=index,health,creation.date&expand_wildcards=open`;
                const verdict = recentIndexesVerdict(await client.json("GET", path), Date.now(), run.want.windowHours);
                if (verdict.kind === "green") return log(`${run.step}: gate reached: ${verdict.recent.length} recent index(es) green`);
                progress = verdict.kind === "waiting" ? `recent indexes not green: ${verdict.notGreen.join(", ")}` : `unreadable answer: ${verdict.problem}`;
            }
        } catch (e) {
            progress = `cannot read the cluster: ${(e as Error).message}`;
        }
        const left = Math.ceil((deadline - Date.now()) / 1000);
        if (left <= 0) throw new Refused(`${run.step}: gate not reached within ${run.timeoutSeconds}s, waiting for ${what}: ${progress}`);
        log(`${run.step}: waiting for ${what}: ${progress} (${left}s left)`);
        await new Promise((r) => setTimeout(r, Math.min(run.pollSeconds, left) * 1000));
    }
}

endQuietlyOnEpipe();
main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
        if (e instanceof UsageError) {
            process.stderr.write(`usage: ${e.message}\n${USAGE}`);
            process.exit(64);
        }
        process.stderr.write(`FAILED: ${(e as Error).message}\n`);
        process.exit(e instanceof Refused ? 2 : 1);
    },
);
