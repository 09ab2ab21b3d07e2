/**
 * Captures, through a stack transformation (public API), what the program registered for each
 * resource: its URN, parent, explicit dependsOn and resource options. Mocks see inputs but not options.
 * A transformation runs before the resource is registered, so URNs are read afterwards, in resolve().
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly parent?: string;
    readonly dependsOn: string[];
    readonly protect: boolean;
    readonly deleteBeforeReplace: boolean;
    readonly replaceOnChanges: readonly string[];
    readonly ignoreChanges: readonly string[];
    readonly retainOnDelete: boolean;
    /** URNs of the resources whose replacement also replaces this one (engine: replaceWith). */
    readonly replaceWith: string[];
    /** URN of the resource whose deletion skips this one's delete (engine: deletedWith). */
    readonly deletedWith?: string;
    /** Names given as aliases (`{ name }` aliases; renames keep the resource). */
    readonly aliasNames: string[];
}

interface Captured {
    readonly resource: pulumi.Resource;
    readonly type: string;
    readonly name: string;
    readonly opts: pulumi.ResourceOptions;
}

const urnOf = (r: pulumi.Resource): Promise<string> => new Promise((resolve) => (r as unknown as { urn: pulumi.Output<string> }).urn.apply(resolve));

async function resolveDependsOn(d: pulumi.ResourceOptions["dependsOn"]): Promise<string[]> {
    if (d === undefined) return [];
    const value = await new Promise<unknown>((resolve) => (pulumi.output(d as pulumi.Input<unknown>) as pulumi.Output<unknown>).apply(resolve));
    const list = (Array.isArray(value) ? value : [value]).filter((r): r is pulumi.Resource => pulumi.Resource.isInstance(r));
    return Promise.all(list.map(urnOf));
}

export class Recorder {
    private readonly captured: Captured[] = [];

    readonly transformation: pulumi.ResourceTransformation = (args) => {
        this.captured.push({ resource: args.resource, type: args.type, name: args.name, opts: args.opts });
        return undefined;
    };

    /** Resolves every captured resource, including those registered while waiting. */
    async resolve(): Promise<RecordedResource[]> {
        let done: RecordedResource[] = [];
        while (done.length !== this.captured.length) {
            done = await Promise.all(
                this.captured.map(async ({ resource, type, name, opts }) => ({
                    type,
                    name,
                    urn: await urnOf(resource),
                    parent: opts.parent ? await urnOf(opts.parent) : undefined,
                    dependsOn: await resolveDependsOn(opts.dependsOn),
                    protect: opts.protect === true,
                    deleteBeforeReplace: (opts as pulumi.CustomResourceOptions).deleteBeforeReplace === true,
                    replaceOnChanges: opts.replaceOnChanges ?? [],
                    ignoreChanges: opts.ignoreChanges ?? [],
                    retainOnDelete: opts.retainOnDelete === true,
                    replaceWith: await Promise.all((opts.replaceWith ?? []).map(urnOf)),
                    deletedWith: opts.deletedWith ? await urnOf(opts.deletedWith) : undefined,
                    aliasNames: (opts.aliases ?? []).flatMap((a) =>
                        typeof a === "object" && a !== null && typeof (a as pulumi.Alias).name === "string" ? [(a as pulumi.Alias).name as string] : [],
                    ),
                })),
            );
        }
        return done;
    }
}
