/**
 * Where each configured host lands: its image (the host's own, else the stack default) and its
 * subnet (the host's own, which must be one of the stack's subnets in the host's availability zone,
 * else the first stack subnet in that zone). Resolving both before comparing with what is deployed
 * makes a change of a default (hosts.imageId) visible to the guardrails as the replacement of every
 * host that uses it, which is what EC2 will do.
 */
import type { ConfigProblem } from "../config/errors";
import type { PlatformHost } from "./config";

export interface StackSubnet {
  readonly id: string;
  readonly availabilityZone: string;
}

export interface HostDefaults {
  /** The stack's default image (hosts.imageId). */
  readonly imageId: string;
  /** network.subnets. */
  readonly subnets: readonly StackSubnet[];
}

export type ResolvedHost<H extends PlatformHost = PlatformHost> = H & { readonly image: string; readonly subnet: string };

export interface Resolution<H extends PlatformHost> {
  readonly hosts: ResolvedHost<H>[];
  /** Each with the path `path(i)` gave the host, e.g. `platform.hosts[2].subnet`. */
  readonly problems: ConfigProblem[];
}

/** Resolve image and subnet of each host; `path(i)` names host i in problems (`hosts[2]`). */
export function resolveHosts<H extends PlatformHost>(hosts: readonly H[], defaults: HostDefaults, path: (i: number) => string): Resolution<H> {
  const problems: ConfigProblem[] = [];
  const zones = [...new Set(defaults.subnets.map((s) => s.availabilityZone))].join(", ");
  const resolved = hosts.map((host, i) => {
    let subnet: string | undefined;
    if (host.subnet !== undefined) {
      const given = defaults.subnets.find((s) => s.id === host.subnet);
      if (given === undefined) problems.push({ path: `${path(i)}.subnet`, message: `${host.subnet} is not one of network.subnets (${defaults.subnets.map((s) => s.id).join(", ")})` });
      else if (given.availabilityZone !== host.availabilityZone) problems.push({ path: `${path(i)}.subnet`, message: `${host.subnet} is in ${given.availabilityZone}, not in the host's availabilityZone ${host.availabilityZone}` });
      subnet = host.subnet;
    } else {
      subnet = defaults.subnets.find((s) => s.availabilityZone === host.availabilityZone)?.id;
      if (subnet === undefined) problems.push({ path: `${path(i)}.availabilityZone`, message: `no subnet of network.subnets is in ${host.availabilityZone} (zones: ${zones})` });
    }
    return { ...host, image: host.image ?? defaults.imageId, subnet: subnet ?? "(none)" };
  });
  return { hosts: resolved, problems };
}
