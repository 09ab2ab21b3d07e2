// Allocation explain: can a copy on a node that is (or is about to be) excluded move anywhere? Read from recorded
// `_cluster/allocation/explain` answers. Pure.

import { ModelError, asCount, asRecord, asString } from "./responses";

export type MoveDecision = "yes" | "throttled" | "no" | "remains" | "unknown";

export interface MoveVerdict {
    index: string;
    shard: number;
    primary: boolean;
    /** "remains": the exclusion does not apply to this copy (it may stay), so excluding cannot empty the node. */
    decision: MoveDecision;
    reason: string;
}

/**
 * Reads `POST _cluster/allocation/explain` for a copy on an excluded node. `can_remain_on_current_node: "no"`
 * followed by `can_move_to_other_node`; the per-node deciders that said NO become the reason.
 */
export function readMoveExplanation(body: unknown): MoveVerdict {
    const e = asRecord(body, "allocation explain");
    const base = { index: asString(e.index, "explain index"), shard: asCount(e.shard, "explain shard"), primary: e.primary === true };
    const state = typeof e.current_state === "string" ? e.current_state : "";
    if (state === "relocating" || state === "initializing") return { ...base, decision: "yes", reason: `copy is ${state}` };
    if (e.can_remain_on_current_node === "yes") {
        return { ...base, decision: "remains", reason: "allocation deciders let the copy remain on the node (is the exclusion in force?)" };
    }
    if (e.can_remain_on_current_node !== "no") throw new ModelError(`allocation explain for ${base.index}/${base.shard}: no can_remain_on_current_node`);
    const move = e.can_move_to_other_node;
    if (move === "yes" || move === "throttled") return { ...base, decision: move, reason: String(e.move_explanation ?? "") };
    if (move !== "no") throw new ModelError(`allocation explain for ${base.index}/${base.shard}: unreadable can_move_to_other_node ${JSON.stringify(move)}`);
    // OpenSearch 2.x answers can_move_to_other_node "no" when every target is only throttled (recovery limits):
    // the per-node decisions tell a wait from a refusal.
    const nodeDecisions = (Array.isArray(e.node_allocation_decisions) ? e.node_allocation_decisions : []).map((d) =>
        typeof d === "object" && d !== null ? (d as Record<string, unknown>).node_decision : undefined,
    );
    if (nodeDecisions.some((d) => d === "yes" || d === "worse_balance")) return { ...base, decision: "yes", reason: String(e.move_explanation ?? "") };
    if (nodeDecisions.includes("throttled")) return { ...base, decision: "throttled", reason: String(e.move_explanation ?? "") };
    return { ...base, decision: "no", reason: explainRefusals(e) };
}

/**
 * Reads allocation explain for a copy BEFORE its node is excluded, to refuse a drain without moving anything.
 * The answer for a copy that may remain carries, when the cluster evaluated rebalancing, one decision per
 * other node from the same allocation deciders a move would ask. Nodes in `willExclude` (the spot nodes the
 * drain is about to exclude) count as refusing. "unknown" when the answer has no per-node decisions (e.g.
 * rebalancing is disabled or the cluster is not green): the check after the exclusion then decides.
 */
export function readMoveOptionsBeforeExclusion(body: unknown, willExclude: ReadonlySet<string>): MoveVerdict {
    const e = asRecord(body, "allocation explain");
    const base = { index: asString(e.index, "explain index"), shard: asCount(e.shard, "explain shard"), primary: e.primary === true };
    if (e.current_state === "relocating" || e.current_state === "initializing")
        return { ...base, decision: "yes", reason: `copy is ${String(e.current_state)}` };
    if (e.can_remain_on_current_node === "no") return readMoveExplanation(body);
    if (!Array.isArray(e.node_allocation_decisions) || e.node_allocation_decisions.length === 0) {
        return { ...base, decision: "unknown", reason: "no per-node decisions in the answer" };
    }
    const decisions = e.node_allocation_decisions.map((raw, i) => {
        const d = asRecord(raw, `explain node decision ${i}`);
        const name = String(d.node_name ?? d.node_id);
        return { name, decision: willExclude.has(name) ? "no" : String(d.node_decision) };
    });
    if (decisions.some((d) => d.decision === "yes" || d.decision === "worse_balance")) return { ...base, decision: "yes", reason: "" };
    if (decisions.some((d) => d.decision === "throttled")) return { ...base, decision: "throttled", reason: "" };
    const others = e.node_allocation_decisions.filter((raw) => !willExclude.has(String((raw as Record<string, unknown>).node_name)));
    const reasons = [...nodeRefusals(others), ...decisions.filter((d) => willExclude.has(d.name)).map((d) => `${d.name}: excluded by this drain`)];
    return { ...base, decision: "no", reason: `no other node can take it [${reasons.join(" | ")}]` };
}

function explainRefusals(e: Record<string, unknown>): string {
    const parts = nodeRefusals(e.node_allocation_decisions);
    const head = typeof e.move_explanation === "string" ? e.move_explanation : "cannot move to any other node";
    return parts.length ? `${head} [${parts.join(" | ")}]` : head;
}

/** "node: decider: explanation" for each node decision, naming the deciders that said NO. */
function nodeRefusals(decisions: unknown): string[] {
    const parts: string[] = [];
    for (const raw of Array.isArray(decisions) ? decisions : []) {
        if (typeof raw !== "object" || raw === null) continue;
        const d = raw as Record<string, unknown>;
        const deciders = Array.isArray(d.deciders) ? d.deciders : [];
        const no = deciders
            .filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null && (x as Record<string, unknown>).decision === "NO")
            .map((x) => `${String(x.decider)}: ${String(x.explanation)}`);
        parts.push(`${String(d.node_name ?? d.node_id)}: ${no.join("; ") || String(d.node_decision)}`);
    }
    return parts;
}

/** The copies that excluding the node can never move. */
export function unmovable(verdicts: readonly MoveVerdict[]): MoveVerdict[] {
    return verdicts.filter((v) => v.decision === "no" || v.decision === "remains");
}
