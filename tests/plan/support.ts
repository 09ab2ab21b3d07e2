/**
 * What the plan tests share: the changes a reviewer sees on pull requests, as edits of the committed
 * prod stack file, and the two evaluations `npm run plan -- --previous` makes (the previous file alone,
 * then the new one with the previous outputs as the deployed stack).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { buildPlan, type PlanDocument } from "../../ops/plan/document";
import { planUpdate, type UpdatePlan } from "../../ops/engine/steps";
import { evaluateStack, type StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, rawFromDoc, stackDoc } from "../support/graph";

export type Doc = { config: Record<string, any> };

/** The pull-request changes the plan is checked on, each an edit of the committed prod stack file. */
export const CHANGES = {
    "search node replacement": (d: Doc) => {
        d.config["dataplat:search"].spotNodes[2].generation = 1;
    },
    "origin add": (d: Doc) => {
        d.config["dataplat:origin"].hashstate["kraken-origin-master05-sjc1"] = { label: "origin4", weight: 15000 };
    },
    "spot budget change": (d: Doc) => {
        d.config["dataplat:spotFleets"].etl.budget = 0.3;
    },
    "platform worker replacement": (d: Doc) => {
        (d.config["dataplat:platform"].hosts as { name: string; generation?: number }[]).find((h) => h.name === "worker-3")!.generation = 1;
    },
    "refused double change": (d: Doc) => {
        d.config["dataplat:search"].masters[0].generation = 1;
        d.config["dataplat:search"].masters[1].generation = 1;
    },
} as const;
export type Change = keyof typeof CHANGES;

export function editedProd(change: Change): Doc {
    const d = deepClone(stackDoc("prod")) as Doc;
    CHANGES[change](d);
    return d;
}

/** The evaluated graphs of an update from `previous` to `next`, the engine's steps between them, and the plan built from them. */
export interface Evaluated {
    readonly previous: StackGraph;
    readonly next: StackGraph;
    readonly update: UpdatePlan;
    readonly doc: PlanDocument;
}

export async function evaluateChange(previous: Doc, next: Doc, stack = "prod"): Promise<Evaluated> {
    const prev = await evaluateStack({ stack, config: rawFromDoc(previous) });
    const nxt = await evaluateStack({ stack, config: rawFromDoc(next), previousOutputs: prev.outputs });
    return { previous: prev, next: nxt, update: planUpdate(prev, nxt), doc: buildPlan({ stack, previous: prev, next: nxt }) };
}

/** Writes a stack document to a temp file (for the CLI); removed by the returned function. */
export function stackFileOf(doc: Doc): { file: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-plan-"));
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(file, stringify(doc));
    return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
