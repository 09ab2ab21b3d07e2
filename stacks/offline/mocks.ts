/**
 * Pulumi mocks for the offline synth and the unit tests. Each resource gets deterministic outputs
 * (ids, ARNs, URLs, private IPs) derived from a hash of its type and name. Those outputs double as
 * taint marks: when one resource's mock output shows up in another's inputs, the second depends on
 * the first through its inputs. Pulumi's mocks do not expose dependencies, and Output's resource
 * list is SDK-internal, so this is how implied dependencies are recovered with public APIs only.
 *
 * Preview mode (`preview: true`, with `setMocks(..., preview = true)`) answers as a first real
 * `pulumi preview` does: a resource to be created has no id yet, and everything its provider computes
 * (ids, ARNs, URLs, private IPs and DNS names, generated names, random results, launch template
 * versions, command output) is unknown. The mock returns only the inputs, echoed back: in a dry run
 * the SDK resolves every output property the monitor did not return as unknown, and an empty id as an
 * unknown id (@pulumi/pulumi runtime/rpc.js `resolveProperties`, runtime/resource.js
 * `resolveOutputs` and `registerResource`), so `apply()` callbacks on them do not run, exactly as in a
 * real preview. Inputs that were unknown at registration (another resource's computed output) arrive
 * here as the SDK's `unknown` and go back as unknowns. What stays known: the stack's reference to
 * itself (its outputs are read from the deployed state) and invokes (they run at preview too).
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";

export interface MockedResource {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
    /** Output values that identify this resource (ids, ARNs, URLs, IPs, generated names). */
    readonly marks: string[];
}

function hex(seed: string, n: number): string {
    let out = "";
    for (let i = 0; out.length < n; i++) out += crypto.createHash("sha256").update(`${seed}#${i}`).digest("hex");
    return out.slice(0, n);
}

/** 10.1xx.1xx.1xx: fixed width, so no mock IP is a prefix of another. */
function privateIp(seed: string): string {
    const h = crypto.createHash("sha256").update(seed).digest();
    return `10.${100 + (h[0] % 155)}.${100 + (h[1] % 155)}.${100 + (h[2] % 155)}`;
}

const ID_PREFIX: Record<string, string> = {
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/fleet:Fleet": "fleet-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
};

/** One registerResource or readResource the mock monitor received. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
}

export class OfflineMocks implements pulumi.runtime.Mocks {
    readonly resources: MockedResource[] = [];

    constructor(
        private readonly opts: {
            region: string;
            previousOutputs?: Record<string, unknown>;
            /** Private IPs to give instances by resource name (tests point commands at loopback stand-ins). */
            privateIps?: Readonly<Record<string, string>>;
            /** Answer as a first real `pulumi preview`: every provider-computed output unknown (see above). */
            preview?: boolean;
            /** Called for every resource registered or read, in the order the monitor receives them. */
            onRegister?: (r: Registration) => void;
        },
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const seed = `${args.type}::${args.name}`;
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        this.opts.onRegister?.({ type: args.type, name: args.name, custom: args.custom ?? false });
        if (this.opts.preview && args.type !== "pulumi:pulumi:StackReference") {
            // Nothing exists yet: no id, no computed output, no mark (an unknown value marks nothing).
            this.resources.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs, marks: [] });
            return { id: undefined, state: { ...inputs } };
        }
        const region = this.opts.region;
        const acct = MOCK_ACCOUNT_ID;
        const marks: string[] = [];
        const state: Record<string, unknown> = { ...inputs };
        let id: string | undefined = `${ID_PREFIX[args.type] ?? "mock-"}${hex(seed, 17)}`;
        const generatedName = `${args.name}-${hex(seed, 7)}`;

        switch (args.type) {
            case "pulumi:pulumi:StackReference":
                id = String(inputs.name ?? args.name);
                state.outputs = this.opts.previousOutputs ?? {};
                state.secretOutputNames = [];
                break;
            case "aws:s3/bucket:Bucket": {
                const bucket = String(inputs.bucket ?? generatedName);
                id = bucket;
                state.bucket = bucket;
                state.arn = `arn:aws:s3:::${bucket}`;
                break;
            }
            case "aws:sqs/queue:Queue": {
                const qname = String(inputs.name ?? generatedName);
                state.name = qname;
                state.arn = `arn:aws:sqs:${region}:${acct}:${qname}`;
                state.url = `https://sqs.${region}.amazonaws.com/${acct}/${qname}`;
                id = state.url as string;
                marks.push(qname);
                break;
            }
            case "aws:iam/role:Role":
            case "aws:iam/instanceProfile:InstanceProfile": {
                const n = String(inputs.name ?? generatedName);
                id = n;
                state.name = n;
                state.arn = `arn:aws:iam::${acct}:${args.type.includes("role") ? "role" : "instance-profile"}/${n}`;
                break;
            }
            case "aws:sns/topic:Topic":
                state.name = String(inputs.name ?? generatedName);
                state.arn = `arn:aws:sns:${region}:${acct}:${state.name}`;
                id = state.arn as string;
                break;
            case "aws:ec2/instance:Instance":
                state.privateIp = this.opts.privateIps?.[args.name] ?? privateIp(seed);
                state.privateDns = `ip-${(state.privateIp as string).replace(/\./g, "-")}.${region}.compute.internal`;
                marks.push(state.privateIp as string, state.privateDns as string);
                break;
            // @pulumi/tls computes its PEMs; offline they are recognisable placeholders (no key is ever generated here).
            case "tls:index/privateKey:PrivateKey":
                state.privateKeyPem = `-----BEGIN PRIVATE KEY-----\nmock-${hex(seed, 32)}\n-----END PRIVATE KEY-----\n`;
                state.publicKeyPem = `-----BEGIN PUBLIC KEY-----\nmock-${hex(seed, 32)}\n-----END PUBLIC KEY-----\n`;
                break;
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                state.certPem = `-----BEGIN CERTIFICATE-----\nmock-${hex(seed, 32)}\n-----END CERTIFICATE-----\n`;
                break;
            case "tls:index/certRequest:CertRequest":
                state.certRequestPem = `-----BEGIN CERTIFICATE REQUEST-----\nmock-${hex(seed, 32)}\n-----END CERTIFICATE REQUEST-----\n`;
                break;
            case "aws:ec2/launchTemplate:LaunchTemplate":
                state.latestVersion = 1;
                state.defaultVersion = 1;
                break;
            case "random:index/randomId:RandomId":
                state.hex = hex(seed, 2 * Number(inputs.byteLength ?? 4));
                state.b64Url = Buffer.from(state.hex as string, "hex").toString("base64url");
                marks.push(state.hex as string);
                break;
            case "random:index/randomPassword:RandomPassword":
                state.result = `offline-${hex(seed, 24)}`;
                marks.push(state.result as string);
                break;
            default:
                break;
        }
        if (state.arn === undefined && args.custom) state.arn = `arn:aws:mock:${region}:${acct}:${args.type.split(":")[1] ?? "resource"}/${id}`;
        // A StackReference's id is a stack name ("prod" on a self-managed backend): a word that appears in tags and
        // names everywhere, not an output anyone's inputs can depend on. It marks nothing.
        const reference = args.type === "pulumi:pulumi:StackReference";
        if (id) marks.push(id);
        if (typeof state.arn === "string") marks.push(state.arn);
        if (typeof state.url === "string") marks.push(state.url);
        this.resources.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs, marks: reference ? [] : [...new Set(marks)] });
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`, userId: "OFFLINE", id: MOCK_ACCOUNT_ID };
            case "aws:index/getRegion:getRegion":
                return { name: this.opts.region, id: this.opts.region, region: this.opts.region };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            default:
                throw new Error(`offline synth has no answer for invoke ${args.token}`);
        }
    }
}
