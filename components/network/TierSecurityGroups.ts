import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../ops/config/errors";
import { NAMESPACE, Tier, TIERS } from "../../ops/config/schema";
import { positionalName, stableKey } from "../../ops/naming/keys";
import { exposureProblems, ingressRules } from "../../ops/network/tiers";

export interface TierSecurityGroupsArgs {
    /** The VPC the tiers live in. */
    readonly vpcId: pulumi.Input<string>;
    /** The VPC CIDR: egress between tiers is limited to it. */
    readonly vpcCidr: pulumi.Input<string>;
    /** Operators' networks ("ensure your IP is allowed inbound"): SSH and admin access. */
    readonly operatorCidrs: readonly string[];
    /** Open the frontend's 443 to the internet. No other port ever is. */
    readonly frontendPublicHttps: boolean;
}

/**
 * One security group per tier, with the tier-to-tier rules the runbooks need (ops/network/tiers.ts
 * decides them) as separate rule resources, and the VPC's default security group emptied so that
 * nothing can fall back on it (FSBP EC2.2).
 */
export class TierSecurityGroups extends pulumi.ComponentResource {
    /** Security group id per tier. */
    public readonly groupIds: Record<Tier, pulumi.Output<string>>;

    constructor(name: string, args: TierSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Config validation (ops/config/parse.ts) refuses an exposure before any resource; this repeats
        // it as an assert, before this component registers anything, for callers that skip validation.
        const exposed = exposureProblems(args);
        if (exposed.length > 0) throw new ConfigError(exposed, NAMESPACE);
        super("dataplat:network:TierSecurityGroups", name, {}, opts);
        const rules = ingressRules({ frontendPublicHttps: args.frontendPublicHttps });

        new aws.ec2.DefaultSecurityGroup(
            `${name}-vpc-default`,
            { vpcId: args.vpcId, ingress: [], egress: [], tags: { Name: `${name}-unused-default` } },
            { parent: this },
        );

        const groups = {} as Record<Tier, aws.ec2.SecurityGroup>;
        for (const tier of TIERS) {
            groups[tier] = new aws.ec2.SecurityGroup(
                `${name}-${tier}`,
                { vpcId: args.vpcId, description: `dataplat ${tier} tier`, tags: { Name: `${name}-${tier}`, tier } },
                { parent: this },
            );
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-${tier}-egress-https`,
                {
                    securityGroupId: groups[tier].id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                    description: "https: AWS APIs and package mirrors",
                },
                { parent: this },
            );
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-${tier}-egress-vpc`,
                {
                    securityGroupId: groups[tier].id,
                    ipProtocol: "tcp",
                    fromPort: 0,
                    toPort: 65535,
                    cidrIpv4: args.vpcCidr,
                    description: "tier-to-tier traffic inside the VPC (ingress rules decide)",
                },
                { parent: this },
            );
        }

        const seen = new Map<string, number>();
        for (const rule of rules) {
            const sources: { key: string; source: Partial<aws.vpc.SecurityGroupIngressRuleArgs> }[] =
                rule.source.kind === "tier"
                    ? [{ key: `from-${rule.source.tier}`, source: { referencedSecurityGroupId: groups[rule.source.tier].id } }]
                    : rule.source.kind === "internet"
                      ? [
                            { key: "from-internet", source: { cidrIpv4: "0.0.0.0/0" } },
                            { key: "from-internet6", source: { cidrIpv6: "::/0" } },
                        ]
                      : // Named by CIDR (ops/naming/keys.ts), aliased to the positional name dataplat used before.
                        args.operatorCidrs.map((cidr) => ({
                            key: `from-operators-${stableKey(cidr)}`,
                            oldKey: positionalName("from-operators", args.operatorCidrs, cidr),
                            source: cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr },
                        }));
            for (const { key, source, ...rest } of sources) {
                const ports = `${rule.ports.from}${rule.ports.to !== rule.ports.from ? `-${rule.ports.to}` : ""}`;
                const base = `${name}-${rule.tier}-${ports}-${key}`;
                const n = seen.get(base) ?? 0;
                seen.set(base, n + 1);
                const oldKey = "oldKey" in rest ? rest.oldKey : undefined;
                new aws.vpc.SecurityGroupIngressRule(
                    n === 0 ? base : `${base}-${n}`,
                    {
                        securityGroupId: groups[rule.tier].id,
                        ipProtocol: "tcp",
                        fromPort: rule.ports.from,
                        toPort: rule.ports.to,
                        description: rule.description,
                        ...source,
                    },
                    { parent: this, ...(oldKey !== undefined && n === 0 ? { aliases: [{ name: `${name}-${rule.tier}-${ports}-${oldKey}` }] } : {}) },
                );
            }
        }

        this.groupIds = Object.fromEntries(TIERS.map((t) => [t, groups[t].id])) as Record<Tier, pulumi.Output<string>>;
        this.registerOutputs({ groupIds: this.groupIds });
    }
}
