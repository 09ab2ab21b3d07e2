/**
 * Least-privilege IAM statements for instance roles, and the check that keeps them so: no `*` action,
 * no `service:*` action (FSBP IAM.1, IAM.21), and `*` resources only for the few read actions that
 * have no resource-level permissions.
 */
export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Actions that AWS only authorizes on Resource "*". */
const RESOURCE_STAR_OK = new Set(["ec2:DescribeInstances", "ec2:DescribeTags", "cloudwatch:PutMetricData"]);

export function leastPrivilegeViolations(statements: readonly PolicyStatement[]): string[] {
    const out: string[] = [];
    statements.forEach((s, i) => {
        const where = s.Sid ?? `statement ${i}`;
        if (s.Effect !== "Allow") return;
        for (const a of s.Action) {
            if (a === "*" || /^[a-z0-9-]+:\*$/i.test(a)) out.push(`${where}: wildcard action '${a}'`);
        }
        if (s.Resource.includes("*") && !s.Action.every((a) => RESOURCE_STAR_OK.has(a))) {
            out.push(`${where}: resource '*' with actions that support resource-level permissions`);
        }
    });
    return out;
}

export type Access = "produce" | "consume" | "read" | "write";

export interface Grant {
    readonly kind: "queue" | "bucket" | "parameter";
    readonly access: Access | "read";
    readonly arn: string;
}

const QUEUE_ACTIONS: Record<string, readonly string[]> = {
    produce: ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
    consume: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"],
};

/** The statements an instance role needs for its grants; one statement per grant, sorted for stable diffs. */
export function statementsFor(grants: readonly Grant[]): PolicyStatement[] {
    const out: PolicyStatement[] = [];
    for (const g of grants) {
        if (g.kind === "queue") {
            const actions = QUEUE_ACTIONS[g.access];
            if (!actions) throw new Error(`queue access must be produce or consume, got ${g.access}`);
            out.push({ Effect: "Allow", Action: actions, Resource: [g.arn] });
        } else if (g.kind === "bucket") {
            if (g.access === "read") {
                out.push({ Effect: "Allow", Action: ["s3:ListBucket"], Resource: [g.arn] });
                out.push({ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${g.arn}/*`] });
            } else if (g.access === "write") {
                out.push({ Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: [`${g.arn}/*`] });
            } else throw new Error(`bucket access must be read or write, got ${g.access}`);
        } else {
            out.push({ Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [g.arn] });
        }
    }
    return out;
}

/** A grant planned from config, before its resource exists: `path` is the config entry that asks for it. */
export interface PlannedGrant extends Grant {
    readonly path: string;
}

/**
 * An ARN of the real shape for a resource that does not exist yet. At preview a queue's, bucket's or
 * parameter's ARN is unknown, so a check of the policy built from it would not run before `pulumi up`
 * is under way; the policy is checked on these stand-ins instead, before any resource is registered.
 * Only the names differ from the real ARNs, and no check here reads names.
 */
/** The ARN of the SSM parameter `name` (with or without its leading `/`). */
export function parameterArn(region: string, account: string, name: string): string {
    return `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, "")}`;
}

export function standInArn(kind: Grant["kind"], name: string, region: string): string {
    const account = "000000000000";
    if (kind === "queue") return `arn:aws:sqs:${region}:${account}:${name}`;
    if (kind === "bucket") return `arn:aws:s3:::${name}`;
    return parameterArn(region, account, name);
}

/**
 * Least-privilege problems of each tier's policy as planned from config (grants with stand-in ARNs),
 * each at the path of the grant that causes it. `statements` is the function the roles' policies are
 * built with (statementsFor), passed in so that the check and the policy cannot drift apart.
 */
export function plannedPolicyProblems(
    grants: Readonly<Record<string, readonly PlannedGrant[]>>,
    statements: (g: readonly Grant[]) => PolicyStatement[],
): { path: string; message: string }[] {
    const out: { path: string; message: string }[] = [];
    for (const [tier, planned] of Object.entries(grants)) {
        for (const g of planned) {
            let violations: string[];
            try {
                violations = leastPrivilegeViolations(statements([{ kind: g.kind, access: g.access, arn: g.arn }]));
            } catch (e) {
                violations = [(e as Error).message];
            }
            if (violations.length > 0) out.push({ path: g.path, message: `the ${tier} tier's policy would not be least-privilege: ${violations.join("; ")}` });
        }
        try {
            const all = leastPrivilegeViolations(statements(planned.map(({ kind, access, arn }) => ({ kind, access, arn }))));
            if (all.length > 0 && !out.some((p) => p.message.startsWith(`the ${tier} tier's`))) {
                out.push({ path: `(${tier} tier)`, message: `the ${tier} tier's policy would not be least-privilege: ${all.join("; ")}` });
            }
        } catch (e) {
            if (!out.some((p) => p.message.startsWith(`the ${tier} tier's`))) out.push({ path: `(${tier} tier)`, message: (e as Error).message });
        }
    }
    return out;
}

/** The resource-policy statement that refuses every request not made over TLS (FSBP S3.5). */
export function denyInsecureTransport<R>(action: string, resource: R) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: resource,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    } as const;
}
