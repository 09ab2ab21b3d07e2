/**
 * Asking the search admin endpoint what the search checks judge (ops/status/search.ts). The endpoint, user and TLS
 * come from the outputs as the preflight reads them (ops/preflight/search.ts searchTarget); the password and CA
 * from the SSM parameters the outputs name. Each call is asked on its own: one failing is that check's
 * "unknown", the others still answer.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { SearchTarget } from "../../ops/preflight/search";
import { redactEndpoint } from "../../ops/search/flags";
import { SearchClient } from "../search/client";
import { type Answer, answered, failed } from "../../ops/status/answer";
import { checkSearch, COVERAGE_PATTERN, type NodeDisk } from "../../ops/status/search";
import { type Finding, ok, unknown } from "../../ops/status/findings";
import { awsClientConfig } from "./aws";

/** How long the status endpoint may take before it counts as stalled (the runbook's "status endpoint will stall"). */
const REQUEST_TIMEOUT_MS = 15_000;

const attempt = async <T>(f: () => Promise<T>): Promise<Answer<T>> => {
    try {
        return answered(await f());
    } catch (e) {
        return failed((e as Error).message);
    }
};

async function parameter(name: string, what: string, region: string): Promise<Answer<string>> {
    try {
        const answer = await new SSMClient(awsClientConfig(region)).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        const value = answer.Parameter?.Value;
        return value ? answered(value) : failed(`the ${what} parameter ${name} is empty`);
    } catch (e) {
        return failed(`the ${what} parameter ${name} could not be read in ${region}: ${(e as Error).name}: ${(e as Error).message}`);
    }
}

export async function searchFindings(target: SearchTarget, expectedNode: string | undefined, region: string, now: number): Promise<Finding[]> {
    if (target.kind === "none") return [ok("search", "health", "cluster", `nothing to ask: ${target.why}`)];
    if (target.kind === "unknown") return [unknown("search", "health", "cluster", target.why, target.fix)];
    const shown = redactEndpoint(target.endpoint);
    let ca = target.tls?.ca;
    if (target.tls?.caParameter !== undefined) {
        const read = await parameter(target.tls.caParameter, "CA", region);
        if (!read.ok)
            return [
                unknown(
                    "search",
                    "health",
                    shown,
                    read.why,
                    "the credentials must be able to ssm:GetParameter (with kms:Decrypt) the parameter in the stack's region",
                ),
            ];
        ca = read.value;
    }
    let endpoint = target.endpoint;
    if (target.auth !== undefined) {
        const read = await parameter(target.auth.passwordParameter, "admin password", region);
        if (!read.ok)
            return [
                unknown(
                    "search",
                    "health",
                    shown,
                    read.why,
                    "the credentials must be able to ssm:GetParameter (with kms:Decrypt) the parameter in the stack's region",
                ),
            ];
        const url = new URL(endpoint);
        url.username = encodeURIComponent(target.auth.user);
        url.password = encodeURIComponent(read.value);
        endpoint = url.toString().replace(/\/$/, "");
    }
    const tls = { ...(ca !== undefined ? { ca } : {}), ...(target.tls?.serverName !== undefined ? { serverName: target.tls.serverName } : {}) };
    const client = new SearchClient(endpoint, { requestTimeoutMs: REQUEST_TIMEOUT_MS, masterTimeout: "10s", tls });
    const [health, settings, shards, answeringNode, disks, coverage] = await Promise.all([
        attempt(() => client.health()),
        attempt(() => client.settings()),
        attempt(() => client.shards()),
        attempt(async () => {
            const body = (await client.json("GET", "/_nodes/_local?filter_path=nodes.*.name")) as { nodes?: Record<string, { name?: unknown }> };
            const name = Object.values(body.nodes ?? {})[0]?.name;
            if (typeof name !== "string") throw new Error("_nodes/_local named no node");
            return name;
        }),
        attempt(async () => {
            const rows = (await client.json("GET", "/_cat/allocation?format=json&bytes=b&h=node,disk.used,disk.total")) as {
                node?: unknown;
                "disk.used"?: unknown;
                "disk.total"?: unknown;
            }[];
            if (!Array.isArray(rows)) throw new Error("_cat/allocation did not answer a list");
            const out: NodeDisk[] = [];
            for (const r of rows) {
                // The UNASSIGNED row has no disk.
                if (typeof r.node !== "string" || r.node === "UNASSIGNED" || r["disk.total"] === null || r["disk.total"] === undefined) continue;
                out.push({ node: r.node, usedBytes: Number(r["disk.used"]), totalBytes: Number(r["disk.total"]) });
            }
            return out;
        }),
        attempt(async () => {
            const rows = (await client.json("GET", `/_cat/indices/${COVERAGE_PATTERN}?format=json&h=index,creation.date&expand_wildcards=open`)) as {
                index?: unknown;
                "creation.date"?: unknown;
            }[];
            if (!Array.isArray(rows)) throw new Error("_cat/indices did not answer a list");
            return rows.map((r) => {
                const createdMs = Number(r["creation.date"]);
                if (typeof r.index !== "string" || !Number.isFinite(createdMs)) throw new Error(`unreadable _cat/indices row ${JSON.stringify(r)}`);
                return { index: r.index, createdMs };
            });
        }),
    ]);
    // "Attempt a query ... to see if the query endpoint is still working": only when health stalled or failed.
    const query = health.ok
        ? undefined
        : await attempt(async () => {
              const start = Date.now();
              await client.json("GET", "/_search?size=0&timeout=10s");
              return { tookMs: Date.now() - start };
          });
    return checkSearch({
        endpoint: client.endpoint,
        now,
        coverage,
        health,
        ...(query ? { query } : {}),
        settings,
        shards,
        answeringNode,
        ...(expectedNode !== undefined ? { expectedNode } : {}),
        disks,
    });
}
