/**
 * Evaluates the real program under Pulumi's mock runtime, without the CLI or a cloud, and returns the
 * resource graph it registered. Used by `npm run synth` and by the tests.
 *
 * Two modes. Known values (the default): every output a provider computes has a deterministic mock
 * value, as after `pulumi up`. Preview (`preview: true`): the runtime runs as a dry run and every
 * provider-computed output is unknown, as in a first real `pulumi preview` (see mocks.ts), so a check
 * placed inside an `apply()` on one of them does not run; the graph still lists every resource with
 * its inputs, unknown values rendered as "[unknown]".
 */
import * as pulumi from "@pulumi/pulumi";
import { program } from "../program";
import { OfflineMocks, Registration } from "./mocks";
import { Recorder } from "./recorder";
import { RawStackConfig } from "./stackfile";

export const PROJECT = "dataplat";

/** How an input or output that is unknown at preview appears in a graph. */
export const UNKNOWN = "[unknown]";

export type { Registration } from "./mocks";

export interface GraphResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** Explicit dependsOn, plus dependencies implied by inputs (a mock output of another resource in this one's inputs). */
    readonly dependsOn: string[];
    readonly explicitDependsOn: string[];
    readonly inputs: Record<string, unknown>;
    readonly options: {
        protect?: true;
        deleteBeforeReplace?: true;
        replaceOnChanges?: string[];
        ignoreChanges?: string[];
        retainOnDelete?: true;
        replaceWith?: string[];
        deletedWith?: string;
        aliases?: string[];
    };
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
    /**
     * The deployed stack's outputs, when already known (a walk over config edits reuses the last step's graph
     * instead of evaluating its config again). Ignored when `previous` is given.
     */
    readonly previousOutputs?: Record<string, unknown>;
    /** Private IPs for instances by resource name (tests only: loopback stand-ins). */
    readonly privateIps?: Readonly<Record<string, string>>;
    /**
     * Evaluate as a first real `pulumi preview`: a dry run whose provider-computed outputs are all
     * unknown. The previous config, if any, is still evaluated with known values (it is what was deployed).
     */
    readonly preview?: boolean;
    /**
     * Called for each resource the evaluation of `config` registers or reads (not those of `previous`),
     * in the order the monitor receives them, also when the program fails: tests count what was
     * registered before an error.
     */
    readonly onRegister?: (r: Registration) => void;
    /**
     * Tests only: show secret inputs as their values instead of "[secret]", to check what a command's secret
     * environment carries. Never set by the synth CLI.
     */
    readonly revealSecrets?: boolean;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Secret values never reach the synth output (unless revealed, in tests); unknown values (preview) appear as UNKNOWN. */
function redact(v: unknown, reveal = false): unknown {
    if (pulumi.isUnknown(v) || v === pulumi.runtime.unknownValue) return UNKNOWN;
    if (Array.isArray(v)) return v.map((x) => redact(x, reveal));
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[pulumiSigKey] === SECRET_SIG) return reveal ? redact(o.value, reveal) : "[secret]";
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, redact(x, reveal)]));
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

interface RunOptions {
    readonly previousOutputs?: Record<string, unknown>;
    readonly privateIps?: Readonly<Record<string, string>>;
    readonly preview?: boolean;
    readonly onRegister?: (r: Registration) => void;
    readonly revealSecrets?: boolean;
}

async function evaluateOnce(stack: string, raw: RawStackConfig, run: RunOptions = {}): Promise<StackGraph> {
    const region = raw.config["aws:region"] ?? "us-east-1";
    const preview = run.preview === true;
    const mocks = new OfflineMocks({ region, previousOutputs: run.previousOutputs, privateIps: run.privateIps, preview, onRegister: run.onRegister });
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, preview, "organization");
    pulumi.runtime.setAllConfig(raw.config, raw.secretKeys);
    const recorder = new Recorder();
    let returned: Record<string, unknown> | undefined;
    let outputs: Record<string, unknown>;
    let recorded: Awaited<ReturnType<Recorder["resolve"]>>;
    try {
        const massaged = (await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation(recorder.transformation);
            returned = await program();
            return returned;
        })) as Record<string, unknown>;
        // At preview, the stack's massaged outputs drop what is unknown; the SDK's own serialization
        // (what it would send the engine) keeps unknowns as unknowns.
        outputs = preview ? await pulumi.runtime.serializeProperties("outputs", returned ?? {}) : massaged;
        recorded = await recorder.resolve();
    } finally {
        // Let the runtime finish its outstanding RPCs (the stack's own outputs, or whatever a failed
        // program had started to register) before the result, and before the next evaluation.
        await pulumi.runtime.disconnect();
    }

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
            ...(r.replaceWith.length ? { replaceWith: [...r.replaceWith].sort() } : {}),
            ...(r.deletedWith ? { deletedWith: r.deletedWith } : {}),
            ...(r.aliasNames.length ? { aliases: [...r.aliasNames] } : {}),
        };
        return {
            urn,
            type: r.type,
            name: r.name,
            ...(parent ? { parent } : {}),
            dependsOn: [...new Set([...dependsOn, ...implied])].sort(),
            explicitDependsOn: [...new Set(dependsOn)].sort(),
            inputs: redact(inputs, run.revealSecrets) as Record<string, unknown>,
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
        const previousOutputs = opts.previous ? (await evaluateOnce(opts.stack, opts.previous)).outputs : opts.previousOutputs;
        return evaluateOnce(opts.stack, opts.config, {
            previousOutputs,
            privateIps: opts.privateIps,
            preview: opts.preview,
            onRegister: opts.onRegister,
            revealSecrets: opts.revealSecrets,
        });
    });
    queue = run.catch(() => undefined);
    return run;
}
