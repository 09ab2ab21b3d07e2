// A minimal Elasticsearch 7 / OpenSearch 1-3 client on Node's fetch, with a timeout on every request.
// Written here rather than taken from @opensearch-project/opensearch or @elastic/elasticsearch because each
// of those speaks one product (the Elastic client refuses to talk to OpenSearch) and we need eight endpoints.
// Every answer goes through a model.ts parser; any network error, non-2xx answer (except the documented 408
// of a cluster-health long-poll) or unreadable body is an OpsFailure("api"): never an empty or drained reading.

import { OpsFailure } from "./failures";
import {
  type ClusterSettings,
  type EngineInfo,
  type Health,
  type HealthStatus,
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
} from "./model";

export interface SearchClientOptions {
  /** Per-request timeout for ordinary calls (long-polls add their own wait). Default 30 s. */
  requestTimeoutMs?: number;
  /** Value of master_timeout / cluster_manager_timeout. Default "30s". */
  masterTimeout?: string;
}

export interface HealthWait {
  waitForStatus?: HealthStatus;
  waitForNoRelocatingShards?: boolean;
  waitForNoInitializingShards?: boolean;
  /** Long-poll duration; the server answers 408 (read as `timedOut`) when the condition is not met by then. */
  timeoutSeconds?: number;
}

export class SearchApiError extends OpsFailure {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super("api", `${method} ${path}${status === undefined ? "" : ` -> HTTP ${status}`}: ${detail}`);
    this.name = "SearchApiError";
  }
}

export class SearchClient {
  private readonly base: string;
  private readonly authorization: string | undefined;
  private readonly requestTimeoutMs: number;
  private readonly masterTimeout: string;
  private engine: EngineInfo | undefined;

  /** `endpoint` like `http://127.0.0.1:9200`; `https://user:pass@host:9200` becomes a Basic header. */
  constructor(endpoint: string, options: SearchClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new OpsFailure("usage", `search endpoint is not a URL: ${redact(endpoint)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new OpsFailure("usage", `search endpoint must be http(s): ${redact(endpoint)}`);
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      this.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
      url.username = "";
      url.password = "";
    }
    this.base = url.toString().replace(/\/+$/, "");
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.masterTimeout = options.masterTimeout ?? "30s";
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
    const waitSeconds = Math.max(0, Math.ceil(wait.timeoutSeconds ?? 0));
    if (waitSeconds > 0) q.timeout = `${waitSeconds}s`;
    const { status, body } = await this.request("GET", `/_cluster/health${query(q)}`, undefined, {
      timeoutMs: this.requestTimeoutMs + waitSeconds * 1000,
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
      if (e instanceof ModelError) throw new SearchApiError(method, path.split("?")[0] ?? path, undefined, `unreadable answer: ${e.message}`);
      throw e;
    }
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    opts: { timeoutMs?: number; accept408?: boolean },
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.authorization) headers.authorization = this.authorization;
    const shortPath = path.split("?")[0] ?? path;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.requestTimeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw new SearchApiError(method, shortPath, undefined, describeFetchError(e));
    }
    const ok = (res.status >= 200 && res.status < 300) || (opts.accept408 === true && res.status === 408);
    if (!ok) throw new SearchApiError(method, shortPath, res.status, text.slice(0, 500));
    try {
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
    } catch {
      throw new SearchApiError(method, shortPath, res.status, `not JSON: ${text.slice(0, 200)}`);
    }
  }
}

function query(q: Record<string, string>): string {
  const s = new URLSearchParams(q).toString();
  return s ? `?${s}` : "";
}

function describeFetchError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError") return "request timed out";
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}

function redact(endpoint: string): string {
  return endpoint.replace(/\/\/[^/@]*@/, "//***@");
}
