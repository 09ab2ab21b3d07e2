/**
 * Evaluates the real program under Pulumi's mock runtime, without the CLI or a cloud, and returns the
 * resource graph it registered. Used by `npm run synth` and by the tests.
 */
import * as pulumi from "@pulumi/pulumi";
import { program } from "../program";
import { OfflineMocks } from "./mocks";
import { Recorder } from "./recorder";
import { RawStackConfig } from "./stackfile";

export const PROJECT = "dataplat";

export interface GraphResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** Explicit dependsOn, plus dependencies implied by inputs (a mock output of another resource in this one's inputs). */
    readonly dependsOn: string[];
    readonly explicitDependsOn: string[];
    readonly inputs: Record<string, unknown>;
    readonly options: { protect?: true; deleteBeforeReplace?: true; replaceOnChanges?: string[]; ignoreChanges?: string[]; retainOnDelete?: true };
}

export interface StackGraph {
    readonly stack: string;
    readonly resources: GraphResource[];
    readonly outputs: Record<string, unknown>;
}

export interface EvaluateOptions {
    readonly stack: string;
    readonly config: RawStackConfig;
    /** The deployed stack's config: evaluated first, its outputs answer the program's StackReference to itself. */
    readonly previous?: RawStackConfig;
    /** Private IPs for instances by resource name (tests only: loopback stand-ins). */
    readonly privateIps?: Readonly<Record<string, string>>;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Secret values never reach the synth output. */
function redact(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(redact);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[pulumiSigKey] === SECRET_SIG) return "[secret]";
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, redact(x)]));
    }
    return v;
}
const pulumiSigKey = "4dabf18193072939515e22adb298388d";

function collectStrings(v: unknown, out: string[]): void {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, out));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => collectStrings(x, out));
}

function containsMark(haystack: string, mark: string): boolean {
    let i = haystack.indexOf(mark);
    while (i >= 0) {
        const before = i === 0 ? "" : haystack[i - 1];
        const after = haystack[i + mark.length] ?? "";
        if (!/[0-9A-Za-z.]/.test(before) && !/[0-9A-Za-z]/.test(after)) return true;
        i = haystack.indexOf(mark, i + 1);
    }
    return false;
}

/** Pulumi's mock runtime is process-global: evaluations queue behind each other. */
let queue: Promise<unknown> = Promise.resolve();

async function evaluateOnce(stack: string, raw: RawStackConfig, previousOutputs?: Record<string, unknown>, privateIps?: Readonly<Record<string, string>>): Promise<StackGraph> {
    const region = raw.config["aws:region"] ?? "us-east-1";
    const mocks = new OfflineMocks({ region, previousOutputs, privateIps });
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, false, "organization");
    pulumi.runtime.setAllConfig(raw.config, raw.secretKeys);
    const recorder = new Recorder();
    const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(recorder.transformation);
        return program();
    })) as Record<string, unknown>;
    const recorded = await recorder.resolve();
    // Let the runtime finish its outstanding RPCs (the stack's own outputs) before the next evaluation.
    await pulumi.runtime.disconnect();

    const byKey = new Map(mocks.resources.map((r) => [`${r.type}::${r.name}`, r]));
    const urnByKey = new Map(recorded.map((r) => [`${r.type}::${r.name}`, r.urn]));
    const resources: GraphResource[] = recorded.map((r) => {
        const { urn, parent, dependsOn } = r;
        const mocked = byKey.get(`${r.type}::${r.name}`);
        const inputs = (mocked?.inputs ?? {}) as Record<string, unknown>;
        const strings: string[] = [];
        collectStrings(inputs, strings);
        const implied = mocks.resources
            .filter((other) => other !== mocked && other.marks.some((m) => strings.some((s) => containsMark(s, m))))
            .map((other) => urnByKey.get(`${other.type}::${other.name}`))
            .filter((u): u is string => u !== undefined);
        const options: GraphResource["options"] = {
            ...(r.protect ? { protect: true as const } : {}),
            ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true as const } : {}),
            ...(r.replaceOnChanges.length ? { replaceOnChanges: [...r.replaceOnChanges] } : {}),
            ...(r.ignoreChanges.length ? { ignoreChanges: [...r.ignoreChanges] } : {}),
            ...(r.retainOnDelete ? { retainOnDelete: true as const } : {}),
        };
        return {
            urn,
            type: r.type,
            name: r.name,
            ...(parent ? { parent } : {}),
            dependsOn: [...new Set([...dependsOn, ...implied])].sort(),
            explicitDependsOn: [...new Set(dependsOn)].sort(),
            inputs: redact(inputs) as Record<string, unknown>,
            options,
        };
    });
    resources.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { stack, resources, outputs: redact(outputs) as Record<string, unknown> };
}

/**
 * Evaluates a stack. With `previous`, the previous config is evaluated first and its outputs stand for
 * the deployed stack.
 */
export function evaluateStack(opts: EvaluateOptions): Promise<StackGraph> {
    const run = queue.then(async () => {
        const previousOutputs = opts.previous ? (await evaluateOnce(opts.stack, opts.previous)).outputs : undefined;
        return evaluateOnce(opts.stack, opts.config, previousOutputs, opts.privateIps);
    });
    queue = run.catch(() => undefined);
    return run;
}
