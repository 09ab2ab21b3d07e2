/**
 * The search cluster section (config key `search`): ActiveData's Elasticsearch/OpenSearch cluster, changed
 * the way "Changing Cluster Config" and "Fixing Cluster" say (see components/search/SearchCluster.ts for
 * the resources and their order).
 *
 * Every decision is the search plan's (ops/search/plan.ts planSearch: the config problems, the refusals against
 * `deployed.search`, the nodes, zones and names the component receives, and the snapshot to record); the
 * guardrails are listed with their ids in ops/search/guardrails.ts. This section reads the snapshot, calls the
 * plan and wires it: refusals() reports its problems (as config errors naming the path) and refusals; define()
 * declares what it says.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../ops/config/schema";
import { messages } from "../../ops/shared/platform-plan";
import { endpointWithoutCredentials } from "../../ops/search/commands";
import {
    SEARCH_SECURITY_READERS,
    type SearchPlan,
    type SearchPlatformPlan,
    planSearch,
    searchPlanContext,
    searchSecurityParameterNames,
} from "../../ops/search/plan";
import type { SearchClusterConfig } from "../../ops/search/schema";
import { type SecurityParameterNames, tlsServerName } from "../../ops/search/security";
import { readSearchSnapshot } from "../../ops/search/snapshot";
import { SearchCluster } from "../../components/search/SearchCluster";
import { sectionPlanOf, StackSection } from "./section";

export { SEARCH_SECURITY_READERS };

/** The TLS parameters' names (the stack grants the readers access to them); undefined without TLS. */
export function searchSecurityParameters(config: SearchClusterConfig, cfg: StackConfig): SecurityParameterNames | undefined {
    return searchSecurityParameterNames(config, cfg);
}

/** ActiveData's search cluster (config key `search`). */
export const searchSection: StackSection<"search", SearchPlatformPlan> = {
    key: "search",

    /** The plan of this update: `previous` is `deployed.search` of the last update (undefined on the first). */
    plan(previous, next, cfg) {
        return sectionPlanOf(planSearch(next, readSearchSnapshot(previous), searchPlanContext(cfg)));
    },

    define(ctx, config, result) {
        // plan() has refused an unreadable snapshot before any resource: should define() run anyway, it throws
        // rather than deploy as if nothing were deployed.
        if (result.plan === undefined || result.snapshot === undefined) {
            throw new Error(`Refused by guardrails, nothing was changed:\n  - ${messages(result.refusals).join("\n  - ")}`);
        }
        const p: SearchPlan = result.plan;
        const cluster = new SearchCluster(
            ctx.name("search"),
            {
                cluster: config,
                nodes: p.nodes,
                vpcId: ctx.cfg.network.vpcId,
                endpointIngress: p.endpointIngress,
                discovery: p.discovery,
                securityGroupIds: { search: ctx.network.groupIds.search, frontend: ctx.network.groupIds.frontend },
                instanceProfileNames: { search: ctx.roles.search.instanceProfileName, frontend: ctx.roles.frontend.instanceProfileName },
                ...(config.admin.auth === "basic" ? { adminPassword: ctx.secrets.searchAdminPassword } : {}),
                ...(ctx.secrets.sshPrivateKey !== undefined ? { sshPrivateKey: ctx.secrets.sshPrivateKey } : {}),
                ...(p.securityParameters ? { securityParameters: p.securityParameters, passwordSaltSeed: `${ctx.cfg.prefix}/${ctx.stack}` } : {}),
                legacyNamed: p.legacyNamed,
            },
            ctx.providers.opts("search"),
        );
        return {
            deployed: result.snapshot,
            gates: [cluster.done],
            outputs: {
                endpointNode: p.endpointNode,
                seedHosts: [p.discovery.seedName],
                nodeIps: cluster.nodeIps,
                // What the preflight asks before `pulumi up` (ops/preflight/search.ts): the admin endpoint without its
                // credentials (not a secret once they are gone), the admin user with admin.auth basic (the password is the
                // stack's searchAdminPasswordParameter) and, with TLS, the certificate's name and the parameter holding the CA.
                adminUrl: pulumi.unsecret(cluster.endpoint.apply(endpointWithoutCredentials)),
                ...(config.admin.auth === "basic" ? { adminUser: config.admin.username } : {}),
                ...(p.securityParameters ? { adminTls: { serverName: tlsServerName(config.clusterName), caParameter: p.securityParameters.ca } } : {}),
            },
            plan: p.update,
            ...(cluster.adminTls ? { wiring: { searchAdminTls: cluster.adminTls } } : {}),
        };
    },
};
