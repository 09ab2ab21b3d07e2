// The narrow interfaces the search runners act through, so that their cleanup paths are tested with fakes
// (tests/runners/) and the whole with a real OpenSearch (tests/search/). As ECK's migration/ asks a ShardLister:
// the runner holds no decision, only calls; the decisions are ops/search predicates over what these return.

import type { ClusterSettings, Health, MoveVerdict, SearchNode, SettingsUpdate, ShardCopy } from "../../ops/search/model";
import type { HealthWait } from "../../ops/search/requests";

/** Reading and writing the cluster's settings: all that excluding a zone needs. */
export interface SettingsApi {
    settings(): Promise<ClusterSettings>;
    putSettings(update: SettingsUpdate): Promise<void>;
}

/** Everything the drain, undrain, bounce and waits call. runners/search/client.ts SearchClient is the real one. */
export interface SearchApi extends SettingsApi {
    health(wait?: HealthWait): Promise<Health>;
    nodes(): Promise<SearchNode[]>;
    shards(): Promise<ShardCopy[]>;
    explainMove(copy: { index: string; shard: number; primary: boolean }, currentNode: string, read?: (body: unknown) => MoveVerdict): Promise<MoveVerdict>;
    flush(): Promise<void>;
    /** Any other request (the drain index, allocation explain, index settings); errors are SearchApiError. */
    json(method: string, path: string, body?: unknown): Promise<unknown>;
}

/** Time as the runners read it: epoch milliseconds, and a sleep (the runner makes it abortable). */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

/** Who holds a drain lock: this host and process, and whether a process of this host is still alive. */
export interface LockOwner {
    readonly host: string;
    readonly pid: number;
    alive(pid: number): boolean;
}

/** Runs a restart command line; resolves to its exit code. */
export type CommandRunner = (command: string, timeoutSeconds: number) => Promise<number>;
