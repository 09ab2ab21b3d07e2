// What one update of the search cluster runs, in the order the engine runs it (joins, bounces, drains, terminations),
// as the operator reads it before `pulumi up`, and the one decision about a drain's order that both this plan and
// the component's drain commands follow. Pure.

import type { NodeChanges } from "./changes";
import type { SearchNodeRole } from "./nodes";
import type { SearchClusterConfig } from "./schema";
import type { DeployedSearch } from "./snapshot";
import type { SearchNodeSpec } from "./specs";

/**
 * The zone a drain of this node excludes before the node itself ("Ensure all nodes are reliable": the spot zone
 * first). With zone awareness every shard already has a copy in the backup zone and a spot copy may not move there,
 * so a spot node is drained alone: undefined.
 */
export function drainSpotZone(role: SearchNodeRole | undefined, zones: SearchClusterConfig["zones"]): string | undefined {
    return role === "spot" && zones.awareness ? undefined : zones.spot;
}

export interface SearchUpdateSteps {
    /** "initial deployment", "update" or "none". */
    readonly change: string;
    readonly steps: string[];
}

/** The drains and bounces this update runs, in the order the engine runs them. */
export function searchUpdateSteps(
    prev: DeployedSearch | undefined,
    next: readonly SearchNodeSpec[],
    changes: NodeChanges,
    c: SearchClusterConfig,
): SearchUpdateSteps {
    const endpoint = next.find((n) => n.endpoint)!;
    const steps: string[] = [];
    if (!prev || changes.joining.includes(endpoint)) steps.push(`ready: wait until the cluster answers through ${endpoint.nodeName} (at least yellow)`);
    for (const n of changes.joining) {
        steps.push(
            `join ${n.nodeName}: create the ${n.role} node (${n.instanceType}${n.spot ? ", spot" : ""}), booting with heap ${n.heap}, and wait until it is in the cluster`,
        );
    }
    for (const { spec, why } of changes.bounced) {
        steps.push(
            spec.endpoint
                ? `bounce ${spec.nodeName} (${why}): restart it (the admin endpoint) and wait until the cluster answers through it`
                : `bounce ${spec.nodeName} (${why}): allocation primaries, restart, wait until it rejoins, allocation restored, wait green`,
        );
    }
    const nodeDrain = prev?.config.decommission !== true;
    for (const l of [...changes.leavingData].reverse()) {
        const zones = prev!.config.zones;
        const spotZone = drainSpotZone(prev!.nodes.find((n) => n.name === l.name)?.role, zones);
        const spotFirst = spotZone === undefined ? "" : `exclude ${zones.attribute}=${spotZone} if the cluster has spot nodes, `;
        if (nodeDrain) {
            steps.push(
                `drain ${l.nodeName} (${l.why}): ${spotFirst}exclude the node, wait until it holds no shard copy (timeout ${prev!.config.timeouts.drainSeconds}s)`,
            );
            steps.push(`terminate ${l.nodeName}`);
            steps.push(`undrain ${l.nodeName}: remove its exclusion, restore ${zones.attribute}=${zones.spot}`);
        } else {
            steps.push(`terminate ${l.nodeName} (${l.why}) without a drain (decommission)`);
        }
    }
    for (const l of changes.leavingOthers) steps.push(`terminate ${l.nodeName} (${l.why})`);
    if (c.decommission && prev?.config.decommission !== true)
        steps.push("decommission: every drain and undrain becomes a no-op for the next removal or pulumi destroy");
    return { change: prev ? (steps.length > 0 ? "update" : "none") : "initial deployment", steps };
}
