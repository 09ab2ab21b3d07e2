/** Reading the LayeredPlatform back out of an evaluated stack graph. */
import { parsePlatformConfig, type PlatformConfig } from "../../ops/platform/config";
import { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { byUrn } from "../support/graph";

export const COMMAND = "command:remote:Command";
export const INSTANCE = "aws:ec2/instance:Instance";

/** The committed stack file's platform config, parsed (hosts as configured, not resolved). */
export function platformConfigOf(doc: { config: Record<string, any> }): PlatformConfig {
    return parsePlatformConfig(doc.config["dataplat:platform"]);
}

/** Service id -> its remote command, from the names the section reports in its outputs. */
export function serviceCommandsOf(g: StackGraph): Map<string, GraphResource> {
    const names = (g.outputs.platform as { serviceCommands: Record<string, string> }).serviceCommands;
    return new Map(
        Object.entries(names).map(([id, name]) => {
            const r = g.resources.find((x) => x.type === COMMAND && x.name === name);
            if (!r) throw new Error(`no command ${name} for ${id}`);
            return [id, r];
        }),
    );
}

/** The registered (explicit) dependencies between service commands, as service ids. */
export function registeredEdges(g: StackGraph): Map<string, string[]> {
    const commands = serviceCommandsOf(g);
    const idOf = new Map([...commands].map(([id, r]) => [r.urn, id]));
    return new Map([...commands].map(([id, r]) => [id, r.explicitDependsOn.map((u) => idOf.get(u) ?? `(not a service: ${byUrn(g, u).name})`).sort()]));
}

/** `(r.inputs)` of every resource by URN, as JSON text, to compare two evaluations. */
export function inputsByUrn(g: StackGraph): Map<string, string> {
    return new Map(g.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
}

/** Names of the resources whose inputs differ between two graphs of the same resources. */
export function changedResources(before: StackGraph, after: StackGraph): string[] {
    const a = inputsByUrn(before);
    const b = inputsByUrn(after);
    if ([...a.keys()].sort().join() !== [...b.keys()].sort().join()) throw new Error("the two graphs hold different resources");
    return after.resources
        .filter((r) => a.get(r.urn) !== b.get(r.urn))
        .map((r) => `${r.type.split(":").pop()}::${r.name}`)
        .sort();
}
