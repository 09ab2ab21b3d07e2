/**
 * The plan document as text: Markdown for a pull-request comment, plain text for a terminal, JSON for
 * tools. Pure: no Pulumi import, no I/O. The Markdown starts with a hidden marker naming the stack, so a
 * comment can be found and updated per stack (the offline workflow keys its comment on it too).
 */
import type { KindCount, PlanDocument } from "./document";

export type PlanFormat = "md" | "text" | "json";
export const PLAN_FORMATS: readonly PlanFormat[] = ["md", "text", "json"];

/** The hidden first line of a stack's Markdown plan. */
export const commentMarker = (stack: string): string => `<!-- dataplat-plan:${stack} -->`;

const headline = (d: PlanDocument): string =>
    d.change === "refused"
        ? `refused: ${d.refusals.length} refusal${d.refusals.length === 1 ? "" : "s"}, nothing would change`
        : d.change === "initial deployment"
          ? "initial deployment (no previous stack file)"
          : d.change === "no change"
            ? "no change"
            : "update from the previous stack file";

const countCells = (c: KindCount): string[] => [String(c.created), String(c.replaced), String(c.updated), String(c.deleted)];
const total = (rows: readonly KindCount[]): KindCount =>
    rows.reduce(
        (t, r) => ({
            kind: "total",
            created: t.created + r.created,
            replaced: t.replaced + r.replaced,
            updated: t.updated + r.updated,
            deleted: t.deleted + r.deleted,
        }),
        { kind: "total", created: 0, replaced: 0, updated: 0, deleted: 0 },
    );
const countLine = (c: KindCount): string =>
    [c.created && `${c.created} created`, c.replaced && `${c.replaced} replaced`, c.updated && `${c.updated} updated`, c.deleted && `${c.deleted} deleted`]
        .filter(Boolean)
        .join(", ") || "nothing";

/** A section's resource steps on one line: the total, then each kind. */
const resourceLine = (rows: readonly KindCount[]): string =>
    rows.length === 0 ? "no change" : `${countLine(total(rows))} (${rows.map((r) => `${r.kind}: ${countLine(r)}`).join("; ")})`;

/** Program text in Markdown: `<placeholder>` must stay visible, not become an HTML tag. */
const md = (s: string): string => s.replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Markdown cells must not break the table or start markup. */
const cell = (s: string): string => s.replace(/\|/g, "\\|");

export function renderMarkdown(d: PlanDocument): string {
    const out = [commentMarker(d.stack), `## Plan for stack \`${d.stack}\`: ${headline(d)}`, ""];
    if (d.refusals.length > 0) {
        out.push("### Refused", "", "The program refuses this change; nothing would be deployed. Each refusal names its fix:", "");
        for (const r of d.refusals) out.push(`- ${md(r.message)}`);
        out.push("");
    }
    d.sections.forEach((s, i) => {
        out.push(`### ${i + 1}. ${s.title} (${s.change})`, "");
        if (s.steps.length === 0) out.push("No step in this update.", "");
        else out.push(...s.steps.map((step, j) => `${j + 1}. ${md(step)}`), "");
        if (s.notes.length > 0) out.push(...s.notes.map((n) => `- ${md(n)}`), "");
        out.push(`Resources of this section: ${resourceLine(s.resources)}.`, "");
    });
    if (d.change !== "refused") {
        const t = total(d.resources);
        out.push(`### Resources: ${countLine(t)}`, "");
        if (d.resources.length > 0) {
            out.push("| kind | created | replaced | updated | deleted |", "| --- | ---: | ---: | ---: | ---: |");
            for (const r of d.resources) out.push(`| \`${cell(r.kind)}\` | ${countCells(r).join(" | ")} |`);
            out.push("");
        }
        if (d.foundation.length > 0) out.push(`Outside the sections (tiers, queues, buckets, hosts, roles): ${countLine(total(d.foundation))}.`, "");
    }
    return out.join("\n");
}

export function renderText(d: PlanDocument): string {
    const out = [`plan for stack ${d.stack}: ${headline(d)}`, ""];
    if (d.refusals.length > 0) {
        out.push("REFUSED (nothing would be deployed):");
        for (const r of d.refusals) out.push(`  - ${r.message}`);
        out.push("");
    }
    d.sections.forEach((s, i) => {
        out.push(`${i + 1}. ${s.title} (${s.change})`);
        if (s.steps.length === 0) out.push("   no step in this update");
        s.steps.forEach((step, j) => out.push(`   ${j + 1}. ${step}`));
        for (const n of s.notes) out.push(`   - ${n}`);
        out.push(`   resources: ${resourceLine(s.resources)}`, "");
    });
    if (d.change !== "refused") {
        out.push(`resources: ${countLine(total(d.resources))}`);
        const width = Math.max(0, ...d.resources.map((r) => r.kind.length));
        for (const r of d.resources) out.push(`  ${r.kind.padEnd(width)}  ${countLine(r)}`);
        if (d.foundation.length > 0) out.push(`outside the sections: ${countLine(total(d.foundation))}`);
        out.push("");
    }
    return out.join("\n");
}

export function renderPlan(d: PlanDocument, format: PlanFormat): string {
    if (format === "json") return JSON.stringify(d, null, 2) + "\n";
    return format === "md" ? renderMarkdown(d) : renderText(d);
}
