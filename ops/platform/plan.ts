/**
 * What one platform update does, as the operator reads it before `pulumi up`: the start order in
 * waves (bottom-up, independent services of a wave start together), the hosts it replaces, adds
 * or removes, and which services it starts, restarts on a new machine, or stops.
 */
import type { PlatformConfig } from "./config";
import { hostChanges } from "./guardrails";
import { layerGraph, startupOrder } from "./layers";
import { serviceCommands } from "./scripts";

export interface PlatformPlan {
  /** Waves of service ids, bottom layer first: what `pulumi up` starts together on a first deployment. */
  readonly startOrder: string[][];
  readonly hosts: { readonly added: string[]; readonly replaced: string[]; readonly removed: string[] };
  readonly services: {
    /** New service instances: started after their dependencies. */
    readonly start: string[];
    /** On a replaced host: started on the new machine; the old machine's copy is stopped at the end of the update, then the old machine is deleted. */
    readonly restartOnNewHost: string[];
    /** The start script changed (e.g. a unit override): it runs again; the unit it started before is not stopped. */
    readonly startAgain: string[];
    /** Removed from the config: stopped at the end of the update, top layer first. */
    readonly stop: string[];
  };
}

export function platformPlan(previous: PlatformConfig | undefined, next: PlatformConfig): PlatformPlan {
  const startOrder = startupOrder(layerGraph(next));
  const nextCommands = serviceCommands(next);
  if (previous === undefined) {
    return {
      startOrder,
      hosts: { added: next.hosts.map((h) => h.name), replaced: [], removed: [] },
      services: { start: nextCommands.map((c) => c.id), restartOnNewHost: [], startAgain: [], stop: [] },
    };
  }
  const changes = hostChanges(previous, next);
  const before = new Map(serviceCommands(previous).map((c) => [c.id, c]));
  const after = new Set(nextCommands.map((c) => c.id));
  const replacedHosts = [...changes].filter(([, c]) => c.kind === "replaced").map(([h, c]) => `${h}: ${c.kind === "replaced" ? c.changes.join(", ") : ""}`);
  const start: string[] = [];
  const restartOnNewHost: string[] = [];
  const startAgain: string[] = [];
  for (const c of nextCommands) {
    const old = before.get(c.id);
    if (old === undefined) start.push(c.id);
    else if (changes.get(c.host)?.kind === "replaced") restartOnNewHost.push(c.id);
    else if (old.create !== c.create) startAgain.push(c.id);
  }
  const stop = [...before.keys()].filter((id) => !after.has(id));
  return {
    startOrder,
    hosts: {
      added: next.hosts.filter((h) => !previous.hosts.some((p) => p.name === h.name)).map((h) => h.name),
      replaced: replacedHosts,
      removed: [...changes].filter(([, c]) => c.kind === "removed").map(([h]) => h),
    },
    services: { start, restartOnNewHost, startAgain, stop },
  };
}
