/**
 * Child resource names from a stable key of the item they stand for (an address, a CIDR), never from its position
 * in a list: removing the first e-mail or CIDR then leaves every other child as it is (pulumi-eks names its
 * service role's attachments the same way). Pure: no Pulumi import, no I/O.
 */
import { createHash } from "node:crypto";

/**
 * A name fragment for `value`: lowercase letters, digits and single dashes (at most 40 of them), then 6 hex of the
 * value's sha256, so that values differing only in punctuation (`a.b` and `a-b`, `10.0.0.0/8` and `10.0.0.0-8`) never
 * share a name. The same value always gives the same key.
 */
export function stableKey(value: string): string {
    const readable = value
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 40)
        .replace(/-+$/, "");
    const hash = createHash("sha256").update(value).digest("hex").slice(0, 6);
    return readable ? `${readable}-${hash}` : hash;
}

/**
 * The name a child had when children were named by position (`<prefix>-<index>`), for its alias: taking up stable
 * names then renames nothing deployed. Exact when the list is unchanged in the update that takes them up; an
 * alias that names nothing in the state is ignored by the engine.
 */
export function positionalName(prefix: string, list: readonly string[], value: string): string | undefined {
    const i = list.indexOf(value);
    return i < 0 ? undefined : `${prefix}-${i}`;
}
