// A node's identity: the hashes that say when its machine is replaced (its replacing inputs), what its resources
// are named from, and when its config changed (its bounce's trigger). Pure.

import { createHash } from "node:crypto";

/** The inputs of a node's instance whose change gives a new machine (EC2 replaces the instance). */
export interface ReplacingInputs {
    image: string;
    instanceType: string;
    subnetId: string;
    spot: boolean;
    rootVolumeGiB: number;
    dataVolumeGiB: number | null;
    /** sha256 of the user data (opensearch.yml, node name and generation included). */
    userData: string;
}

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");

/** sha256 of a node's user data, as recorded in its replacing inputs. */
export const userDataHash = (userData: string): string => sha(userData);

/** Hash of the replacing inputs: changes exactly when the instance is replaced. */
export const replacementKey = (replacing: ReplacingInputs): string => sha(JSON.stringify(replacing)).slice(0, 16);

/** `<nodeName>-<first 8 of replacementKey>`: what a node's resources are named from (SearchNodeSpec.identity). */
export const nodeIdentity = (nodeName: string, key: string): string => `${nodeName}-${key.slice(0, 8)}`;

/** Hash of the rendered config and heap: the bounce's trigger. */
export const configKey = (yml: string, heap: string): string => sha(`${yml}\n# heap ${heap}\n`).slice(0, 16);

/** Names of the replacing inputs that differ between two records (for refusal messages and the plan). */
export function replacingDifferences(before: ReplacingInputs, after: ReplacingInputs): string[] {
    const label: Record<keyof ReplacingInputs, string> = {
        image: "image",
        instanceType: "instanceType",
        subnetId: "subnet",
        spot: "spot/on-demand",
        rootVolumeGiB: "rootVolumeGiB",
        dataVolumeGiB: "volumeSizeGiB",
        userData: "opensearch.yml (generation, zone or cluster-wide settings)",
    };
    return (Object.keys(label) as (keyof ReplacingInputs)[]).filter((k) => before[k] !== after[k]).map((k) => label[k]);
}
