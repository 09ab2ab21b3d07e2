/**
 * Reading `pulumi stack output --json --show-secrets`: what the last update deployed, which the preflight
 * needs to know what the next one will reach (host addresses, the search admin endpoint). A value printed
 * as "[secret]" (outputs read without --show-secrets) cannot be used and is reported as such.
 */

export type StackOutputs = Readonly<Record<string, unknown>>;

export class OutputsError extends Error {}

/** Parses the outputs JSON; throws OutputsError (a usage error) on anything but a JSON object. */
export function readOutputs(text: string): StackOutputs {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e) {
        throw new OutputsError(`the stack outputs are not JSON (${(e as Error).message}): pass \`pulumi stack output --stack NAME --json --show-secrets\``);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new OutputsError("the stack outputs are not a JSON object: pass `pulumi stack output --stack NAME --json --show-secrets`");
    return value as StackOutputs;
}

/** Value at a dotted path of plain objects, or undefined. */
export function outputAt(outputs: StackOutputs, path: readonly string[]): unknown {
    let v: unknown = outputs;
    for (const key of path) {
        if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
        v = (v as Record<string, unknown>)[key];
    }
    return v;
}

/** Pulumi prints secrets as this without --show-secrets. */
export const HIDDEN_SECRET = "[secret]";

/** Whether the last complete update deployed `section` (its snapshot is in the `deployed` output). */
export function sectionDeployed(outputs: StackOutputs, section: string): boolean {
    return outputAt(outputs, ["deployed", section]) !== undefined;
}
