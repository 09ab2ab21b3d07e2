// The search cluster's plan (issue 13): one pure function from the validated `search` config and the read of
// `deployed.search` to {problems, refusals, plan, snapshot}. The section only calls it and wires the result; the
// SearchCluster component receives its decisions (nodes, drain zones, discovery names, 9200 rules, aliases) and makes
// none. Pure: no Pulumi, no I/O, no clock.

import type { StackConfig } from "../config/schema";
import { type EndpointIngressRule, searchEndpointRules } from "../network/tiers";
import { type Finding, type PlatformPlan, changeRefusal, configProblem } from "../shared/platform-plan";
import type { SnapshotRead } from "../state/snapshot";
import { legacyNamedNodes, nodeChanges } from "./changes";
import { SEARCH_CHANGE_RULES, SEARCH_CONFIG_RULES, SNAPSHOT_READABLE } from "./guardrails";
import { clusterManagerNames, nodeTier } from "./nodes";
import type { SearchClusterConfig } from "./schema";
import { type SecurityParameterNames, securityParameterNames } from "./security";
import { type DeployedSearch, deployedSearch } from "./snapshot";
import { type SearchNodeSpec, searchNodeSpecs } from "./specs";
import { type SearchUpdateSteps, drainSpotZone, searchUpdateSteps } from "./update";

/** What planSearch reads of the stack besides the search config. */
export interface SearchPlanContext {
    readonly environment: string;
    /** The stack's prefix: names the discovery zone and the TLS parameters. */
    readonly prefix: string;
    /** hosts.imageId: used when neither the node nor the cluster names an image. */
    readonly defaultImage: string;
    /** network.subnets. */
    readonly subnets: readonly { readonly id: string }[];
    /** network.operatorCidrs: they may reach the admin endpoint on 9200 when admin.operatorAccess. */
    readonly operatorCidrs: readonly string[];
}

export const searchPlanContext = (cfg: StackConfig): SearchPlanContext => ({
    environment: cfg.environment,
    prefix: cfg.prefix,
    defaultImage: cfg.hosts.imageId,
    subnets: cfg.network.subnets,
    operatorCidrs: cfg.network.operatorCidrs,
});

/** A node as the component registers it, with its tier and the zone its drain excludes first (data nodes). */
export interface SearchNodePlan extends SearchNodeSpec {
    /** The tier whose security group, instance profile and tag the node's host takes. */
    readonly tier: "frontend" | "search";
    /** Data nodes: the zone excluded before the node itself (undefined: the node is drained alone). */
    readonly drainSpotZone?: string;
}

export interface SearchPlan {
    /** Every node, coordinator first, with its machine, rendered config and identity. */
    readonly nodes: readonly SearchNodePlan[];
    /** OpenSearch node names that bootstrapped (bootstrap) the cluster: recorded at the first deployment, then kept. */
    readonly bootstrap: readonly string[];
    /** The private zone of the cluster and the seed name that resolves to every cluster-manager-eligible node. */
    readonly discovery: { readonly zoneName: string; readonly seedName: string };
    /** admin.tls: the SSM parameters of the TLS material and security config; undefined without TLS. */
    readonly securityParameters?: SecurityParameterNames;
    /** The rules on 9200 of the endpoint node's tier (ops/network/tiers.ts). */
    readonly endpointIngress: readonly EndpointIngressRule[];
    /** Nodes whose resources keep their names from before node identities (aliases). */
    readonly legacyNamed: readonly string[];
    /** OpenSearch node name of the node serving the admin endpoint. */
    readonly endpointNode: string;
    /** What this update runs, in order (shown by `npm run synth`). */
    readonly update: SearchUpdateSteps;
}

/** A config problem carries the config path it names (reported as a config error: `<path>: <message>`). */
export interface SearchConfigFinding extends Finding {
    readonly path: string;
}

/** With problems or an unreadable snapshot there is no plan and no snapshot: nothing may be registered. */
export interface SearchPlatformPlan extends PlatformPlan<SearchPlan | undefined, DeployedSearch | undefined> {
    readonly problems: readonly SearchConfigFinding[];
}

/** The private zone of the cluster and the seed name that resolves to every cluster-manager-eligible node. */
export function searchDiscovery(prefix: string): { zoneName: string; seedName: string } {
    const zoneName = `search.${prefix}.internal`;
    return { zoneName, seedName: `cluster-managers.${zoneName}` };
}

/**
 * admin.tls: the SSM parameters of the cluster's TLS material and security config (`/<prefix>/<environment>/search/...`):
 * written by the component, fetched by every node at first boot, readable by the search and frontend tiers (the stack's
 * grants). Undefined without TLS.
 */
export function searchSecurityParameterNames(
    config: SearchClusterConfig,
    context: Pick<SearchPlanContext, "prefix" | "environment">,
): SecurityParameterNames | undefined {
    return config.admin.tls ? securityParameterNames(`/${context.prefix}/${context.environment}/search`) : undefined;
}

/** Tiers whose instance roles read the TLS parameters: the search nodes, and the coordinator in the frontend tier. */
export const SEARCH_SECURITY_READERS = ["search", "frontend"] as const;

/**
 * Where a config problem sorts: by node (coordinator, masters, backup nodes, spot nodes, as config lists them), so
 * each node's problems read together; cluster-wide problems last. The sort is stable: within a node, rule order.
 */
function problemOrder(c: SearchClusterConfig, path: string): number {
    if (path.startsWith("search.coordinator.")) return -1;
    const m = /^search\.(masters|backupNodes|spotNodes)\[(\d+)\]\./.exec(path);
    if (!m) return Number.MAX_SAFE_INTEGER;
    const before = { masters: 0, backupNodes: c.masters.length, spotNodes: c.masters.length + c.backupNodes.length }[
        m[1] as "masters" | "backupNodes" | "spotNodes"
    ];
    return before + Number(m[2]);
}

/** The problems of the config itself, whatever is deployed. */
export function searchConfigFindings(config: SearchClusterConfig, context: SearchPlanContext): SearchConfigFinding[] {
    const found = SEARCH_CONFIG_RULES.flatMap((rule) =>
        rule
            .check(config, { environment: context.environment, subnetCount: context.subnets.length })
            .map((p) => ({ ...configProblem(rule.id, p.message), path: p.path })),
    );
    return found
        .map((f, i) => ({ f, i, order: problemOrder(config, f.path) }))
        .sort((a, b) => a.order - b.order || a.i - b.i)
        .map((x) => x.f);
}

/**
 * The search cluster's plan. Config problems first: with any, nothing else is decided. An unreadable snapshot is
 * refused (never read as "nothing deployed"). Otherwise the node specs, the change refusals against the snapshot
 * (none on a first deployment), the decisions the component receives, and the snapshot to record. Change refusals
 * carry the section's `search: ` prefix, as the operator reads them among other sections'.
 */
export function planSearch(config: SearchClusterConfig, deployed: SnapshotRead<DeployedSearch>, context: SearchPlanContext): SearchPlatformPlan {
    const problems = searchConfigFindings(config, context);
    if (problems.length > 0) return { problems, refusals: [], plan: undefined, snapshot: undefined };
    if (deployed.kind === "refused") return { problems, refusals: [changeRefusal(SNAPSHOT_READABLE, deployed.message)], plan: undefined, snapshot: undefined };
    const prev = deployed.kind === "ok" ? deployed.value : undefined;

    const bootstrap = prev?.bootstrap ?? clusterManagerNames(config);
    const discovery = searchDiscovery(context.prefix);
    const securityParameters = searchSecurityParameterNames(config, context);
    const specs = searchNodeSpecs(config, {
        defaultImage: context.defaultImage,
        subnets: context.subnets,
        bootstrap,
        seedHosts: [discovery.seedName],
        ...(prev ? { deployed: new Map(prev.nodes.map((n) => [n.name, n])) } : {}),
        ...(securityParameters ? { securityParameters } : {}),
    });
    const changes = nodeChanges(prev, specs);
    const refusals = prev
        ? SEARCH_CHANGE_RULES.flatMap((rule) => rule.check({ prev, next: config, changes }).map((message) => changeRefusal(rule.id, `search: ${message}`)))
        : [];
    const endpoint = specs.find((n) => n.endpoint)!;
    const nodes: SearchNodePlan[] = specs.map((n) => ({
        ...n,
        tier: nodeTier(n.role),
        ...(n.data ? { drainSpotZone: drainSpotZone(n.role, config.zones) } : {}),
    }));
    return {
        problems,
        refusals,
        plan: {
            nodes,
            bootstrap,
            discovery,
            ...(securityParameters ? { securityParameters } : {}),
            endpointIngress: searchEndpointRules({
                endpointTier: nodeTier(endpoint.role),
                operatorAccess: config.admin.operatorAccess,
                operatorCidrs: context.operatorCidrs,
            }),
            legacyNamed: legacyNamedNodes(prev, specs),
            endpointNode: endpoint.nodeName,
            update: searchUpdateSteps(prev, specs, changes, config),
        },
        snapshot: deployedSearch(config, bootstrap, specs),
    };
}
