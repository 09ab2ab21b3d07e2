/**
 * Which tier may reach which port of which other tier: the minimum the runbooks need.
 *
 * ActiveData: operators SSH to every tier ("ensure your IP is allowed inbound to the ... group") and
 * reach the frontend's HTTPS; the coordinator node on the frontend is a member of the search cluster
 * (transport 9300 both ways); frontend, ETL and the manager (shard balancer, spot manager) query
 * search on 9200; search nodes talk to each other on 9300. Kraken origins replicate among themselves
 * and are repaired from the manager. The control plane's essentials (binder/ZooKeeper, manatee/
 * PostgreSQL, moray) talk within their tier, and so do the Hadoop/Accumulo layers.
 */
import type { ConfigProblem } from "../config/errors";
import { Tier, TIERS } from "../config/schema";
import { positionalName, stableKey } from "../naming/keys";
import { parseCidr, unionCoversWorld, type Cidr } from "./cidr";
import * as ports from "./ports";
import { PortRange } from "./ports";

export type RuleSource = { readonly kind: "tier"; readonly tier: Tier } | { readonly kind: "operators" } | { readonly kind: "internet" };

export interface IngressRule {
    /** The tier whose security group receives the rule. */
    readonly tier: Tier;
    readonly source: RuleSource;
    readonly ports: PortRange;
    readonly description: string;
}

export interface TierRuleOptions {
    /** Only the frontend may expose 443 to the internet, and only when config says so. */
    readonly frontendPublicHttps: boolean;
}

const fromTier = (tier: Tier): RuleSource => ({ kind: "tier", tier });

export function ingressRules(opts: TierRuleOptions): IngressRule[] {
    const rules: IngressRule[] = [];
    const add = (tier: Tier, source: RuleSource, range: PortRange, why: string) =>
        rules.push({ tier, source, ports: range, description: `${range.service}: ${why}` });

    for (const tier of TIERS) add(tier, { kind: "operators" }, ports.SSH, "operator access");

    add("frontend", { kind: "operators" }, ports.HTTPS, "operators use the frontend");
    if (opts.frontendPublicHttps) add("frontend", { kind: "internet" }, ports.HTTPS, "public query service");

    for (const client of ["frontend", "etl", "manager"] as const) add("search", fromTier(client), ports.SEARCH_HTTP, `${client} queries the cluster`);
    add("search", fromTier("search"), ports.SEARCH_TRANSPORT, "nodes of the cluster");
    add("search", fromTier("frontend"), ports.SEARCH_TRANSPORT, "coordinator node on the frontend");
    add("frontend", fromTier("search"), ports.SEARCH_TRANSPORT, "cluster reaches the coordinator node");

    add("origin", fromTier("origin"), ports.ORIGIN_HTTP, "origins replicate and repair among themselves");
    add("origin", fromTier("manager"), ports.ORIGIN_HTTP, "repair runs from the manager");
    add("origin", { kind: "operators" }, ports.ORIGIN_HTTP, "repair runs from pulumi up");

    for (const range of [...ports.ZOOKEEPER, ports.POSTGRES, ports.MORAY]) add("controlplane", fromTier("controlplane"), range, "essential HA services");
    for (const range of ports.PLATFORM_PORTS) add("platform", fromTier("platform"), range, "platform layers");
    add(
        "platform",
        { kind: "operators" },
        ports.PLATFORM_PORTS.find((r) => r.from === 8080)!,
        "operators use the web app",
    );
    return rules;
}

/** Rules that would let the internet reach an admin or data port: must be empty. */
export function publicAdminExposures(rules: readonly IngressRule[]): IngressRule[] {
    return rules.filter((r) => r.source.kind === "internet" && ports.ADMIN_AND_DATA_PORTS.some((a) => ports.overlaps(a, r.ports)));
}

/** The network settings the exposure check reads (config `network`). */
export interface ExposureSettings {
    readonly operatorCidrs: readonly string[];
    readonly frontendPublicHttps: boolean;
}

/**
 * The exposure check of the tier rules as config problems, each with the path of the setting that
 * causes it, so that it refuses the config before any resource: an admin or data port whose sources,
 * resolved from config, reach the whole internet. Sources resolve as: another tier (a security group
 * reference) reaches nothing outside; "operators" reaches network.operatorCidrs (together: 0.0.0.0/1
 * and 128.0.0.0/1 are the internet as much as 0.0.0.0/0, which the schema already refuses entry by
 * entry); "internet" reaches 0.0.0.0/0 and ::/0. Every port the operators reach is an admin port here
 * (SSH, origin repair, the search endpoint and the platform web app).
 */
export function exposureProblems(network: ExposureSettings): ConfigProblem[] {
    const operators = network.operatorCidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
    const operatorsAreWorld = ([4, 6] as const).filter((f) => unionCoversWorld(operators, f));
    const out: ConfigProblem[] = [];
    const seen = new Set<string>();
    for (const rule of ingressRules({ frontendPublicHttps: network.frontendPublicHttps })) {
        const admin = ports.ADMIN_AND_DATA_PORTS.some((a) => ports.overlaps(a, rule.ports));
        if (rule.source.kind === "internet" && admin) {
            out.push({
                path: "network.frontendPublicHttps",
                message: `would open ${rule.description} (${rule.tier} tier, port ${rule.ports.from}) to the internet; admin and data ports are never public`,
            });
        } else if (rule.source.kind === "operators" && admin && operatorsAreWorld.length > 0 && !seen.has("operators")) {
            seen.add("operators");
            out.push({
                path: "network.operatorCidrs",
                message:
                    `together these networks are the whole IPv${operatorsAreWorld.join(" and IPv")} internet, and operators reach admin ports ` +
                    `(${rule.description} and more): list the operators' own networks or VPN ranges`,
            });
        }
    }
    return out;
}

/** A rule on the search cluster's HTTP port (9200) of the admin endpoint node's tier, named by a stable key. */
export interface EndpointIngressRule {
    /** The tier whose security group receives the rule: the coordinator's (frontend), else the search tier. */
    readonly tier: "frontend" | "search";
    /** Name of the rule's resource after the port: `from-frontend`, or `from-operators-<stableKey(cidr)>`. */
    readonly key: string;
    /** The name it had when operator rules were named by position, for an alias (ops/naming/keys.ts). */
    readonly formerKey?: string;
    readonly source:
        | { readonly kind: "tier"; readonly tier: "frontend" | "search" }
        | { readonly kind: "ipv4"; readonly cidr: string }
        | { readonly kind: "ipv6"; readonly cidr: string };
    readonly ports: PortRange;
    readonly description: string;
}

/**
 * 9200 of the admin endpoint node's tier: from the frontend tier to its coordinator (queries), and from the operators'
 * networks when admin.operatorAccess (`pulumi up` drains and bounces through it). No new group: the tier groups stay
 * one per tier. Operator CIDRs are named by CIDR, aliased to the positional names dataplat used before.
 */
export function searchEndpointRules(opts: {
    /** The tier of the node serving the admin endpoint: the frontend tier holds only the coordinator. */
    readonly endpointTier: "frontend" | "search";
    readonly operatorAccess: boolean;
    readonly operatorCidrs: readonly string[];
}): EndpointIngressRule[] {
    const tier = opts.endpointTier;
    const range = ports.SEARCH_HTTP;
    const rules: EndpointIngressRule[] = [];
    if (tier === "frontend") {
        rules.push({
            tier,
            key: "from-frontend",
            source: { kind: "tier", tier: "frontend" },
            ports: range,
            description: `${range.service}: the frontend queries its coordinator`,
        });
    }
    if (opts.operatorAccess) {
        for (const cidr of opts.operatorCidrs) {
            rules.push({
                tier,
                key: `from-operators-${stableKey(cidr)}`,
                formerKey: positionalName("from-operators", opts.operatorCidrs, cidr)!,
                source: cidr.includes(":") ? { kind: "ipv6", cidr } : { kind: "ipv4", cidr },
                ports: range,
                description: `${range.service}: pulumi up drains and bounces through the admin endpoint`,
            });
        }
    }
    return rules;
}
