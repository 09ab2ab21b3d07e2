// The machine each origin runs on, and which config changes would give several origins a new machine in one
// update. Pure.
//
// An origin's instance takes its image from hosts.imageId, its subnet from a stable pick among network.subnets,
// and its type and volumes from the origin section. Which of those the AWS provider replaces is the provider's
// decision (ops/provider/replacement.ts): a new image, subnet or data volume is a new instance with an empty blob
// store, and a change of hosts.imageId, network.subnets or origin.dataVolumeGiB does that to every origin at once.
// The runbook changes origins one at a time (each change rolled out and repaired before the next), so such an
// update is refused unless at most one existing origin is affected.

import { stableSubnetIndex } from "../shared/placement";
import { wouldReplace } from "../provider/replacement";

/** Device of an origin's blob volume. */
export const ORIGIN_DATA_DEVICE = "/dev/sdf";

/** Stable subnet per host name, so adding or removing a host never moves (replaces) another: the same pick as search nodes. */
export const originSubnetIndex = stableSubnetIndex;

/** The inputs of an origin's instance that decide whether the provider replaces it (as Host registers them). */
export interface OriginMachine {
    readonly image: string;
    readonly subnetId: string;
    readonly instanceType: string;
    readonly rootVolumeGiB: number;
    readonly dataVolumeGiB: number;
}

export function originMachines(
    hosts: readonly string[],
    c: { readonly instanceType: string; readonly rootVolumeGiB: number; readonly dataVolumeGiB: number },
    imageId: string,
    subnets: readonly { readonly id: string }[],
): Record<string, OriginMachine> {
    return Object.fromEntries(
        hosts.map((h) => [
            h,
            {
                image: imageId,
                subnetId: subnets[originSubnetIndex(h, subnets.length)]!.id,
                instanceType: c.instanceType,
                rootVolumeGiB: c.rootVolumeGiB,
                dataVolumeGiB: c.dataVolumeGiB,
            },
        ]),
    );
}

/** The machine as the instance's inputs, for the provider's replacement table. */
function asInstanceInputs(m: OriginMachine): Record<string, unknown> {
    return {
        ami: m.image,
        subnetId: m.subnetId,
        instanceType: m.instanceType,
        rootBlockDevice: { volumeSize: m.rootVolumeGiB },
        ebsBlockDevices: [{ deviceName: ORIGIN_DATA_DEVICE, volumeSize: m.dataVolumeGiB }],
    };
}

const CONFIG_PATH: Record<string, string> = {
    ami: "hosts.imageId",
    subnetId: "network.subnets",
    "ebsBlockDevices[0].volumeSize": "origin.dataVolumeGiB",
};

/** Existing origins (in both) that the provider would replace, with the config paths that cause it. */
export function replacedOrigins(
    prev: Readonly<Record<string, OriginMachine>>,
    next: Readonly<Record<string, OriginMachine>>,
): { host: string; because: string[] }[] {
    return Object.keys(next)
        .filter((h) => prev[h] !== undefined)
        .flatMap((h) => {
            const v = wouldReplace("aws:ec2/instance:Instance", asInstanceInputs(prev[h]!), asInstanceInputs(next[h]!));
            return v.replace ? [{ host: h, because: [...new Set(v.changed.flatMap((c) => (CONFIG_PATH[c] ? [CONFIG_PATH[c]!] : [])))] }] : [];
        });
}

/** A refusal when one update would give more than one existing origin a new machine. */
export function machineChangeRefusal(prev: Readonly<Record<string, OriginMachine>>, next: Readonly<Record<string, OriginMachine>>): string | undefined {
    const replaced = replacedOrigins(prev, next);
    if (replaced.length <= 1) return undefined;
    const paths = [...new Set(replaced.flatMap((r) => r.because))];
    return (
        `${paths.join(", ")}: this update would give ${replaced.length} origins a new machine at once (${replaced.map((r) => r.host).join(", ")}), ` +
        `each with an empty blob store, where the runbook changes one origin at a time. Keep the deployed value, and replace origins one per update ` +
        `by removing one from origin.hashstate and adding its successor under a new host name.`
    );
}
