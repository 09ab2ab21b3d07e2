// The pure rules of a search request: how long it may take (the command's deadline), what a health long-poll asks
// for, and the error every failed request is. No I/O: the client that sends requests is runners/search/client.ts.

import { type FailureKind, OpsFailure } from "./failures";
import type { HealthStatus } from "./model";

/** How long a request issued before the deadline may run past it (a long-poll that answers at the deadline). */
export const DEADLINE_SLACK_MS = 1000;
/** Timeout of each request issued after the deadline (cleanup), capped by the request timeout. */
export const AFTER_DEADLINE_MS = 15_000;

export interface RequestBudget {
    /** Client-side timeout of the request. */
    timeoutMs: number;
    /** Server-side long-poll wait to ask for (0: none). */
    waitSeconds: number;
    /** The deadline, not the cap, set the timeout: running out is the command's timeout (exit 4), not an API error. */
    byDeadline: boolean;
}

/**
 * The time a request may take: `capMs` plus the long-poll wait, and with a deadline at most the time left plus
 * DEADLINE_SLACK_MS (the wait cut to the whole seconds left); after the deadline min(capMs, AFTER_DEADLINE_MS), no wait.
 */
export function requestBudget(a: { now: number; deadline?: number; capMs: number; waitSeconds?: number }): RequestBudget {
    const wanted = Math.max(0, Math.ceil(a.waitSeconds ?? 0));
    if (a.deadline === undefined) return { timeoutMs: a.capMs + wanted * 1000, waitSeconds: wanted, byDeadline: false };
    const left = a.deadline - a.now;
    if (left <= 0) return { timeoutMs: Math.min(a.capMs, AFTER_DEADLINE_MS), waitSeconds: 0, byDeadline: false };
    const waitSeconds = Math.min(wanted, Math.floor(left / 1000));
    const full = a.capMs + waitSeconds * 1000;
    const bounded = left + DEADLINE_SLACK_MS;
    return bounded < full ? { timeoutMs: bounded, waitSeconds, byDeadline: true } : { timeoutMs: full, waitSeconds, byDeadline: false };
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
        /** scheme://host:port (and base path) of the cluster, without credentials. */
        readonly endpoint = "",
        kind: FailureKind = "api",
    ) {
        super(kind, `${method} ${endpoint}${path}${status === undefined ? "" : ` -> HTTP ${status}`}: ${detail}`);
        this.name = "SearchApiError";
    }
}
