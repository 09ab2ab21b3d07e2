/**
 * How a search node gets its JVM heap, and when the program restarts it for that ("Fixing Cluster": a bounce).
 * Pure: no Pulumi import, no I/O, no clock.
 *
 * A node's heap is not in its user data: user data is replacing for the AWS provider (`userDataReplaceOnChange`),
 * and a heap change must restart the node, never replace it. Two user-data formats exist:
 *  - "heap-from-tag" (every node created since this module): the first boot reads the heap from the instance tag
 *    `dataplat-heap` through IMDSv2 (instance metadata tags enabled) and writes it before the engine first starts.
 *    The tag is an in-place change (terraform-provider-aws internal/service/ec2/ec2_instance.go: tags are
 *    transparent tagging, `metadata_options` is ModifyInstanceMetadataOptions; see ops/provider/replacement.ts).
 *    So a new node boots with its configured heap, and nothing restarts it on its first deployment.
 *  - "default-heap" (nodes deployed before): the first boot wrote a default heap (half the memory, at most 31g) and
 *    the node's bounce, created with it, set the configured one. A node deployed that way keeps its user data
 *    byte for byte (a new format would be a new machine, drained and replaced), and keeps its bounce.
 *
 * The bounce Command of a node exists only once the node must be restarted for its heap: when the configured heap
 * differs from the one it booted with. From then on it stays declared for the life of the machine, and each heap
 * change replaces it (its triggers carry the heap), which runs the bounce. Going back to the boot heap is a change
 * like any other: it restarts the node.
 */

/** The instance tag the first boot reads the heap from (IMDS exposes tags whose key has no `/` or space). */
export const HEAP_TAG = "dataplat-heap";

export type UserDataFormat = "default-heap" | "heap-from-tag";

/** What the deployed snapshot recorded about a node's boot (DeployedSearchNode). */
export interface DeployedBoot {
    /** Hash of the node's replacing inputs: equal means the same machine. */
    readonly replacementKey: string;
    /** The heap the machine booted with; absent for "default-heap" machines. */
    readonly bootHeap?: string;
    /** Whether the node's bounce Command was declared. */
    readonly bounce?: boolean;
}

/**
 * The user data a node gets: a deployed "default-heap" machine whose other inputs are unchanged keeps that format
 * (`legacyKey` is the replacement key the node would have under it); everything else boots with its heap.
 */
export function userDataFormat(prev: DeployedBoot | undefined, legacyKey: string): UserDataFormat {
    return prev !== undefined && prev.bootHeap === undefined && prev.replacementKey === legacyKey ? "default-heap" : "heap-from-tag";
}

export interface BootPlan {
    readonly format: UserDataFormat;
    /** The heap the machine booted (or boots) with; undefined for a "default-heap" machine. */
    readonly bootHeap?: string;
    /** Declare the node's bounce Command. */
    readonly bounce: boolean;
}

/**
 * The boot and bounce of a node whose next replacement key is `replacementKey` and configured heap is `heap`.
 * A new machine (no deployed record, or a different key) boots with `heap` and has no bounce.
 */
export function bootPlan(prev: DeployedBoot | undefined, next: { replacementKey: string; heap: string; format: UserDataFormat }): BootPlan {
    if (next.format === "default-heap") return { format: "default-heap", bounce: true };
    if (prev === undefined || prev.replacementKey !== next.replacementKey || prev.bootHeap === undefined) {
        return { format: "heap-from-tag", bootHeap: next.heap, bounce: false };
    }
    return { format: "heap-from-tag", bootHeap: prev.bootHeap, bounce: prev.bounce === true || next.heap !== prev.bootHeap };
}
