/**
 * What every rule of the pack shares: its FSBP control (id, text, severity, link), the policy name derived
 * from the control id, and per-resource exemptions read from the pack's config. A rule file holds one
 * control's check as a small pure function of a resource's properties; this file turns it into a CrossGuard
 * policy. No rule reads anything but the resource (or, for the S3 bucket rules, its attached resources).
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

export interface Control {
    /** The Security Hub control id, e.g. `EC2.9`. */
    readonly id: string;
    /** The control's title, as AWS words it. */
    readonly title: string;
    readonly severity: Severity;
    readonly enforcementLevel: EnforcementLevel;
    /** What to change when the rule reports a violation. */
    readonly remediation: string;
}

/** `EC2.9` -> `fsbp-ec2-9`: the policy's name (alphanumerics and hyphens, as every Pulumi tool accepts). */
export const policyName = (id: string): string => `fsbp-${id.toLowerCase().replace(/\./g, "-")}`;

/** One exempted resource: its name (as declared in the program) and why. */
export interface Exemption {
    readonly resource: string;
    readonly reason: string;
}

/** Every rule accepts `exemptions` in the pack's config (`policy/config.ts`, or `--policy-pack-config`). */
const EXEMPTIONS: PolicyConfigSchema["properties"] = {
    exemptions: {
        type: "array",
        description: "Resources this control does not apply to, by name, each with the reason.",
        items: { type: "object", properties: { resource: { type: "string" }, reason: { type: "string" } }, required: ["resource", "reason"] },
        default: [],
    },
};

const SECTIONS: Record<string, string> = { S3: "s3", SQS: "sqs", EC2: "ec2", IAM: "iam" };
const url = (id: string): string =>
    `https://docs.aws.amazon.com/securityhub/latest/userguide/${SECTIONS[id.split(".")[0]] ?? "fsbp"}-controls.html#${id.toLowerCase().replace(".", "-")}`;

function metadata(c: Control, extra?: PolicyConfigSchema) {
    return {
        name: policyName(c.id),
        displayName: `${c.id} ${c.title}`,
        description: `${c.id}: ${c.title}.`,
        enforcementLevel: c.enforcementLevel,
        severity: c.severity,
        remediationSteps: c.remediation,
        url: url(c.id),
        framework: { name: "AWS Foundational Security Best Practices", version: "1.0.0", reference: c.id, specification: c.title },
        configSchema: { properties: { ...EXEMPTIONS, ...(extra?.properties ?? {}) }, ...(extra?.required ? { required: extra.required } : {}) },
    };
}

const exempted = (args: { name: string; getConfig<T extends object>(): T }): boolean =>
    (args.getConfig<{ exemptions?: Exemption[] }>().exemptions ?? []).some((e) => e.resource === args.name);

/** The resource types each rule of this pack looks at (for reports of what a run covered). */
export const APPLIES_TO = new WeakMap<object, readonly string[]>();

/** A check of one resource type: its violations, each a sentence naming what is wrong. */
export type Check<C = Record<string, unknown>> = (props: Record<string, any>, config: C, type: string) => string[];

/** A resource policy from checks per resource type (`aws:ec2/instance:Instance` -> check). */
export function resourceRule<C extends object = Record<string, unknown>>(
    c: Control,
    checks: Readonly<Record<string, Check<C>>>,
    config?: PolicyConfigSchema,
): ResourceValidationPolicy {
    const validateResource: ResourceValidation = (args: ResourceValidationArgs, report: ReportViolation) => {
        const check = checks[args.type];
        if (!check || exempted(args)) return;
        for (const v of check(args.props, args.getConfig<C>(), args.type)) report(`${v}. Fix: ${c.remediation}`);
    };
    const policy: ResourceValidationPolicy = { ...metadata(c, config), validateResource };
    APPLIES_TO.set(policy, Object.keys(checks));
    return policy;
}

/** What a stack rule sees of a resource: its type, name, URN, properties and what it depends on. */
export interface StackResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, any>;
    readonly dependencies: readonly { readonly urn: string }[];
    readonly propertyDependencies: Readonly<Record<string, readonly { readonly urn: string }[]>>;
}

/** A stack policy: `check` returns violations per resource URN. */
export function stackRule(
    c: Control,
    appliesTo: readonly string[],
    check: (resources: readonly StackResource[]) => { urn: string; message: string }[],
): StackValidationPolicy {
    const policy: StackValidationPolicy = {
        ...metadata(c),
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const skip = new Set((args.getConfig<{ exemptions?: Exemption[] }>().exemptions ?? []).map((e) => e.resource));
            const resources = args.resources as unknown as StackResource[];
            const names = new Map(resources.map((r) => [r.urn, r.name]));
            for (const v of check(resources)) if (!skip.has(names.get(v.urn) ?? "")) report(`${v.message}. Fix: ${c.remediation}`, v.urn);
        },
    };
    APPLIES_TO.set(policy, appliesTo);
    return policy;
}
