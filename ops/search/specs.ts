// Each node's machine: the exact instance inputs, rendered config and first-boot script the SearchCluster component
// registers, decided here (subnet placement, identity, boot heap). Pure.

import { DeployedBoot, UserDataFormat, bootPlan, userDataFormat } from "./boot";
import { renderNodeUserData } from "./scripts";
import { type ReplacingInputs, configKey, nodeIdentity, replacementKey, userDataHash } from "./identity";
import { engineLayout } from "./layout";
import { type SearchNodeRole, clusterManagerNames, endpointNodeName, placedNodes } from "./nodes";
import type { SearchClusterConfig } from "./schema";
import { SecurityParameterNames, securityBootFragment, securitySettings } from "./security";
import { renderOpensearchYml } from "./yml";
import { SEARCH_HTTP, SEARCH_TRANSPORT } from "../network/ports";
import { stableSubnetIndex } from "../shared/placement";

export interface SearchNodeSpec {
    /** Config name (stable across generations). */
    name: string;
    /** OpenSearch node name `<name>-g<generation>`. */
    nodeName: string;
    generation: number;
    role: SearchNodeRole;
    clusterManager: boolean;
    /** Holds shards: drained before it leaves. */
    data: boolean;
    /** Serves the admin endpoint. */
    endpoint: boolean;
    heap: string;
    zone: string;
    instanceType: string;
    image: string;
    subnet: number;
    subnetId: string;
    spot: boolean;
    rootVolumeGiB: number;
    /** Encrypted EBS data volume (path.data); the coordinator keeps its state on the root volume. */
    dataVolumeGiB?: number;
    /** The rendered opensearch.yml. */
    yml: string;
    /** First-boot script (Host prepends the shebang and the generation header). */
    userData: string;
    replacing: ReplacingInputs;
    /** Hash of `replacing`: changes exactly when the instance is replaced; the node's commands carry it as a trigger. */
    replacementKey: string;
    /**
     * `<nodeName>-<first 8 of replacementKey>`: the node's resources (host, drain, undrain, bounce) are named from it,
     * so a config change that gives the node a new machine declares new resources instead of replacing the old ones
     * under the same name. A failed update then leaves the old node a normal resource (not pending deletion, which
     * the engine would delete at the start of the next update, before any drain), and the old node's drain, instance
     * and undrain are deleted only at the end of an update in which every create succeeded.
     */
    identity: string;
    /** Hash of the rendered config (opensearch.yml and heap): the bounce's trigger, so a heap change bounces the node. */
    configKey: string;
    /** How the first boot gets the heap (ops/search/boot.ts). */
    userDataFormat: UserDataFormat;
    /** The heap the machine booted (boots) with: the value of its `dataplat-heap` tag; undefined for "default-heap". */
    bootHeap?: string;
    /** Whether the node's bounce Command is declared (only once its heap differs from the boot heap). */
    bounce: boolean;
}

export interface NodeSpecContext {
    /** hosts.imageId: used when neither the node nor the cluster names an image. */
    defaultImage: string;
    subnets: readonly { readonly id: string }[];
    /** OpenSearch node names that bootstrap the cluster (recorded at the first deployment, then kept). */
    bootstrap: readonly string[];
    /** discovery.seed_hosts: names that resolve to the cluster-manager-eligible nodes (stable across replacements). */
    seedHosts: string[];
    /** What the deployed snapshot recorded of each node's boot, by config name (none on a first deployment). */
    deployed?: ReadonlyMap<string, DeployedBoot>;
    /** admin.tls: the SSM parameters each node fetches its TLS material and security config from at first boot. */
    securityParameters?: SecurityParameterNames;
}

/**
 * Every node of the cluster with the exact machine inputs and rendered config the component registers, coordinator
 * first. Only a bootstrap node carries cluster.initial_cluster_manager_nodes, and always the same list, so a later
 * update never changes another node's user data.
 */
export function searchNodeSpecs(c: SearchClusterConfig, ctx: NodeSpecContext): SearchNodeSpec[] {
    const layout = engineLayout(c);
    const configs = new Map<string, { instanceType: string; image?: string; subnet?: number; volumeSizeGiB?: number }>();
    if (c.coordinator) configs.set(c.coordinator.name, c.coordinator);
    for (const n of [...c.masters, ...c.backupNodes, ...c.spotNodes]) configs.set(n.name, n);
    const managers = new Set(clusterManagerNames(c));
    if (c.admin.tls && ctx.securityParameters === undefined) throw new Error("admin.tls: the nodes need the SSM parameters of their TLS material");
    const security = c.admin.tls
        ? {
              settings: securitySettings(c.clusterName, c.engine),
              fragment: securityBootFragment({ engine: c.engine, configDir: layout.configDir, user: layout.user, parameters: ctx.securityParameters! }),
          }
        : undefined;
    const endpoint = endpointNodeName(c);
    return placedNodes(c).map((p) => {
        const n = configs.get(p.name)!;
        const clusterManager = managers.has(p.nodeName);
        const data = p.role === "backup" || p.role === "spot";
        const dataVolumeGiB = p.role === "coordinator" ? undefined : n.volumeSizeGiB;
        const yml = renderOpensearchYml(c, p.name, {
            seedHosts: ctx.seedHosts,
            initialClusterManagers: clusterManager && ctx.bootstrap.includes(p.nodeName) ? ctx.bootstrap : [],
            extra: {
                "path.data": layout.dataDir,
                "path.logs": layout.logDir,
                "http.port": SEARCH_HTTP.from,
                "transport.port": SEARCH_TRANSPORT.from,
                ...(security?.settings ?? {}),
            },
        });
        const subnet = n.subnet ?? stableSubnetIndex(p.name, ctx.subnets.length);
        const subnetId = ctx.subnets[subnet]?.id;
        if (subnetId === undefined)
            throw new RangeError(`search node ${p.name}: subnet ${subnet} is not an index into network.subnets (0-${ctx.subnets.length - 1})`);
        const machine = (format: UserDataFormat) => {
            const userData = renderNodeUserData(c.clusterName, layout, {
                nodeName: p.nodeName,
                role: p.role,
                yml,
                dataVolume: dataVolumeGiB !== undefined,
                heap: format,
                ...(security ? { security: security.fragment } : {}),
            });
            const replacing: ReplacingInputs = {
                image: n.image ?? c.image ?? ctx.defaultImage,
                instanceType: n.instanceType,
                subnetId,
                spot: p.role === "spot",
                rootVolumeGiB: c.rootVolumeGiB,
                dataVolumeGiB: dataVolumeGiB ?? null,
                userData: userDataHash(userData),
            };
            return { userData, replacing, replacementKey: replacementKey(replacing) };
        };
        const prev = ctx.deployed?.get(p.name);
        const format = userDataFormat(prev, machine("default-heap").replacementKey);
        const { userData, replacing, replacementKey: key } = machine(format);
        const boot = bootPlan(prev, { replacementKey: key, heap: p.heap, format });
        return {
            name: p.name,
            nodeName: p.nodeName,
            generation: p.generation,
            role: p.role,
            clusterManager,
            data,
            endpoint: p.name === endpoint,
            heap: p.heap,
            zone: p.zone,
            instanceType: replacing.instanceType,
            image: replacing.image,
            subnet,
            subnetId,
            spot: replacing.spot,
            rootVolumeGiB: c.rootVolumeGiB,
            ...(dataVolumeGiB !== undefined ? { dataVolumeGiB } : {}),
            yml,
            userData,
            replacing,
            replacementKey: key,
            identity: nodeIdentity(p.nodeName, key),
            configKey: configKey(yml, p.heap),
            userDataFormat: boot.format,
            ...(boot.bootHeap !== undefined ? { bootHeap: boot.bootHeap } : {}),
            bounce: boot.bounce,
        };
    });
}
