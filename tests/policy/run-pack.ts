/**
 * Runs the policy pack's rules without the engine, as the engine's analyzer calls them (@pulumi/policy
 * server.js): each resource policy once per resource with its type, name, URN and properties, each stack
 * policy once with every resource and its dependencies; `getConfig` returns the policy's config over its
 * schema defaults; the enforcement level is the config's, else the policy's. The properties are the
 * resources' inputs as the offline evaluation recorded them (the engine passes inputs to resource
 * policies; these resources' outputs of the same names carry the same values).
 *
 * A run reports the violations, the exemptions that were used (what the rule would have reported
 * without the pack's exemptions) and, per policy, how many resources it looked at.
 */
import type { EnforcementLevel, PolicyPackConfig, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { APPLIES_TO, type Exemption } from "../../policy/control";
import { PACK_CONFIG, POLICIES } from "../../policy/pack";

export interface PackResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly inputs: Record<string, unknown>;
    readonly dependsOn?: readonly string[];
}

export interface Violation {
    readonly policy: string;
    readonly resource: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
}

export interface PackRun {
    readonly violations: Violation[];
    readonly exempted: (Violation & { reason: string })[];
    /** Per policy name: the resources of the types it looks at. */
    readonly checked: Record<string, number>;
}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

function configFor(p: Policy, config: PolicyPackConfig): Record<string, unknown> {
    const defaults = Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).flatMap(([k, v]) => ("default" in v ? [[k, v.default]] : [])));
    const given = config[p.name];
    return { ...defaults, ...(typeof given === "object" ? given : {}) };
}

function levelOf(p: Policy, config: PolicyPackConfig): EnforcementLevel {
    const given = config[p.name];
    return (typeof given === "string" ? given : given?.enforcementLevel) ?? p.enforcementLevel ?? "advisory";
}

const notApplicable = (reason?: string): never => {
    throw new Error(`notApplicable is not used by this pack (${reason})`);
};

async function runOnce(resources: readonly PackResource[], policies: readonly Policy[], config: PolicyPackConfig): Promise<Violation[]> {
    const out: Violation[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const p of policies) {
        const level = levelOf(p, config);
        if (level === "disabled") continue;
        const cfg = configFor(p, config);
        const getConfig = <T extends object>() => cfg as T;
        if ("validateResource" in p && p.validateResource) {
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const r of resources) {
                const report = (message: string) => out.push({ policy: p.name, resource: r.name, message, enforcementLevel: level });
                const args = {
                    type: r.type,
                    props: r.inputs,
                    urn: r.urn,
                    name: r.name,
                    opts: {} as never,
                    stackTags: new Map<string, string>(),
                    isType: () => false,
                    asType: () => undefined,
                    getConfig,
                    notApplicable,
                };
                for (const v of validations) await v(args, report);
            }
        } else if ("validateStack" in p) {
            const stackResources = resources.map((r) => ({
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: r.inputs,
                opts: {} as never,
                dependencies: (r.dependsOn ?? []).flatMap((u) => (byUrn.has(u) ? [{ urn: u }] : [])),
                propertyDependencies: {},
                isType: () => false,
                asType: () => undefined,
            }));
            const report = (message: string, urn?: string) =>
                out.push({ policy: p.name, resource: urn ? (byUrn.get(urn)?.name ?? urn) : "(stack)", message, enforcementLevel: level });
            await p.validateStack({ resources: stackResources as never, stackTags: new Map(), getConfig, notApplicable }, report);
        }
    }
    return out;
}

/** Runs `policies` (default: the pack) with `config` (default: the pack's) over `resources`. */
export async function runPack(
    resources: readonly PackResource[],
    policies: readonly Policy[] = POLICIES,
    config: PolicyPackConfig = PACK_CONFIG,
): Promise<PackRun> {
    const violations = await runOnce(resources, policies, config);
    const withoutExemptions = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "object" ? { ...v, exemptions: [] } : v]));
    const raw = await runOnce(resources, policies, withoutExemptions);
    const key = (v: Violation) => `${v.policy}\u0000${v.resource}\u0000${v.message}`;
    const kept = new Set(violations.map(key));
    const exempted = raw
        .filter((v) => !kept.has(key(v)))
        .map((v) => {
            const list = ((config[v.policy] as { exemptions?: Exemption[] } | undefined)?.exemptions ?? []) as Exemption[];
            return { ...v, reason: list.find((e) => e.resource === v.resource)?.reason ?? "(no reason)" };
        });
    const checked = Object.fromEntries(policies.map((p) => [p.name, resources.filter((r) => (APPLIES_TO.get(p) ?? []).includes(r.type)).length]));
    return { violations, exempted, checked };
}

/** A single resource, for the rule-by-rule tests. */
export const resource = (type: string, inputs: Record<string, unknown>, name = "r", dependsOn: string[] = []): PackResource => ({
    type,
    name,
    urn: `urn:pulumi:test::test::${type}::${name}`,
    inputs,
    dependsOn,
});
