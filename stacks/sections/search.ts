/**
 * The search cluster section (config key `search`): ActiveData's Elasticsearch/OpenSearch cluster, changed
 * the way "Changing Cluster Config" and "Fixing Cluster" say (see components/search/SearchCluster.ts for
 * the resources and their order).
 *
 * refusals() runs before any resource. Problems that do not depend on what is deployed (a subnet index
 * outside network.subnets, a data volume under 8 GiB, no cluster-manager-eligible node, fewer than 3 of them
 * in prod, fewer data nodes than replicas + 1) are config errors naming the path. Against the deployed
 * snapshot it refuses what one update must not do: drain more than one data node (by config edit, or by a
 * cluster-wide change such as hosts.imageId or clusterName that would give every node a new machine), replace
 * more than one cluster-manager-eligible node, a drain the backup nodes cannot absorb, and decommission mixed
 * with node changes. The snapshot (`deployed.search`) records the config, the nodes that bootstrapped the
 * cluster, and each node's replacing inputs and config hash, so the comparison sees exactly what the
 * component will replace or bounce.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConfigProblem } from "../../ops/config/errors";
import { ConfigError } from "../../ops/config/errors";
import type { StackConfig } from "../../ops/config/schema";
import { ReplacingInputs, replacingDifferences } from "../../ops/search/identity";
import { clusterManagerNames } from "../../ops/search/nodes";
import { SearchClusterConfig } from "../../ops/search/schema";
import { SearchNodeSpec, searchNodeSpecs } from "../../ops/search/specs";
import { diffNodes, refuseTooFewClusterManagers, refuseTooFewDataNodes, searchClusterRefusals } from "../../ops/search/guardrails";
import { SearchCluster } from "../../components/search/SearchCluster";
import { endpointWithoutCredentials } from "../../ops/search/commands";
import { SecurityParameterNames, securityParameterNames, tlsServerName } from "../../ops/search/security";
import { searchSnapshotSchema } from "../../ops/state/schemas";
import { readSnapshot } from "../../ops/state/snapshot";
import { StackSection } from "./section";

/** What one node was deployed with: enough to tell a replacement (new machine) from a bounce. */
export interface DeployedSearchNode {
    readonly name: string;
    readonly nodeName: string;
    readonly role: SearchNodeSpec["role"];
    readonly data: boolean;
    readonly clusterManager: boolean;
    readonly heap: string;
    readonly replacing: ReplacingInputs;
    readonly replacementKey: string;
    readonly configKey: string;
    /** The node's resource identity (SearchNodeSpec.identity); absent in snapshots of dataplat before node identities. */
    readonly identity?: string;
    /** The heap the machine booted with (its `dataplat-heap` tag); absent for machines that booted on a default heap. */
    readonly bootHeap?: string;
    /** Whether the node's bounce Command is declared; absent (declared) for machines that booted on a default heap. */
    readonly bounce?: boolean;
}

/** `deployed.search`. */
export interface DeployedSearch {
    readonly config: SearchClusterConfig;
    /** OpenSearch node names that bootstrapped the cluster (cluster.initial_cluster_manager_nodes), kept forever. */
    readonly bootstrap: readonly string[];
    readonly nodes: readonly DeployedSearchNode[];
}

/**
 * Reads `deployed.search` with its schema (ops/state/schemas.ts): undefined when nothing is deployed, the
 * refusal (naming deployed.search and what to do) when the snapshot is unreadable.
 */
export function readDeployedSearch(previous: unknown): { deployed?: DeployedSearch; problem?: string } {
    const read = readSnapshot<DeployedSearch>("search", searchSnapshotSchema, previous);
    if (read.kind === "refused") return { problem: read.message };
    return read.kind === "ok" ? { deployed: read.value } : {};
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
export function searchSecurityParameters(config: SearchClusterConfig, cfg: StackConfig): SecurityParameterNames | undefined {
    return config.admin.tls ? securityParameterNames(`/${cfg.prefix}/${cfg.environment}/search`) : undefined;
}

/** Tiers whose instance roles read the TLS parameters: the search nodes, and the coordinator in the frontend tier. */
export const SEARCH_SECURITY_READERS = ["search", "frontend"] as const;

/** The nodes exactly as the component registers them, after the deployed snapshot `prev` (none at first). */
export function searchSpecs(config: SearchClusterConfig, cfg: StackConfig, prev: DeployedSearch | undefined): SearchNodeSpec[] {
    return searchNodeSpecs(config, {
        defaultImage: cfg.hosts.imageId,
        subnets: cfg.network.subnets,
        bootstrap: prev?.bootstrap ?? clusterManagerNames(config),
        seedHosts: [searchDiscovery(cfg.prefix).seedName],
        ...(prev ? { deployed: new Map(prev.nodes.map((n) => [n.name, n])) } : {}),
        ...(config.admin.tls ? { securityParameters: searchSecurityParameters(config, cfg)! } : {}),
    });
}

/** Problems of the config itself (not of the change): reported as config errors with their paths. */
export function searchConfigProblems(c: SearchClusterConfig, cfg: StackConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const subnets = cfg.network.subnets.length;
    const groups = [["masters", c.masters], ["backupNodes", c.backupNodes], ["spotNodes", c.spotNodes]] as const;
    if (c.coordinator?.subnet !== undefined && c.coordinator.subnet >= subnets) {
        problems.push({ path: "search.coordinator.subnet", message: `expected an index into network.subnets (0-${subnets - 1})` });
    }
    for (const [group, nodes] of groups) {
        nodes.forEach((n, i) => {
            if (n.subnet !== undefined && n.subnet >= subnets) problems.push({ path: `search.${group}[${i}].subnet`, message: `expected an index into network.subnets (0-${subnets - 1})` });
            if (n.volumeSizeGiB < 8) problems.push({ path: `search.${group}[${i}].volumeSizeGiB`, message: "expected a data volume of at least 8 GiB" });
        });
    }
    if (clusterManagerNames(c).length === 0) {
        problems.push({ path: "search.masters", message: "the cluster needs a cluster-manager-eligible node: add masters, or a coordinator with clusterManager: true" });
    }
    for (const message of refuseTooFewClusterManagers(c, cfg.environment)) problems.push({ path: "search.masters", message });
    for (const message of refuseTooFewDataNodes([...c.backupNodes, ...c.spotNodes], c.replicas)) problems.push({ path: "search.replicas", message });
    return problems;
}

export interface NodeChanges {
    /** Data nodes whose machine goes away at the end of the update (replaced or removed), in node order. */
    readonly leavingData: { readonly name: string; readonly nodeName: string; readonly why: string }[];
    /** Coordinator and cluster-manager nodes that go away (nothing to drain). */
    readonly leavingOthers: { readonly name: string; readonly nodeName: string; readonly why: string; readonly clusterManager: boolean }[];
    /** Nodes created by this update (added or replaced). */
    readonly joining: readonly SearchNodeSpec[];
    /** Nodes whose bounce runs (a heap that differs from the boot heap, or changed again). */
    readonly bounced: readonly { readonly spec: SearchNodeSpec; readonly why: string }[];
}

/** What this update changes, node by node, from the deployed snapshot to the next specs. */
export function nodeChanges(prev: DeployedSearch | undefined, next: readonly SearchNodeSpec[]): NodeChanges {
    const before = new Map((prev?.nodes ?? []).map((n) => [n.name, n]));
    const after = new Map(next.map((n) => [n.name, n]));
    const leaving = (prev?.nodes ?? []).flatMap((p) => {
        const n = after.get(p.name);
        if (!n) return [{ node: p, why: "removed from config" }];
        if (n.replacementKey !== p.replacementKey) return [{ node: p, why: `replaced: ${replacingDifferences(p.replacing, n.replacing).join(", ") || "machine inputs"}` }];
        return [];
    });
    const joining = next.filter((n) => before.get(n.name)?.replacementKey !== n.replacementKey);
    // A bounce runs when its Command is created or replaced: declared now and not before (a first heap change), or
    // declared before with a changed config hash (its trigger). A new machine boots with its heap: no bounce.
    const bounced = next.flatMap((n) => {
        const p = before.get(n.name);
        if (!n.bounce || !p || p.replacementKey !== n.replacementKey) return [];
        const declared = p.bounce ?? p.bootHeap === undefined;
        if (declared && p.configKey === n.configKey) return [];
        return [{ spec: n, why: p.heap !== n.heap ? `heap ${p.heap} -> ${n.heap}` : "config changed" }];
    });
    const pick = (data: boolean) =>
        leaving.filter((l) => l.node.data === data).map((l) => ({ name: l.node.name, nodeName: l.node.nodeName, why: l.why, clusterManager: l.node.clusterManager }));
    return { leavingData: pick(true), leavingOthers: pick(false), joining, bounced };
}

/** Refusals of the change from the deployed snapshot to `next` (config problems are already excluded). */
export function searchChangeRefusals(prev: DeployedSearch, next: SearchClusterConfig, nextSpecs: readonly SearchNodeSpec[], environment: string): string[] {
    const out = searchClusterRefusals(prev.config, next, environment);
    if (prev.config.admin.tls !== next.admin.tls) {
        out.push(
            `admin.tls ${prev.config.admin.tls} -> ${next.admin.tls} changes how every node talks to every other (transport TLS): nodes with and ` +
                `without it cannot form one cluster, so no rolling change exists. Build a new cluster with the new setting (another clusterName ` +
                `and stack section), move the data (snapshot and restore), then remove the old one.`,
        );
    }
    const changes = nodeChanges(prev, nextSpecs);
    const byConfig = diffNodes([...prev.config.backupNodes, ...prev.config.spotNodes], [...next.backupNodes, ...next.spotNodes]).filter(
        (c) => c.kind === "replaced" || c.kind === "removed",
    );
    const list = (xs: readonly { nodeName: string; why: string }[]) => xs.map((l) => `${l.nodeName} (${l.why})`).join(", ");
    if (changes.leavingData.length > 1 && byConfig.length <= 1) {
        out.push(
            `this update would drain ${changes.leavingData.length} data nodes at once: ${list(changes.leavingData)}. ` +
                `A cluster-wide setting (hosts.imageId, search.image, network.subnets, clusterName, engine, zones, rootVolumeGiB) gives every node a new machine: ` +
                `pin the current value on each node first (e.g. image and subnet per node), then change one data node per update.`,
        );
    }
    if (changes.leavingData.length > 0 && byConfig.length === 0 && (prev.config.spotNodes.length > 0 || next.spotNodes.length > 0) && next.backupNodes.length < next.replicas + 1) {
        out.push(
            `draining ${changes.leavingData.map((l) => l.nodeName).join(", ")} excludes the ${next.zones.spot} zone, leaving ${next.backupNodes.length} backup nodes ` +
                `for ${next.replicas + 1} copies of each shard: the drain could never finish. Add backup nodes until there are ${next.replicas + 1}.`,
        );
    }
    const leavingManagers = changes.leavingOthers.filter((l) => l.clusterManager);
    if (leavingManagers.length > 1) {
        out.push(
            `this update would replace or remove ${leavingManagers.length} cluster-manager-eligible nodes at once: ${list(leavingManagers)}. ` +
                `The cluster keeps its quorum only if they go one at a time: change one per update.`,
        );
    }
    const touched = changes.joining.length + changes.leavingData.length + changes.leavingOthers.length;
    if (next.decommission && !prev.config.decommission && touched > 0) {
        out.push(
            `decommission: true must be an update of its own (it turns every drain into a no-op): ` +
                `leave the nodes as deployed in this update, then change them or run pulumi destroy.`,
        );
    }
    if (next.decommission && prev.config.decommission) {
        const replaced = changes.leavingData.filter((l) => l.why.startsWith("replaced"));
        if (replaced.length > 0) {
            out.push(
                `decommission is on, so ${list(replaced)} would leave without a drain while its replacement starts empty: ` +
                    `set decommission: false in an update of its own first.`,
            );
        }
    }
    return out;
}

/** The drains and bounces this update runs, in the order the engine runs them. */
export function searchUpdatePlan(prev: DeployedSearch | undefined, next: readonly SearchNodeSpec[], c: SearchClusterConfig): { change: string; steps: string[] } {
    const changes = nodeChanges(prev, next);
    const endpoint = next.find((n) => n.endpoint)!;
    const steps: string[] = [];
    if (!prev || changes.joining.includes(endpoint)) steps.push(`ready: wait until the cluster answers through ${endpoint.nodeName} (at least yellow)`);
    for (const n of changes.joining) {
        steps.push(`join ${n.nodeName}: create the ${n.role} node (${n.instanceType}${n.spot ? ", spot" : ""}), booting with heap ${n.heap}, and wait until it is in the cluster`);
    }
    for (const { spec, why } of changes.bounced) {
        steps.push(
            spec.endpoint
                ? `bounce ${spec.nodeName} (${why}): restart it (the admin endpoint) and wait until the cluster answers through it`
                : `bounce ${spec.nodeName} (${why}): allocation primaries, restart, wait until it rejoins, allocation restored, wait green`,
        );
    }
    const nodeDrain = prev?.config.decommission !== true;
    for (const l of [...changes.leavingData].reverse()) {
        const wasSpot = prev!.nodes.find((n) => n.name === l.name)?.role === "spot";
        const spotFirst = wasSpot && prev!.config.zones.awareness ? "" : `exclude ${prev!.config.zones.attribute}=${prev!.config.zones.spot} if the cluster has spot nodes, `;
        if (nodeDrain) {
            steps.push(`drain ${l.nodeName} (${l.why}): ${spotFirst}exclude the node, wait until it holds no shard copy (timeout ${prev!.config.timeouts.drainSeconds}s)`);
            steps.push(`terminate ${l.nodeName}`);
            steps.push(`undrain ${l.nodeName}: remove its exclusion, restore ${prev!.config.zones.attribute}=${prev!.config.zones.spot}`);
        } else {
            steps.push(`terminate ${l.nodeName} (${l.why}) without a drain (decommission)`);
        }
    }
    for (const l of changes.leavingOthers) steps.push(`terminate ${l.nodeName} (${l.why})`);
    if (c.decommission && prev?.config.decommission !== true) steps.push("decommission: every drain and undrain becomes a no-op for the next removal or pulumi destroy");
    return { change: prev ? (steps.length > 0 ? "update" : "none") : "initial deployment", steps };
}

/**
 * Nodes deployed before node identities whose machine does not change: their resources keep the old names through
 * aliases. A node whose machine changes gets new resources under its identity, and the old ones are deleted.
 */
export function legacyNamedNodes(prev: DeployedSearch | undefined, next: readonly SearchNodeSpec[]): string[] {
    const before = new Map((prev?.nodes ?? []).map((n) => [n.name, n]));
    return next.filter((n) => {
        const p = before.get(n.name);
        return p !== undefined && p.identity === undefined && p.replacementKey === n.replacementKey;
    }).map((n) => n.name);
}

/** The snapshot recorded as `deployed.search`. */
export function deployedSearch(config: SearchClusterConfig, bootstrap: readonly string[], specs: readonly SearchNodeSpec[]): DeployedSearch {
    return {
        config,
        bootstrap: [...bootstrap],
        nodes: specs.map((n) => ({
            name: n.name,
            nodeName: n.nodeName,
            role: n.role,
            data: n.data,
            clusterManager: n.clusterManager,
            heap: n.heap,
            replacing: n.replacing,
            replacementKey: n.replacementKey,
            configKey: n.configKey,
            identity: n.identity,
            ...(n.bootHeap !== undefined ? { bootHeap: n.bootHeap, bounce: n.bounce } : {}),
        })),
    };
}

/** ActiveData's search cluster (config key `search`). */
export const searchSection: StackSection<"search"> = {
    key: "search",

    refusals(previous, next, cfg) {
        const problems = searchConfigProblems(next, cfg);
        if (problems.length > 0) throw new ConfigError(problems, "dataplat");
        const { deployed, problem } = readDeployedSearch(previous);
        if (problem) return [problem];
        if (!deployed) return [];
        const specs = searchSpecs(next, cfg, deployed);
        return searchChangeRefusals(deployed, next, specs, cfg.environment).map((r) => `search: ${r}`);
    },

    define(ctx, config) {
        const { deployed: prev, problem } = readDeployedSearch(ctx.previous?.search);
        if (problem) throw new Error(`Refused by guardrails, nothing was changed:\n  - ${problem}`);
        const bootstrap = prev?.bootstrap ?? clusterManagerNames(config);
        const specs = searchSpecs(config, ctx.cfg, prev);
        const discovery = searchDiscovery(ctx.cfg.prefix);
        const cluster = new SearchCluster(
            ctx.name("search"),
            {
                cluster: config,
                nodes: specs,
                vpcId: ctx.cfg.network.vpcId,
                operatorCidrs: ctx.cfg.network.operatorCidrs,
                discovery,
                securityGroupIds: { search: ctx.network.groupIds.search, frontend: ctx.network.groupIds.frontend },
                instanceProfileNames: { search: ctx.roles.search.instanceProfileName, frontend: ctx.roles.frontend.instanceProfileName },
                ...(config.admin.auth === "basic" ? { adminPassword: ctx.secrets.searchAdminPassword } : {}),
                ...(ctx.secrets.sshPrivateKey !== undefined ? { sshPrivateKey: ctx.secrets.sshPrivateKey } : {}),
                ...(config.admin.tls ? { securityParameters: searchSecurityParameters(config, ctx.cfg)!, passwordSaltSeed: `${ctx.cfg.prefix}/${ctx.stack}` } : {}),
                legacyNamed: legacyNamedNodes(prev, specs),
            },
            ctx.providers.opts("search"),
        );
        return {
            deployed: deployedSearch(config, bootstrap, specs),
            gates: [cluster.done],
            outputs: {
                endpointNode: specs.find((n) => n.endpoint)!.nodeName,
                seedHosts: [discovery.seedName],
                nodeIps: cluster.nodeIps,
                // What the preflight asks before `pulumi up` (ops/preflight/search.ts): the admin endpoint without its
                // credentials (not a secret once they are gone), the admin user with admin.auth basic (the password is the
                // stack's searchAdminPasswordParameter) and, with TLS, the certificate's name and the parameter holding the CA.
                adminUrl: pulumi.unsecret(cluster.endpoint.apply(endpointWithoutCredentials)),
                ...(config.admin.auth === "basic" ? { adminUser: config.admin.username } : {}),
                ...(config.admin.tls ? { adminTls: { serverName: tlsServerName(config.clusterName), caParameter: searchSecurityParameters(config, ctx.cfg)!.ca } } : {}),
            },
            plan: searchUpdatePlan(prev, specs, config),
        };
    },
};
