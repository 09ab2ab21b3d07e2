/**
 * The platform section (Koverse run book, "Distributed System Operations"): each service's state per layer, and
 * the run book's order: "Total System Startup" goes bottom-up (coordination, data storage, data services,
 * application), so a layer that runs while a layer below it is down is a fault, whatever each service says.
 * A layer is down when one of its non-worker services (a NameNode, a ZooKeeper...) is not active; a lost worker
 * (a DataNode, a tablet server) is a warning: "one instance can be lost and the rest take over its workload".
 */
import type { Answer } from "./answer";
import { fault, type Finding, ok, unknown, warn } from "./findings";
import type { ServiceInstance } from "../platform/layers";
import { LAYERS, serviceSpec } from "../platform/services";

export interface PlatformFacts {
    readonly instances: readonly (ServiceInstance & { readonly unit: string })[];
    /** Per host, unit -> `systemctl is-active` state, or why the host could not be asked. */
    readonly states: ReadonlyMap<string, Answer<ReadonlyMap<string, string>>>;
}

const P = "platform" as const;
const layerTitle = (n: number) => LAYERS.find((l) => l.number === n)!.title;

export function checkPlatform(f: PlatformFacts): Finding[] {
    const out: Finding[] = [];
    const state = new Map<string, string | undefined>();
    for (const i of f.instances) {
        const host = f.states.get(i.host);
        const s = host?.ok ? host.value.get(i.unit) : undefined;
        state.set(i.id, s);
        const title = `${serviceSpec(i.service).title} (${i.unit})`;
        if (host === undefined || !host.ok)
            out.push(
                unknown(
                    P,
                    `layer ${i.layer}`,
                    i.id,
                    `${title}: ${host && !host.ok ? host.why : "not asked"}`,
                    "check that the host runs and that SSH reaches it with the stack's key (`npm run preflight`)",
                ),
            );
        else if (s === "active") out.push(ok(P, `layer ${i.layer}`, i.id, `${title} active`));
        else if (serviceSpec(i.service).worker)
            out.push(
                warn(
                    P,
                    `layer ${i.layer}`,
                    i.id,
                    `${title} ${s ?? "not reported"}: a worker, the others take over its work`,
                    `start it (\`sudo systemctl start ${i.unit}\` on ${i.host}) and read its journal`,
                ),
            );
        else
            out.push(
                fault(
                    P,
                    `layer ${i.layer}`,
                    i.id,
                    `${title} ${s ?? "not reported"}`,
                    `start it (\`sudo systemctl start ${i.unit}\` on ${i.host}) once the layers below it run, and read its journal`,
                ),
            );
    }
    // The run book's order: no layer runs on top of a layer that is down.
    const layers = [...new Set(f.instances.map((i) => i.layer))].sort();
    const down = (n: number) =>
        f.instances.filter((i) => i.layer === n && !serviceSpec(i.service).worker && state.get(i.id) !== undefined && state.get(i.id) !== "active");
    const running = (n: number) => f.instances.filter((i) => i.layer === n && state.get(i.id) === "active");
    for (const upper of layers) {
        const below = layers.filter((l) => l < upper && down(l).length > 0);
        if (below.length === 0 || running(upper).length === 0) continue;
        const lowest = below[0]!;
        out.push(
            fault(
                P,
                "order",
                `layer ${upper}`,
                `${layerTitle(upper)} runs (${running(upper)
                    .map((i) => i.id)
                    .join(", ")}) while ${layerTitle(lowest)} below it is down (${down(lowest)
                    .map((i) => i.id)
                    .join(", ")})`,
                `the run book's order: stop from the top down to ${layerTitle(lowest)}, start it, then start each layer above in turn (\`pulumi up\` does this in order)`,
            ),
        );
    }
    return out;
}
