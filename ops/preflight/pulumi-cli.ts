/**
 * The Pulumi CLI the program needs, and the check that the machine running `pulumi up` has it.
 *
 * `replaceWith` (search drains and bounces replaced with their instance) arrived in v3.207.0
 * (pulumi/pulumi#20693): an older engine ignores it and lets a replaced search node go without its drain.
 * The entry point asks the engine (`pulumi.requirePulumiVersion`, stacks/index.ts) and the preflight asks
 * `pulumi version` before the update starts; both read this constant.
 */
import { type CheckLine, fail, pass } from "./check";

export const MINIMUM_PULUMI_CLI = ">=3.207.0";

export interface Version {
    readonly major: number;
    readonly minor: number;
    readonly patch: number;
    /** Dot-separated pre-release identifiers (`alpha.1` -> ["alpha", "1"]); empty for a release. */
    readonly prerelease: readonly string[];
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/;

/** A semantic version as `pulumi version` prints it (`v3.207.0`, `v3.210.1-alpha.17+g1234`), or undefined. */
export function parseVersion(text: string): Version | undefined {
    const m = VERSION.exec(text.trim());
    if (!m) return undefined;
    return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] === undefined ? [] : m[4].split(".") };
}

/** Semantic-version precedence: a pre-release sorts before its release (3.207.0-alpha < 3.207.0). */
export function compareVersions(a: Version, b: Version): number {
    for (const k of ["major", "minor", "patch"] as const) if (a[k] !== b[k]) return a[k] - b[k];
    if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
    for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
        const x = a.prerelease[i];
        const y = b.prerelease[i];
        if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
        if (x === y) continue;
        const nx = /^\d+$/.test(x);
        const ny = /^\d+$/.test(y);
        if (nx && ny) return Number(x) - Number(y);
        if (nx !== ny) return nx ? -1 : 1;
        return x < y ? -1 : 1;
    }
    return 0;
}

/** The version of a `>=X.Y.Z` range (the only form the program uses); throws on any other form. */
export function minimumOf(range: string): Version {
    const m = /^>=\s*(\S+)$/.exec(range.trim());
    const v = m ? parseVersion(m[1]!) : undefined;
    if (!v) throw new RangeError(`expected a range ">=X.Y.Z", got ${JSON.stringify(range)}`);
    return v;
}

/** What running `pulumi version` gave: its stdout, or why it could not run or failed. */
export type PulumiVersionFact = { readonly kind: "printed"; readonly stdout: string } | { readonly kind: "failed"; readonly why: string };

const INSTALL = "install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/; in CI pulumi/actions installs it) and put it on PATH";

export function checkPulumiCli(fact: PulumiVersionFact, range: string = MINIMUM_PULUMI_CLI): CheckLine {
    const name = "pulumi-cli";
    const minimum = minimumOf(range);
    if (fact.kind === "failed") return fail(name, `\`pulumi version\` did not run: ${fact.why}`, INSTALL);
    // The version is the one line of stdout that is a version; anything else cannot be told apart from an error.
    const versions = fact.stdout
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => parseVersion(l) !== undefined);
    if (versions.length !== 1) {
        return fail(
            name,
            `\`pulumi version\` printed no version (${JSON.stringify(fact.stdout.trim().slice(0, 120))})`,
            `check that \`pulumi\` on PATH is the Pulumi CLI; ${INSTALL}`,
        );
    }
    const printed = versions[0]!;
    if (compareVersions(parseVersion(printed)!, minimum) < 0) {
        return fail(
            name,
            `${printed} is older than the program needs (${range}: the search drains rely on \`replaceWith\`)`,
            `upgrade the Pulumi CLI to ${range.replace(/^>=\s*/, "")} or later (\`pulumi/actions\` input pulumi-version, or https://www.pulumi.com/docs/iac/download-install/)`,
        );
    }
    return pass(name, `${printed} (needs ${range})`);
}
