// Entry point that the SearchCluster component's command resources call (see ops/search/commands.ts):
//
//   node dist/cli/search.js <command> [--endpoint URL] [options]
//   node dist/cli/search.js --help        (every command and flag, their grammar and the exit codes)
//
// The grammar of every flag, which command takes which, and the usage text are in ops/search/flags.ts; a value
// outside the grammar, an unknown flag or one the command does not take exits 64 naming the flag. The endpoint
// comes from --endpoint or $SEARCH_ENDPOINT (http(s)://[user:pass@]host:port), so addresses and credentials need not
// appear in the command string; errors name it without credentials. With --timeout, every request is bounded by
// the time left (runners/search/client.ts requestBudget). Progress goes to stderr.
// TLS: an https endpoint is verified against exactly the CA in $SEARCH_CA (PEM text) when it is set, else the system's
// CAs, and the certificate must name $SEARCH_TLS_NAME when it is set, else the endpoint's host (runners/search/client.ts).
// Either variable with a plain http endpoint is refused (64). There is no switch to skip the verification.
// Exit codes (ops/search/failures.ts): 0 ok, 1 bug, 3 refused, 4 timeout, 5 API error, 6 cluster lost the node /
// stayed red during the operation, 7 bounce restart command failed, 64 usage.

import { SearchApiError, SearchClient } from "../runners/search/client";
import { SEARCH_ENDPOINT_ENV } from "../ops/search/commands";
import { bounce, drain, excludeSpot, restoreSpot, undrain, waitForStatus, waitJoined } from "../runners/search/drain";
import { OpsFailure, exitCodeOf } from "../ops/search/failures";
import { parseSearchArgs, unknownNodeRefusal, usageText } from "../ops/search/flags";
import { EXCLUDE_NAME, effectiveExclusion } from "../ops/search/model";
import { SEARCH_CA_ENV, SEARCH_TLS_NAME_ENV } from "../ops/search/security";
import { endQuietlyOnEpipe } from "./stack-cli";

/** An environment variable's value, or undefined when it is unset or empty. */
const env = (name: string): string | undefined => (process.env[name] === undefined || process.env[name] === "" ? undefined : process.env[name]);

const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

/** Refuses (exit 3) a drain or undrain of a node the cluster does not know, unless --absent-ok. */
async function refuseUnknownNode(client: SearchClient, command: "drain" | "undrain", node: string): Promise<void> {
    const clusterNodes = (await client.nodes()).map((n) => n.name);
    const excluded = command === "undrain" && !clusterNodes.includes(node) ? effectiveExclusion(await client.settings(), EXCLUDE_NAME) : [];
    const refusal = unknownNodeRefusal({ command, node, clusterNodes, excluded, absentOk: false });
    if (refusal) throw new OpsFailure("refused", refusal);
}

// ---- signal wiring (drain): begin -------------------------------------------------------------------------
// SIGTERM, SIGINT and SIGHUP during a drain abort its wait: drain() then runs the cleanup of a timeout (throttles
// and the exclusions it added taken back, the lock released), prints what it restored and what it left, and the
// command exits non-zero (4). A second signal during that cleanup is ignored, so the cleanup finishes. Outside a
// drain the handlers are not installed and the signals keep their default effect.
const DRAIN_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
function interruptSignal(): AbortSignal {
    const controller = new AbortController();
    for (const sig of DRAIN_SIGNALS) {
        process.on(sig, () => {
            if (controller.signal.aborted) return log(`${sig}: still cleaning up after ${String(controller.signal.reason)}, ignored`);
            log(`${sig}: stopping the drain and taking back what it added`);
            controller.abort(sig);
        });
    }
    return controller.signal;
}
// ---- signal wiring (drain): end ---------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
    const run = parseSearchArgs(argv, process.env[SEARCH_ENDPOINT_ENV]);
    if (run.command === "help") {
        process.stdout.write(usageText());
        return;
    }
    const timeoutSeconds = "timeoutSeconds" in run ? run.timeoutSeconds : undefined;
    const client = new SearchClient(run.endpoint, {
        deadline: timeoutSeconds === undefined ? undefined : Date.now() + timeoutSeconds * 1000,
        tls: { ca: env(SEARCH_CA_ENV), serverName: env(SEARCH_TLS_NAME_ENV) },
    });
    const zone = { zoneAttribute: "zoneAttribute" in run ? run.zoneAttribute : undefined, log };

    switch (run.command) {
        case "drain": {
            if (!run.absentOk) await refuseUnknownNode(client, "drain", run.node);
            const report = await drain(client, {
                node: run.node,
                timeoutSeconds: run.timeoutSeconds,
                spotZone: run.spotZone,
                nodeConcurrentRecoveries: run.recoveries,
                maxBytesPerSec: run.maxBytesPerSec,
                keepExclusionOnFailure: run.keepExclusionOnFailure,
                signal: interruptSignal(), // signal wiring (drain)
                ...zone,
            });
            if (report.outcome === "absent" && !run.absentOk) {
                throw new OpsFailure(
                    "refused",
                    `node ${run.node} left the cluster before the drain started: nothing was drained. Pass --absent-ok if it may be gone.`,
                );
            }
            return;
        }
        case "undrain":
            if (!run.absentOk) await refuseUnknownNode(client, "undrain", run.node);
            await undrain(client, { node: run.node, spotZone: run.spotZone, ...zone });
            return;
        case "wait-joined":
            await waitJoined(client, { node: run.node, timeoutSeconds: run.timeoutSeconds, log });
            return;
        case "exclude-spot":
            await excludeSpot(client, { spotZone: run.spotZone, ...zone });
            return;
        case "restore-spot":
            await restoreSpot(client, { spotZone: run.spotZone, ...zone });
            return;
        case "bounce":
            await bounce(client, { node: run.node, restart: run.restart, allocation: run.allocation, timeoutSeconds: run.timeoutSeconds, log });
            return;
        case "health": {
            let failure: unknown;
            try {
                await waitForStatus(client, run.status, run.timeoutSeconds ?? 0.001, log);
            } catch (e) {
                failure = e;
            }
            // The health reading goes to stdout even when the status was not reached; not when the cluster did not answer.
            if (!(failure instanceof SearchApiError)) process.stdout.write(`${JSON.stringify(await client.health())}\n`);
            if (failure !== undefined) throw failure;
            return;
        }
    }
}

if (require.main === module) {
    endQuietlyOnEpipe();
    main(process.argv.slice(2)).then(
        () => process.exit(0),
        (e: unknown) => {
            log(`error: ${e instanceof Error ? e.message : String(e)}`);
            process.exit(exitCodeOf(e));
        },
    );
}
