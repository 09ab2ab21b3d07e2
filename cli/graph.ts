/**
 * npm run graph -- --stack <name> [--config FILE]
 *
 * Prints the layered platform of a stack as a Mermaid flowchart: one subgraph per run-book layer,
 * one node per service instance, and one arrow per dependency that the evaluated program actually
 * registered between the services' remote commands (not the dependencies it meant to register).
 * The program is evaluated offline, as `npm run synth` does. Exits 2 when the config is refused or
 * the stack has no platform, 64 on bad usage, 1 on any other error.
 */
import type { Dependency } from "../ops/platform/layers";
import { renderLayerMermaid } from "../ops/platform/mermaid";
import { SERVICE_NAMES, serviceSpec, type ServiceName } from "../ops/platform/services";
import { evaluateStack, type StackGraph } from "../stacks/offline/evaluate";
import { parseStackArgs, runCli, writeStdout } from "./stack-cli";

const USAGE = "usage: npm run graph -- --stack <name> [--config FILE]";
const COMMAND = "command:remote:Command";

class NoPlatform extends Error {}

/** The Mermaid picture of the platform in an evaluated stack graph. */
export function platformMermaid(graph: StackGraph): string {
    const platform = graph.outputs.platform as { serviceCommands?: Record<string, string> } | undefined;
    const byName = platform?.serviceCommands;
    if (byName === undefined || Object.keys(byName).length === 0) throw new NoPlatform(`stack ${graph.stack} has no platform (config key dataplat:platform)`);
    const idOfName = new Map(Object.entries(byName).map(([id, name]) => [name, id]));
    const commands = graph.resources.filter((r) => r.type === COMMAND && idOfName.has(r.name));
    if (commands.length !== idOfName.size) throw new Error(`the program registered ${commands.length} of the ${idOfName.size} service commands it reports`);
    const idOfUrn = new Map(commands.map((r) => [r.urn, idOfName.get(r.name)!]));
    const nodes = [...idOfName.values()].map((id) => {
        const service = id.slice(0, id.indexOf("@"));
        if (!(SERVICE_NAMES as readonly string[]).includes(service)) throw new Error(`unexpected service instance ${id}`);
        return { id, layer: serviceSpec(service as ServiceName).layer };
    });
    const dependencies: Dependency[] = commands.flatMap((r) =>
        r.dependsOn.filter((u) => idOfUrn.has(u)).map((u) => ({ from: idOfUrn.get(r.urn)!, to: idOfUrn.get(u)! })),
    );
    return renderLayerMermaid(nodes, dependencies);
}

async function main(): Promise<number> {
    const args = parseStackArgs(USAGE, {});
    if (typeof args === "number") return args;
    const graph = await evaluateStack({ stack: args.stack, config: args.config });
    await writeStdout(platformMermaid(graph));
    return 0;
}

if (require.main === module) runCli("graph", main, (e) => e instanceof NoPlatform);
