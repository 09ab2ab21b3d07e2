/**
 * Hosts as the platform and the control plane configure them (ops/platform, ops/controlplane): the host
 * schema, what replaces a machine, and where each configured host lands: its image (the host's own, else the stack default) and its
 * subnet (the host's own, which must be one of the stack's subnets in the host's availability zone,
 * else the first stack subnet in that zone). Resolving both before comparing with what is deployed
 * makes a change of a default (hosts.imageId) visible to the guardrails as the replacement of every
 * host that uses it, which is what EC2 will do.
 */
import { z } from "zod";
import type { ConfigProblem } from "../config/errors";
import { strictRecord } from "./zod";

/** The stack's environment, as the guardrails of the platform and the control plane read it. */
export type Environment = "prod" | "staging" | "dev";

/** A host name that is also a DNS label, so it can name resources and appear in `datanode@worker-3`. */
export const hostName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "expected a host name: lower-case letters, digits and '-', starting with a letter");

/** One host of the platform or the control plane: a stable name, replaced when `generation` is bumped. */
export const hostSchema = strictRecord({
    name: hostName,
    instanceType: z.string().min(1, "expected an instance type such as m5.xlarge"),
    image: z.string().min(1, "expected an image id").optional(),
    /** Bump to replace the machine under the same stable name. */
    generation: z.number().int("expected an integer generation").nonnegative("expected a generation >= 0").default(0),
    availabilityZone: z.string().min(1, "expected an availability zone such as us-east-1a"),
    subnet: z.string().min(1, "expected a subnet id").optional(),
});

export type ConfiguredHost = z.output<typeof hostSchema>;

export const sshSchema = strictRecord({
    user: z.string().min(1, "expected an SSH user name").default("ec2-user"),
    port: z.number().int().min(1).max(65535, "expected a TCP port 1-65535").default(22),
});

/** Fields whose change replaces the machine under the same stable name. */
export const REPLACING_FIELDS = ["instanceType", "image", "generation", "availabilityZone", "subnet"] as const;

/**
 * The values of REPLACING_FIELDS as one string: the components put it in the host's user data and in
 * the triggers of the commands on that host, so the machine (and what runs on it) is replaced
 * exactly when the guardrails say it is.
 */
export function replacementIdentity(host: Pick<ConfiguredHost, (typeof REPLACING_FIELDS)[number]>): string {
    return REPLACING_FIELDS.map((f) => `${f}=${String(host[f] ?? "(none)")}`).join(" ");
}

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

export type ResolvedHost<H extends ConfiguredHost = ConfiguredHost> = H & { readonly image: string; readonly subnet: string };

export interface Resolution<H extends ConfiguredHost> {
    readonly hosts: ResolvedHost<H>[];
    /** Each with the path `path(i)` gave the host, e.g. `platform.hosts[2].subnet`. */
    readonly problems: ConfigProblem[];
}

/** Resolve image and subnet of each host; `path(i)` names host i in problems (`hosts[2]`). */
export function resolveHosts<H extends ConfiguredHost>(hosts: readonly H[], defaults: HostDefaults, path: (i: number) => string): Resolution<H> {
    const problems: ConfigProblem[] = [];
    const zones = [...new Set(defaults.subnets.map((s) => s.availabilityZone))].join(", ");
    const resolved = hosts.map((host, i) => {
        let subnet: string | undefined;
        if (host.subnet !== undefined) {
            const given = defaults.subnets.find((s) => s.id === host.subnet);
            if (given === undefined)
                problems.push({
                    path: `${path(i)}.subnet`,
                    message: `${host.subnet} is not one of network.subnets (${defaults.subnets.map((s) => s.id).join(", ")})`,
                });
            else if (given.availabilityZone !== host.availabilityZone)
                problems.push({
                    path: `${path(i)}.subnet`,
                    message: `${host.subnet} is in ${given.availabilityZone}, not in the host's availabilityZone ${host.availabilityZone}`,
                });
            subnet = host.subnet;
        } else {
            subnet = defaults.subnets.find((s) => s.availabilityZone === host.availabilityZone)?.id;
            if (subnet === undefined)
                problems.push({
                    path: `${path(i)}.availabilityZone`,
                    message: `no subnet of network.subnets is in ${host.availabilityZone} (zones: ${zones})`,
                });
        }
        return { ...host, image: host.image ?? defaults.imageId, subnet: subnet ?? "(none)" };
    });
    return { hosts: resolved, problems };
}
