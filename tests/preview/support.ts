// Evaluating stacks in both modes (known values, and preview: a first real `pulumi preview`, every
// provider-computed value unknown) and counting what a failed evaluation registered first.

import { evaluateStack, Registration, StackGraph, UNKNOWN } from "../../stacks/offline/evaluate";
import { RawStackConfig } from "../../stacks/offline/stackfile";
import { rawFromDoc } from "../support/graph";

export type Doc = { config: Record<string, any> };
export const MODES = ["known", "preview"] as const;
export type Mode = (typeof MODES)[number];

/** The root stack resource: the runtime registers it before the program runs. */
const ROOT = "pulumi:pulumi:Stack";
/** The program's reference to its own stack (readDeployed): read first, by design, before any refusal. */
export const SELF_REFERENCE = "pulumi:pulumi:StackReference";

export interface Attempt {
    readonly graph?: StackGraph;
    readonly error?: Error;
    /** What the program registered or read (the root stack resource left out), in order. */
    readonly registered: Registration[];
}

/**
 * Evaluates `config` (raw, or a stack document) in `mode`, recording every registration, and never throws.
 * `previous` is the deployed stack: its document (evaluated first), or its outputs when already known.
 */
export async function attempt(
    config: Doc | RawStackConfig,
    mode: Mode,
    previous?: Doc | { readonly outputs: Record<string, unknown> },
    stack = "prod",
): Promise<Attempt> {
    const registered: Registration[] = [];
    const raw = "secretKeys" in config ? (config as RawStackConfig) : rawFromDoc(config);
    try {
        const graph = await evaluateStack({
            stack,
            config: raw,
            ...(previous === undefined ? {} : "outputs" in previous ? { previousOutputs: previous.outputs } : { previous: rawFromDoc(previous) }),
            preview: mode === "preview",
            onRegister: (r) => {
                if (r.type !== ROOT) registered.push(r);
            },
        });
        return { graph, registered };
    } catch (e) {
        return { error: e as Error, registered };
    }
}

/** Registrations other than the one allowed self-reference: must be none when an error fires first. */
export function beyondSelfReference(registered: readonly Registration[]): Registration[] {
    const refs = registered.filter((r) => r.type === SELF_REFERENCE);
    return [...registered.filter((r) => r.type !== SELF_REFERENCE), ...refs.slice(1)];
}

/** Paths (`a.b[2]`) of every value that is UNKNOWN inside `v`. */
export function unknownPaths(v: unknown, at = ""): string[] {
    if (v === UNKNOWN) return [at];
    if (Array.isArray(v)) return v.flatMap((x, i) => unknownPaths(x, `${at}[${i}]`));
    if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, at ? `${at}.${k}` : k));
    return [];
}

/**
 * Differences between a preview value and the same value with everything known: where the preview
 * knows a value it must be the same; where it does not, the known one may be anything.
 */
export function previewMismatches(preview: unknown, known: unknown, at = ""): string[] {
    if (preview === UNKNOWN) return [];
    if (Array.isArray(preview)) {
        if (!Array.isArray(known) || known.length !== preview.length) return [`${at}: ${JSON.stringify(preview)} vs ${JSON.stringify(known)}`];
        return preview.flatMap((x, i) => previewMismatches(x, known[i], `${at}[${i}]`));
    }
    if (preview && typeof preview === "object") {
        if (!known || typeof known !== "object" || Array.isArray(known)) return [`${at}: object vs ${JSON.stringify(known)}`];
        const keys = [...new Set([...Object.keys(preview), ...Object.keys(known)])];
        return keys.flatMap((k) => previewMismatches((preview as any)[k], (known as any)[k], at ? `${at}.${k}` : k));
    }
    return preview === known ? [] : [`${at}: ${JSON.stringify(preview)} vs ${JSON.stringify(known)}`];
}
