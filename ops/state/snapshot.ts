/**
 * Reading what the last update recorded (the stack's `deployed` output), fail closed. Pure.
 *
 * `deployed` is `{header: {format, project, stack}, foundation, <section>: <snapshot>...}`. Every
 * change-dependent guardrail compares the new config with a section's snapshot, so a snapshot that
 * cannot be read must never be mistaken for "nothing deployed": that would switch the guardrails off
 * and let one update, say, replace every origin or drain every data node at once. Three outcomes:
 *
 * - first deployment: the stack has no `deployed` output, or it has no entry for the section;
 * - ok: the entry parses with the section's schema (ops/state/schemas.ts);
 * - refused: anything else, with a message that names `deployed.<section>` and what to do.
 */
import type { z } from "zod";

/** Format of the `deployed` output written by this version of dataplat. */
export const SNAPSHOT_FORMAT = 1;
/** Formats this version reads: 0 is the header-less output of dataplat before the header existed. */
export const READABLE_FORMATS: readonly number[] = [0, 1];

export interface SnapshotHeader {
    /** Layout of the whole `deployed` output (SNAPSHOT_FORMAT when written). */
    readonly format: number;
    /**
     * Pulumi project and stack that wrote it: a snapshot imported from another stack is caught by these.
     * No organization: stacks/deployed.ts never resolves the self-reference against another organization
     * (see ops/state/reference.ts), and an organization transfer must not make the snapshot foreign.
     */
    readonly project: string;
    readonly stack: string;
}

export type SnapshotRead<T> = { readonly kind: "first" } | { readonly kind: "ok"; readonly value: T } | { readonly kind: "refused"; readonly message: string };

/** What to do about a snapshot that cannot be read, shared by every refusal. */
export const SNAPSHOT_ADVICE =
    "compare it with `pulumi stack output deployed --show-secrets`; if the stack was last deployed by an older or newer dataplat, " +
    "deploy with that version first (or restore the output from `pulumi stack export`/history) rather than editing the guardrails away";

function describe(error: z.ZodError): string {
    const issue = error.issues[0];
    if (!issue) return "invalid";
    const where = issue.path.length > 0 ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") : "";
    const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
    return `${where ? `at ${where.replace(/^\./, "")}: ` : ""}${issue.message}${more}`;
}

/**
 * Reads one section's snapshot. `previous` is the section's entry of the previous `deployed` output
 * (undefined when the stack never deployed the section).
 */
export function readSnapshot<T>(section: string, schema: z.ZodType<T>, previous: unknown): SnapshotRead<T> {
    if (previous === undefined || previous === null) return { kind: "first" };
    const parsed = schema.safeParse(previous);
    if (parsed.success) return { kind: "ok", value: parsed.data };
    return {
        kind: "refused",
        message:
            `deployed.${section}: the snapshot the last update recorded cannot be read (${describe(parsed.error)}), ` +
            `so the ${section} guardrails cannot compare this change with what runs; nothing was changed. To fix: ${SNAPSHOT_ADVICE}`,
    };
}

/**
 * For define(): the value of a read, undefined on a first deployment. refusals() has already refused
 * an unreadable snapshot before any resource; should define() ever run without it, it throws rather
 * than deploy as if nothing were deployed.
 */
export function snapshotValue<T>(read: SnapshotRead<T>): T | undefined {
    if (read.kind === "refused") throw new Error(`Refused by guardrails, nothing was changed:\n  - ${read.message}`);
    return read.kind === "ok" ? read.value : undefined;
}

/** The header recorded with the `deployed` output of this update. */
export function snapshotHeader(project: string, stack: string): SnapshotHeader {
    return { format: SNAPSHOT_FORMAT, project, stack };
}

export type DeployedRead =
    | { readonly kind: "first" }
    /** `sections` is the output without its header: `foundation` and one entry per deployed section. */
    | { readonly kind: "ok"; readonly format: number; readonly sections: Readonly<Record<string, unknown>> }
    | { readonly kind: "refused"; readonly message: string };

/**
 * Checks the whole `deployed` output before any section reads it: it must be an object, written in a
 * format this version reads, by this project and stack.
 *
 * Compatibility: dataplat before the header wrote the sections alone. A header-less output that has
 * sections is read as format 0 (same section layout) so existing stacks keep working; their next
 * update writes the header. A header-less output without any entry is an empty output: a first deployment.
 */
export function readDeployedOutput(value: unknown, self: { readonly project: string; readonly stack: string }): DeployedRead {
    if (value === undefined || value === null) return { kind: "first" };
    const refuse = (why: string): DeployedRead => ({
        kind: "refused",
        message: `deployed: ${why}; no guardrail can compare this change with what runs, so nothing was changed. To fix: ${SNAPSHOT_ADVICE}`,
    });
    if (typeof value !== "object" || Array.isArray(value)) return refuse(`the stack output is not an object (${JSON.stringify(value)?.slice(0, 80)})`);
    const { header, ...sections } = value as Record<string, unknown>;
    if (header === undefined) {
        return Object.keys(sections).length === 0 ? { kind: "first" } : { kind: "ok", format: 0, sections };
    }
    const h = header as Partial<SnapshotHeader> | null;
    if (h === null || typeof h !== "object" || !Number.isInteger(h.format) || typeof h.project !== "string" || typeof h.stack !== "string") {
        return refuse(`deployed.header is not {format, project, stack} (${JSON.stringify(header)?.slice(0, 120)})`);
    }
    if (!READABLE_FORMATS.includes(h.format!)) {
        return refuse(
            `it was written in format ${h.format} by ${h.format! > SNAPSHOT_FORMAT ? "a newer" : "an unknown"} dataplat; this version reads formats ${READABLE_FORMATS.join(" and ")}`,
        );
    }
    if (h.project !== self.project || h.stack !== self.stack) {
        return {
            kind: "refused",
            message:
                `deployed: the snapshot was written by stack ${h.project}/${h.stack}, not by this stack (${self.project}/${self.stack}); ` +
                `comparing with another stack's snapshot would check this change against machines that are not this stack's, so nothing was changed. ` +
                `Either the state was imported from another stack (\`pulumi stack import\`: import this stack's own export instead), ` +
                `or the stack or project was renamed: then, and only if the snapshot is this stack's, \`pulumi stack export\`, set ` +
                `header.project/header.stack of the root stack's outputs.deployed to ${self.project}/${self.stack}, and \`pulumi stack import\` it`,
        };
    }
    return { kind: "ok", format: h.format!, sections };
}
