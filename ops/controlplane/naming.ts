/**
 * The headnode's resource name carries its replacement identity, so a new headnode is a new resource
 * (a new URN), never a replacement of the old one under the same URN.
 *
 * Why: the engine deletes the old copy of a replaced resource at the end of the update, but if the
 * update fails before that, it keeps the old copy in the state as "pending deletion" and deletes it
 * at the START of the next `pulumi up`, before anything else, even if recovery on the new headnode
 * never succeeded. A resource that merely left the program is deleted only at the end of an update
 * in which every create and update succeeded; until then it stays a normal resource in the state.
 * So a failed recovery leaves the old headnode untouched, a re-run retries recovery, and reverting
 * the config brings back the old name (the old headnode, unchanged) and deletes the new one.
 */
import { createHash } from "node:crypto";
import { REPLACING_FIELDS } from "../shared/hosts";
import type { ControlPlaneHost } from "./config";

type Replacing = Pick<ControlPlaneHost, "name" | (typeof REPLACING_FIELDS)[number]>;

/** Hex digits of the hash of the replacing fields other than the generation. */
export const HEADNODE_HASH_LENGTH = 8;

/**
 * `<name>-g<generation>-<hash>`: the hash covers every other replacing field (instance type, image,
 * zone, subnet) as replacementIdentity writes them, so any replacing change gives a new name, and the
 * same fields always give the same name (no randomness, no order dependence).
 */
export function headnodeResourceName(host: Replacing): string {
    const others = REPLACING_FIELDS.filter((f) => f !== "generation")
        .map((f) => `${f}=${String(host[f] ?? "(none)")}`)
        .join(" ");
    const hash = createHash("sha256").update(others).digest("hex").slice(0, HEADNODE_HASH_LENGTH);
    return `${host.name}-g${host.generation}-${hash}`;
}
