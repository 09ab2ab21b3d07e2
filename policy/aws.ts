/**
 * Reading AWS resource properties the way the controls do: policy documents (JSON text or objects),
 * public principals, open CIDR ranges and security-group ingress in its three Pulumi shapes. Pure.
 */

export interface Statement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Principal?: unknown;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document given as JSON text or as an object; none when it cannot be read. */
export function statementsOf(policy: unknown): Statement[] {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return [];
        }
    }
    const s = (doc as { Statement?: unknown } | undefined)?.Statement;
    return (Array.isArray(s) ? s : s ? [s] : []) as Statement[];
}

export const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** `*`, `{AWS: "*"}` or `{AWS: ["*"]}`: anyone. */
export function isPublicPrincipal(p: unknown): boolean {
    if (p === "*") return true;
    const aws = (p as { AWS?: unknown } | undefined)?.AWS;
    return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

/** Condition keys that restrict a public principal to known callers (as Security Hub reads them). */
const RESTRICTING_KEYS = [
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:sourceip",
];
export function isRestricted(s: Statement): boolean {
    return Object.values(s.Condition ?? {}).some((kv) => Object.keys(kv).some((k) => RESTRICTING_KEYS.includes(k.toLowerCase())));
}

/** An Allow statement any caller may use. */
export const allowsPublic = (s: Statement): boolean => s.Effect === "Allow" && isPublicPrincipal(s.Principal) && !isRestricted(s);

/** Whether an action pattern of a statement grants `action` (IAM wildcards `*` and `?`). */
export function grants(pattern: string, action: string): boolean {
    const re = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return re.test(action);
}

export const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

/** One ingress permission, whatever resource declared it. */
export interface Ingress {
    /** "-1" for every protocol. */
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    readonly cidrs: string[];
}

const portsOf = (protocol: string, from: unknown, to: unknown): { from: number; to: number } =>
    protocol === "-1" || protocol === "all" ? { from: 0, to: 65535 } : { from: Number(from ?? 0), to: Number(to ?? 65535) };
const proto = (p: unknown): string => (String(p ?? "-1").toLowerCase() === "all" ? "-1" : String(p ?? "-1").toLowerCase());

/** The ingress permissions of a SecurityGroupIngressRule (vpc), SecurityGroupRule (type ingress) or SecurityGroup (inline). */
export function ingressOf(type: string, props: Record<string, any>): Ingress[] {
    if (type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
        const protocol = proto(props.ipProtocol);
        return [
            {
                protocol,
                ...portsOf(protocol, props.fromPort, props.toPort),
                cidrs: [props.cidrIpv4, props.cidrIpv6].filter((c): c is string => typeof c === "string"),
            },
        ];
    }
    const rules: Record<string, any>[] =
        type === "aws:ec2/securityGroupRule:SecurityGroupRule"
            ? props.type === "ingress"
                ? [props]
                : []
            : type === "aws:ec2/securityGroup:SecurityGroup"
              ? (props.ingress ?? [])
              : [];
    return rules.map((r) => {
        const protocol = proto(r.protocol);
        return { protocol, ...portsOf(protocol, r.fromPort, r.toPort), cidrs: [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])] };
    });
}

export const INGRESS_TYPES = [
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:ec2/securityGroup:SecurityGroup",
];

/** IAM policy documents, by the resource types that carry one in `policy`. */
export const IAM_POLICY_TYPES = ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];

/** Bucket types (Bucket and its deprecated BucketV2 alias). */
export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** Truthy as the provider reads it: launch templates carry booleans as strings ("true"). */
export const isTrue = (v: unknown): boolean => v === true || v === "true";
export const isFalse = (v: unknown): boolean => v === false || v === "false";
