/**
 * Which Kraken the origin cluster runs (`origin.kraken`), and the ring that Kraken computes.
 *
 * - `released` (the default): the Kraken users can install, v0.1.x up to current master. Its origin reads
 *   ring membership from `cluster.static` (a list of `host:port`; lib/hostlist/config.go) and the replica
 *   count from `hashring.max_replica` (lib/hashring/config.go). Every member is a rendezvous node keyed by
 *   its `host:port` string with weight 100 (lib/hashring/ring.go, `_defaultWeight`), placed by the first
 *   4 hex digits of the digest (the shard id). There are no labels and no weights, and no repair endpoint:
 *   Kraken removed origin repair in May 2018, before any release.
 * - `runbook`: the Uber-internal Kraken of 2017-2018 that the runbook describes: a `hashstate:` map of
 *   host -> {label, weight}, placement by label and weight, and `POST /repair` on each origin.
 *
 * Pure: the members, the classification of a change in released Kraken's own model, and its refusals.
 */
import { type Hashstate, type HashstateChange, type HashstateStep, applyStep, classifyChange, describeStep } from "./hashstate";

export const KRAKEN_TARGETS = ["released", "runbook"] as const;
export type KrakenTarget = (typeof KRAKEN_TARGETS)[number];
export const DEFAULT_KRAKEN_TARGET: KrakenTarget = "released";

/** The weight released Kraken gives every ring member (lib/hashring/ring.go). */
export const RELEASED_MEMBER_WEIGHT = 100;

/** A ring member's address as released Kraken keys it: `host:port`, the exact string in `cluster.static`. */
export function memberAddress(host: string, port: number): string {
    return `${host}:${port}`;
}

/** `cluster.static`: every origin's `host:port`, in hashstate order. */
export function clusterStatic(hashstate: Hashstate, port: number): string[] {
    return Object.keys(hashstate).map((h) => memberAddress(h, port));
}

/**
 * The ring the target Kraken computes, as a hashstate keyed by host: the runbook's labels and weights as
 * configured, or released Kraken's members (`host:port`, weight 100). Placement, shard movement and the
 * repair plans all read this, so they follow the Kraken that actually runs.
 */
export function ringHashstate(hashstate: Hashstate, target: KrakenTarget, port: number): Hashstate {
    if (target === "runbook") return hashstate;
    return Object.fromEntries(Object.keys(hashstate).map((h) => [h, { label: memberAddress(h, port), weight: RELEASED_MEMBER_WEIGHT }]));
}

/**
 * A change in released Kraken's model: ring members are hosts, so one update adds a host, removes one, or
 * replaces one (one leaves, one joins in its place in `cluster.static`). Labels and weights are not part of
 * the ring (see releasedRefusals for the settings that only the runbook's Kraken can honour).
 */
export function classifyReleasedChange(prev: Hashstate, next: Hashstate): HashstateChange {
    const removed = Object.keys(prev).filter((h) => next[h] === undefined);
    const added = Object.keys(next).filter((h) => prev[h] === undefined);
    if (removed.length === 0 && added.length === 0) return { kind: "none" };
    const step = (kind: "add" | "remove", host: string, hs: Hashstate): HashstateStep => ({ kind, host, label: hs[host].label, weight: hs[host].weight });
    if (removed.length === 0 && added.length === 1) return step("add", added[0], next);
    if (removed.length === 1 && added.length === 0) return step("remove", removed[0], prev);
    if (removed.length === 1 && added.length === 1) {
        return { kind: "replace-host", from: removed[0], to: added[0], label: next[added[0]].label, weight: next[added[0]].weight };
    }
    // Several hosts at once: the single updates, new capacity first, then the removals.
    const steps: HashstateStep[] = [...added.map((h) => step("add", h, next)), ...removed.map((h) => step("remove", h, prev))];
    let state: Hashstate = prev;
    for (const s of steps) state = applyStep(state, s);
    const reasons = [
        ...(removed.length > 0 ? [`${removed.length} host(s) removed: ${removed.join(", ")}`] : []),
        ...(added.length > 0 ? [`${added.length} host(s) added: ${added.join(", ")}`] : []),
    ];
    const message = [
        `refused: this change of ring members is not a single add, remove or host replacement (${reasons.join("; ")}).`,
        `The runbook: "All the changes to origin configuration should be applied atomically and incrementally".`,
        `Apply it as ${steps.length} separate updates, in this order, each with its own rolling restart and repair before the next:`,
        ...steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`),
    ].join("\n");
    return { kind: "refused", reasons, steps, message };
}

/** The change in the target's own model. */
export function classifyTargetChange(prev: Hashstate, next: Hashstate, target: KrakenTarget): HashstateChange {
    return target === "runbook" ? classifyChange(prev, next) : classifyReleasedChange(prev, next);
}

/**
 * What released Kraken cannot express, as refusals naming the config path, why, and what happens instead:
 * weights that are not uniform (its ring gives every member weight 100 and has no weight setting), and the
 * runbook's "same label, new host" replacement (its ring has no labels: a new host is a new member, so
 * placement does change).
 */
export function releasedRefusals(prev: Hashstate | undefined, next: Hashstate, port: number): string[] {
    const out: string[] = [];
    const weights = [...new Set(Object.values(next).map((n) => n.weight))];
    if (weights.length > 1) {
        out.push(
            `origin.hashstate: weights differ (${Object.entries(next)
                .map(([h, n]) => `${h}: ${n.weight}`)
                .join(", ")}), and origin.kraken is ` +
                `"released": released Kraken gives every ring member weight ${RELEASED_MEMBER_WEIGHT} (lib/hashring/ring.go) and has no setting for ` +
                `weights, so these weights would not be applied and placement would be uniform while this config says otherwise. Nothing is ` +
                `deployed. Give every origin the same weight (${RELEASED_MEMBER_WEIGHT}, Kraken's), or set origin.kraken: runbook for a Kraken ` +
                `that reads the runbook's hashstate weights.`,
        );
    }
    if (prev !== undefined) {
        const change = classifyReleasedChange(prev, next);
        if (change.kind === "replace-host" && prev[change.from].label === next[change.to].label) {
            out.push(
                `origin.hashstate: ${change.to} replaces ${change.from} keeping label ${prev[change.from].label}. In the runbook's Kraken that ` +
                    `keeps placement unchanged and only the new host is repaired; released Kraken (origin.kraken: released) has no labels: its ring ` +
                    `keys members by host:port, so ${memberAddress(change.to, port)} is a new member and every shard that ` +
                    `${memberAddress(change.from, port)} or ${memberAddress(change.to, port)} ranks among its owners changes owners. Nothing is ` +
                    `deployed. To replace the host in released Kraken, give ${change.to} a label of its own (for example its host name): dataplat ` +
                    `then plans it in Kraken's model (${change.from} leaves cluster.static, ${change.to} joins in its place, the blobs of every ` +
                    `changed shard are filled on their new owners from the backend and the stale copies cleaned up). To keep placement, keep the ` +
                    `host name ${change.from} for the new machine instead.`,
            );
        }
    }
    return out;
}
