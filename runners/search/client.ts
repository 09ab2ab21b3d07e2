// A minimal Elasticsearch 7 / OpenSearch 1-3 client on node:http / node:https, with a timeout on every request: the
// real SearchApi (./api.ts) of the runners. The request rules it follows (budget, errors) are ops/search/requests.ts.
// Written here rather than taken from @opensearch-project/opensearch or @elastic/elasticsearch because each
// of those speaks one product (the Elastic client refuses to talk to OpenSearch) and we need eight endpoints.
// Every answer goes through an ops/search/model.ts parser; any network error, non-2xx answer (except the documented 408
// of a cluster-health long-poll) or unreadable body is an OpsFailure("api"): never an empty or drained reading.
// Every error names the request as METHOD scheme://host:port/path, never with the credentials.
//
// Time: with a `deadline` (the command's own --timeout), requests are bounded by it. Before the deadline a request gets
// min(its cap, time left + DEADLINE_SLACK_MS) and a health long-poll's server-side wait is cut to the whole seconds
// left, so a black-hole endpoint fails the command at its --timeout (exit 4), not after a fixed 30 s. After the
// deadline only finishing work runs (a failed drain restoring throttles and taking back its exclusions, a bounce
// restoring allocation.enable, the final health reading): each such request gets AFTER_DEADLINE_MS, never nothing,
// because skipping that cleanup would leave the cluster worse than a short overrun does.
//
// TLS: an https endpoint is verified, always: against exactly the CA of `tls.ca` when given (the cluster's own CA,
// $SEARCH_CA, which then replaces the system store), else against Node's store of public CAs; the certificate must
// name `tls.serverName` when given ($SEARCH_TLS_NAME: the nodes share one certificate naming a fixed DNS name while
// the endpoint is an IP), else the endpoint's host. TLS 1.2 or newer. A CA or server name with a plain http endpoint
// is refused (usage): whoever set them expects TLS, and the request must not go out in clear. Requests go through
// node:http / node:https rather than the global fetch: fetch takes no TLS options, and giving it a CA needs a
// dispatcher from the `undici` package whose version must match the one bundled in Node; node:https takes `ca`,
// `servername` and `minVersion` directly.

import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import { OpsFailure } from "../../ops/search/failures";
import { redactEndpoint } from "../../ops/search/flags";
import { type FailureKind } from "../../ops/search/failures";
import { type HealthWait, SearchApiError, requestBudget } from "../../ops/search/requests";
import {
    type ClusterSettings,
    type EngineInfo,
    type Health,
    type MoveVerdict,
    ModelError,
    type SearchNode,
    type SettingsUpdate,
    type ShardCopy,
    masterTimeoutParam,
    parseCatShards,
    parseClusterSettings,
    parseClusterStateNodes,
    parseHealth,
    parseRootInfo,
    readMoveExplanation,
} from "../../ops/search/model";
import { SEARCH_CA_ENV, SEARCH_TLS_NAME_ENV } from "../../ops/search/security";
import type { SearchApi } from "./api";

// What importers of the client use next to it: the pure request rules and error type live in ops/search/requests.ts.
export { AFTER_DEADLINE_MS, DEADLINE_SLACK_MS, type HealthWait, type RequestBudget, SearchApiError, requestBudget } from "../../ops/search/requests";

/** How an https endpoint is verified (see the header). */
export interface SearchTls {
    /** PEM text of the CA certificate(s) that must have signed the server certificate; replaces the system store. */
    ca?: string;
    /** The DNS name the server certificate must carry (and the SNI sent), when the endpoint's host is not that name. */
    serverName?: string;
}

export interface SearchClientOptions {
    /** Per-request timeout cap for ordinary calls (long-polls add their own wait). Default 30 s. */
    requestTimeoutMs?: number;
    /** Value of master_timeout / cluster_manager_timeout. Default "30s". */
    masterTimeout?: string;
    /** Epoch ms at which the command's own timeout runs out: bounds every request (see requestBudget). */
    deadline?: number;
    /** Verification of an https endpoint (see the header); https without it is verified against the system store. */
    tls?: SearchTls;
}

export class SearchClient implements SearchApi {
    private readonly base: string;
    private readonly authorization: string | undefined;
    private readonly requestTimeoutMs: number;
    private readonly masterTimeout: string;
    private readonly deadline: number | undefined;
    private readonly tlsOptions: https.RequestOptions;
    private engine: EngineInfo | undefined;

    /** `endpoint` like `http://127.0.0.1:9200`; `https://user:pass@host:9200` becomes a Basic header. */
    constructor(endpoint: string, options: SearchClientOptions = {}) {
        let url: URL;
        try {
            url = new URL(endpoint);
        } catch {
            throw new OpsFailure("usage", `search endpoint is not a URL: ${redactEndpoint(endpoint)} (expected http(s)://[user:pass@]host:port)`);
        }
        if (url.protocol !== "http:" && url.protocol !== "https:")
            throw new OpsFailure("usage", `search endpoint must be http(s): ${redactEndpoint(endpoint)}`);
        if (url.username || url.password) {
            const user = decodeURIComponent(url.username);
            const pass = decodeURIComponent(url.password);
            this.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
            url.username = "";
            url.password = "";
        }
        this.base = url.toString().replace(/\/+$/, "");
        this.tlsOptions = tlsRequestOptions(url, options.tls ?? {});
        this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
        this.masterTimeout = options.masterTimeout ?? "30s";
        this.deadline = options.deadline;
    }

    /** Where requests go, as errors print it: scheme://host:port (and base path), without credentials. */
    get endpoint(): string {
        return this.base;
    }

    /** `GET /`: distribution and version (cached; decides master_timeout vs cluster_manager_timeout). */
    async info(): Promise<EngineInfo> {
        if (!this.engine) this.engine = await this.read("GET", "/", undefined, parseRootInfo);
        return this.engine;
    }

    async health(wait: HealthWait = {}): Promise<Health> {
        const q = await this.withMasterTimeout({});
        if (wait.waitForStatus) q.wait_for_status = wait.waitForStatus;
        if (wait.waitForNoRelocatingShards) q.wait_for_no_relocating_shards = "true";
        if (wait.waitForNoInitializingShards) q.wait_for_no_initializing_shards = "true";
        const { status, body } = await this.request("GET", "/_cluster/health", undefined, {
            waitSeconds: wait.timeoutSeconds,
            query: (waitSeconds) => query(waitSeconds > 0 ? { ...q, timeout: `${waitSeconds}s` } : q),
            accept408: true,
        });
        return this.parse("GET", "/_cluster/health", () => parseHealth(body, status));
    }

    async shards(): Promise<ShardCopy[]> {
        return this.read("GET", "/_cat/shards?format=json&h=index,shard,prirep,state,node", undefined, parseCatShards);
    }

    async nodes(): Promise<SearchNode[]> {
        const q = await this.withMasterTimeout({});
        return this.read("GET", `/_cluster/state/nodes${query(q)}`, undefined, parseClusterStateNodes);
    }

    async settings(): Promise<ClusterSettings> {
        const q = await this.withMasterTimeout({ flat_settings: "true", include_defaults: "true" });
        return this.read("GET", `/_cluster/settings${query(q)}`, undefined, parseClusterSettings);
    }

    async putSettings(update: SettingsUpdate): Promise<void> {
        const q = await this.withMasterTimeout({ flat_settings: "true" });
        await this.read("PUT", `/_cluster/settings${query(q)}`, update, (b) => {
            if (typeof b !== "object" || b === null || (b as Record<string, unknown>).acknowledged !== true) {
                throw new ModelError("cluster settings update was not acknowledged");
            }
        });
    }

    /** Allocation explain for the copy of index/shard on `currentNode` (name or id), read by `read`. */
    async explainMove(
        copy: { index: string; shard: number; primary: boolean },
        currentNode: string,
        read: (body: unknown) => MoveVerdict = readMoveExplanation,
    ): Promise<MoveVerdict> {
        const body = { index: copy.index, shard: copy.shard, primary: copy.primary, current_node: currentNode };
        return this.read("POST", "/_cluster/allocation/explain", body, read);
    }

    async flush(): Promise<void> {
        await this.read("POST", "/_flush", {}, () => undefined);
    }

    /** Any JSON call; throws SearchApiError on network error or non-2xx. */
    async json(method: string, path: string, body?: unknown): Promise<unknown> {
        return (await this.request(method, path, body, {})).body;
    }

    private async withMasterTimeout(q: Record<string, string>): Promise<Record<string, string>> {
        return { ...q, [masterTimeoutParam(await this.info())]: this.masterTimeout };
    }

    private async read<T>(method: string, path: string, body: unknown, parse: (b: unknown) => T): Promise<T> {
        const res = await this.request(method, path, body, {});
        return this.parse(method, path, () => parse(res.body));
    }

    private parse<T>(method: string, path: string, fn: () => T): T {
        try {
            return fn();
        } catch (e) {
            if (e instanceof ModelError) throw new SearchApiError(method, path.split("?")[0] ?? path, undefined, `unreadable answer: ${e.message}`, this.base);
            throw e;
        }
    }

    /**
     * One request, bounded by requestBudget. `opts.waitSeconds`/`opts.query`: a long-poll, whose query string is built
     * from the server-side wait the budget allows.
     */
    private async request(
        method: string,
        path: string,
        body: unknown,
        opts: { waitSeconds?: number; query?: (waitSeconds: number) => string; accept408?: boolean },
    ): Promise<{ status: number; body: unknown }> {
        const headers: Record<string, string> = { accept: "application/json" };
        if (body !== undefined) headers["content-type"] = "application/json";
        if (this.authorization) headers.authorization = this.authorization;
        const shortPath = path.split("?")[0] ?? path;
        const budget = requestBudget({ now: Date.now(), deadline: this.deadline, capMs: this.requestTimeoutMs, waitSeconds: opts.waitSeconds });
        const fail = (status: number | undefined, detail: string, kind: FailureKind = "api") =>
            new SearchApiError(method, shortPath, status, detail, this.base, kind);
        let res: { status: number; text: string };
        const signal = AbortSignal.timeout(budget.timeoutMs);
        try {
            res = await send(new URL(this.base + path + (opts.query?.(budget.waitSeconds) ?? "")), {
                method,
                headers,
                body: body === undefined ? undefined : JSON.stringify(body),
                signal,
                tls: this.tlsOptions,
            });
        } catch (e) {
            if (signal.aborted) {
                const after = `request timed out after ${(budget.timeoutMs / 1000).toFixed(1)} s`;
                throw budget.byDeadline
                    ? fail(undefined, `${after}: no answer before the command's --timeout ran out`, "timeout")
                    : fail(undefined, `${after}: no answer; is the cluster overloaded, or does --endpoint / $SEARCH_ENDPOINT name a host that drops packets?`);
            }
            if (isTlsVerificationError(e)) throw fail(undefined, `${describeFetchError(e)}: ${tlsAdvice(this.tlsOptions)}`);
            throw fail(undefined, `${describeFetchError(e)}: is the cluster up, and --endpoint / $SEARCH_ENDPOINT right?`);
        }
        const text = res.text;
        const ok = (res.status >= 200 && res.status < 300) || (opts.accept408 === true && res.status === 408);
        if (!ok)
            throw fail(res.status, `${text.slice(0, 500)}${res.status === 401 || res.status === 403 ? " (check the user and password of the endpoint)" : ""}`);
        try {
            return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
        } catch {
            throw fail(res.status, `not JSON: ${text.slice(0, 200)}`);
        }
    }
}

/** One HTTP(S) exchange; rejects on a network or TLS error, an abort, or a connection closed mid-answer. */
function send(
    url: URL,
    o: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal; tls: https.RequestOptions },
): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
        const headers = o.body === undefined ? o.headers : { ...o.headers, "content-length": String(Buffer.byteLength(o.body)) };
        const onAnswer = (res: http.IncomingMessage): void => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("close", () => {
                if (!res.complete) reject(new Error("connection closed before the answer was complete"));
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        };
        const req =
            url.protocol === "https:"
                ? https.request(url, { method: o.method, headers, signal: o.signal, ...o.tls }, onAnswer)
                : http.request(url, { method: o.method, headers, signal: o.signal }, onAnswer);
        req.on("error", reject);
        req.end(o.body);
    });
}

/** node:https options verifying the server as the header says; refuses (usage) TLS settings with plain http. */
function tlsRequestOptions(url: URL, tls: SearchTls): https.RequestOptions {
    const endpoint = `${url.protocol}//${url.host}`;
    if (url.protocol === "http:") {
        if (tls.ca !== undefined || tls.serverName !== undefined) {
            throw new OpsFailure(
                "usage",
                `${endpoint}: $${SEARCH_CA_ENV} or $${SEARCH_TLS_NAME_ENV} is set but the endpoint is plain http: refusing to send the requests (and any password) in clear. Use https://.`,
            );
        }
        return {};
    }
    const options: https.RequestOptions = { minVersion: "TLSv1.2", rejectUnauthorized: true };
    if (tls.ca !== undefined) {
        const blocks = tls.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
        if (blocks.length === 0) throw new OpsFailure("usage", `$${SEARCH_CA_ENV} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
        for (const pem of blocks) {
            try {
                new X509Certificate(pem);
            } catch (e) {
                throw new OpsFailure("usage", `$${SEARCH_CA_ENV} holds a certificate that cannot be read: ${e instanceof Error ? e.message : String(e)}`);
            }
        }
        options.ca = blocks;
    }
    if (tls.serverName !== undefined) {
        if (!/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(tls.serverName)) {
            throw new OpsFailure("usage", `$${SEARCH_TLS_NAME_ENV} ${JSON.stringify(tls.serverName)} is not a DNS name`);
        }
        options.servername = tls.serverName;
    }
    return options;
}

/** A failure to verify the server's certificate (chain or name), as node:tls reports it. */
function isTlsVerificationError(e: unknown): boolean {
    const code = (e as { code?: unknown } | null)?.code;
    return (
        typeof code === "string" &&
        /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_\w+|ERR_SSL_\w+)$/.test(
            code,
        )
    );
}

function tlsAdvice(tls: https.RequestOptions): string {
    const trust = tls.ca !== undefined ? `the CA in $${SEARCH_CA_ENV}` : `the system's CAs (set $${SEARCH_CA_ENV} to the cluster's CA)`;
    const name = tls.servername !== undefined ? `$${SEARCH_TLS_NAME_ENV} (${tls.servername})` : `the endpoint's host (or set $${SEARCH_TLS_NAME_ENV})`;
    return `the server's certificate was not verified: it must be signed by ${trust} and name ${name}; refusing to send anything`;
}

function query(q: Record<string, string>): string {
    const s = new URLSearchParams(q).toString();
    return s ? `?${s}` : "";
}

function describeFetchError(e: unknown): string {
    if (e instanceof Error) {
        const cause = (e as { cause?: unknown }).cause;
        return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
    }
    return String(e);
}
