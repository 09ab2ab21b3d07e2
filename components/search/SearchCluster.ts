import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import {
    NOOP_COMMAND,
    SEARCH_ENDPOINT_ENV,
    SEARCH_SSH_KEY_ENV,
    bounceCommand,
    drainCommand,
    endpointWithCredentials,
    restartEndpointNodeCommand,
    sshRestartCommand,
    undrainCommand,
    waitJoinedCommand,
    waitReachableCommand,
} from "../../ops/search/commands";
import { DATA_VOLUME_DEVICE, SearchClusterConfig, SearchNodeSpec } from "../../ops/search/config";
import { Host } from "../compute/Host";

export interface SearchClusterArgs {
    /**
     * The validated `search` config. Plain values rather than Inputs: the order of drains and bounces is
     * decided from them while the program runs, as pulumi-eks does with its cluster config.
     */
    readonly cluster: SearchClusterConfig;
    /** Every node's machine and rendered config, from ops/search/config.ts `searchNodeSpecs` (coordinator first). */
    readonly nodes: readonly SearchNodeSpec[];
    readonly vpcId: pulumi.Input<string>;
    /** network.operatorCidrs: they may reach the admin endpoint on 9200 when admin.operatorAccess. */
    readonly operatorCidrs: readonly string[];
    /** Private hosted zone of the cluster and the name that resolves to every cluster-manager-eligible node. */
    readonly discovery: { readonly zoneName: string; readonly seedName: string };
    /** Tier security groups: data and cluster-manager nodes are in the search tier, the coordinator in the frontend tier. */
    readonly securityGroupIds: { readonly search: pulumi.Input<string>; readonly frontend: pulumi.Input<string> };
    readonly instanceProfileNames: { readonly search: pulumi.Input<string>; readonly frontend: pulumi.Input<string> };
    /** dataplat:searchAdminPassword (secret), used only with admin.auth basic. */
    readonly adminPassword?: pulumi.Input<string>;
    /** dataplat:sshPrivateKey (secret), handed to the restarts in the environment; absent: the runner's ssh agent. */
    readonly sshPrivateKey?: pulumi.Input<string>;
}

/**
 * An Elasticsearch/OpenSearch cluster shaped like ActiveData's, changed the way "Changing Cluster Config" and
 * "Fixing Cluster" say: one node at a time, each drained before it goes, each bounce controlled.
 *
 * Nodes. Every node is a Host named from its stable config name; its OpenSearch node name is
 * `<name>-g<generation>`, and its opensearch.yml (ops/search/config.ts) is written by its user data, so a
 * change of generation, instance type, image, subnet or volume gives exactly that node a new machine. The
 * coordinator (the runbook's node on the FrontEnd) has its own small host in the frontend tier and serves the
 * admin endpoint that `pulumi up` talks to; cluster-manager nodes and on-demand backup data nodes
 * (node.attr.<zone attribute> = zones.backup) run in the search tier, spot data nodes as one-time spot
 * instances (zones.spot). Data volumes are encrypted EBS. Discovery goes through one DNS name in a private
 * zone that resolves to every cluster-manager-eligible node, so replacing one never changes another's config.
 *
 * Controlled replacement of a data node (local Commands, ordered by dependency edges):
 *   undrain   create: no-op            delete: remove the node's exclusion, restore the spot zone
 *   instance  depends on undrain
 *   drain     depends on instance      create: wait until the node joined
 *                                      delete: exclude the spot zone (if the cluster has spot nodes), exclude
 *                                      the node, wait until it holds no copy; fails closed
 *   bounce    depends on drain         create: the "Fixing Cluster" bounce with the node's heap
 * Their triggers carry the node name and the hash of the instance's replacing inputs, so they are replaced
 * together with the instance; `update` is a no-op, so a changed endpoint or key never re-runs them. Pulumi
 * creates the new node first (joined, bounced to its heap) and deletes the replaced resources at the end of the
 * update in reverse dependency order: old drain -> old instance -> old undrain. Removing a node from config
 * runs the same deletes. Drains (and undrains) are chained node after node, so they never run in parallel.
 *
 * In-place changes (heap): the bounce's triggers also carry the hash of the node's rendered config, so a heap
 * change replaces only the bounce Command, whose create runs allocation primaries -> restart over SSH
 * (`dataplat-search-restart HEAP`) -> wait joined -> allocation restored -> wait green. Bounces are chained
 * after every node's join, one at a time. The endpoint node cannot watch its own bounce: it is restarted, then
 * waited for until it answers. A `ready` Command waits until the cluster answers through the endpoint before any
 * node is waited for (first deployment, endpoint node replaced).
 *
 * `decommission: true` makes every drain and undrain delete a no-op (applied as an update of the Commands), the
 * escape hatch before `pulumi destroy`, which would otherwise drain the last nodes and fail closed.
 */
export class SearchCluster extends pulumi.ComponentResource {
    /** Private IP per node config name. */
    public readonly nodeIps: Record<string, pulumi.Output<string>>;
    /** The admin endpoint with any credentials (a secret). */
    public readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: SearchClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dataplat:search:SearchCluster", name, {}, opts);
        const c = args.cluster;
        const endpointSpec = args.nodes.find((n) => n.endpoint);
        if (!endpointSpec) throw new Error(`${name}: no coordinator or cluster-manager node to serve the admin endpoint`);

        // 9200 of the endpoint node's tier: from the frontend tier to its coordinator (queries), and from the operators'
        // networks (`pulumi up` drains and bounces through it). No new group: the tier groups stay one per tier.
        const endpointGroup = endpointSpec.role === "coordinator" ? args.securityGroupIds.frontend : args.securityGroupIds.search;
        const sources: [string, Partial<aws.vpc.SecurityGroupIngressRuleArgs>, string][] = [];
        if (endpointSpec.role === "coordinator") sources.push(["from-frontend", { referencedSecurityGroupId: args.securityGroupIds.frontend }, "search http: the frontend queries its coordinator"]);
        if (c.admin.operatorAccess) {
            args.operatorCidrs.forEach((cidr, i) =>
                sources.push([`from-operators-${i}`, cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }, "search http: pulumi up drains and bounces through the admin endpoint"]),
            );
        }
        for (const [key, source, description] of sources) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-admin-9200-${key}`,
                { securityGroupId: endpointGroup, ipProtocol: "tcp", fromPort: 9200, toPort: 9200, description, ...source },
                { parent: this },
            );
        }

        const hostFor = (n: SearchNodeSpec, dependsOn: pulumi.Resource[]): Host => {
            const coordinator = n.role === "coordinator";
            return new Host(
                `${name}-${n.name}`,
                {
                    imageId: n.image,
                    instanceType: n.instanceType,
                    subnetId: n.subnetId,
                    securityGroupIds: [coordinator ? args.securityGroupIds.frontend : args.securityGroupIds.search],
                    instanceProfileName: coordinator ? args.instanceProfileNames.frontend : args.instanceProfileNames.search,
                    rootVolumeGiB: n.rootVolumeGiB,
                    ...(n.dataVolumeGiB !== undefined ? { dataVolumes: [{ deviceName: DATA_VOLUME_DEVICE, sizeGiB: n.dataVolumeGiB }] } : {}),
                    ...(n.spot ? { spot: { interruptionBehavior: "terminate" as const } } : {}),
                    associatePublicIp: false,
                    generation: n.generation,
                    userData: n.userData,
                    tier: coordinator ? "frontend" : "search",
                },
                { parent: this, ...(dependsOn.length > 0 ? { dependsOn } : {}) },
            );
        };

        // 1. Coordinator and cluster-manager nodes (nothing to drain), and the discovery name that finds them.
        const hosts = new Map<string, Host>();
        for (const n of args.nodes.filter((x) => !x.data)) hosts.set(n.name, hostFor(n, []));
        const zone = new aws.route53.Zone(
            `${name}-discovery`,
            { name: args.discovery.zoneName, vpcs: [{ vpcId: args.vpcId }], comment: `dataplat search cluster ${c.clusterName}: discovery.seed_hosts` },
            { parent: this },
        );
        new aws.route53.Record(
            `${name}-cluster-managers`,
            {
                zoneId: zone.id,
                name: args.discovery.seedName,
                type: "A",
                ttl: 60,
                records: args.nodes.filter((n) => n.clusterManager).map((n) => hosts.get(n.name)!.privateIp),
            },
            { parent: this },
        );

        // 2. The admin endpoint (secret: it may carry the admin password) and the wait until the cluster answers.
        const endpointHost = hosts.get(endpointSpec.name)!;
        const base = c.admin.endpoint !== undefined ? pulumi.output(c.admin.endpoint) : pulumi.interpolate`${c.admin.tls ? "https" : "http"}://${endpointHost.privateIp}:9200`;
        this.endpoint = pulumi.secret(
            c.admin.auth === "basic"
                ? pulumi.all([base, pulumi.output(args.adminPassword ?? "")]).apply(([b, password]) => {
                      if (!password) throw new Error(`${name}: admin.auth basic needs dataplat:searchAdminPassword`);
                      return endpointWithCredentials(b, { username: c.admin.username, password });
                  })
                : base.apply((b) => endpointWithCredentials(b)),
        );
        const environment = { [SEARCH_ENDPOINT_ENV]: this.endpoint };
        const restartEnvironment = args.sshPrivateKey !== undefined ? { ...environment, [SEARCH_SSH_KEY_ENV]: pulumi.secret(args.sshPrivateKey) } : environment;
        const shell = { interpreter: ["/bin/bash", "-c"] };
        const ready = new command.local.Command(
            `${name}-ready`,
            { create: waitReachableCommand({ timeoutSeconds: c.timeouts.readySeconds }), environment, ...shell, triggers: [endpointSpec.nodeName, endpointSpec.replacementKey] },
            { parent: this, dependsOn: [...hosts.values()] },
        );

        // 3. Data nodes: undrain <- instance <- drain, each chain node after node.
        const drains: command.local.Command[] = [];
        const joined = new Map<string, pulumi.Resource>();
        let lastUndrain: command.local.Command | undefined;
        for (const n of args.nodes.filter((x) => x.data)) {
            const triggers = [n.nodeName, n.replacementKey];
            // "Ensure all nodes are reliable": exclude the spot zone first. With zone awareness every shard already
            // has a copy in the backup zone and a spot copy may not move there, so a spot node is drained alone.
            const spotZone = n.role === "spot" && c.zones.awareness ? undefined : c.zones.spot;
            const undrain = new command.local.Command(
                `${name}-${n.name}-undrain`,
                {
                    create: NOOP_COMMAND,
                    update: NOOP_COMMAND,
                    delete: c.decommission ? NOOP_COMMAND : undrainCommand({ node: n.nodeName, spotZone: c.zones.spot, zoneAttribute: c.zones.attribute }),
                    environment,
                    ...shell,
                    triggers,
                },
                { parent: this, dependsOn: lastUndrain ? [lastUndrain] : [] },
            );
            lastUndrain = undrain;
            const host = hostFor(n, [undrain]);
            hosts.set(n.name, host);
            const drain = new command.local.Command(
                `${name}-${n.name}-drain`,
                {
                    create: waitJoinedCommand({ node: n.nodeName, timeoutSeconds: c.timeouts.joinSeconds }),
                    update: NOOP_COMMAND,
                    delete: c.decommission
                        ? NOOP_COMMAND
                        : drainCommand({
                              node: n.nodeName,
                              timeoutSeconds: c.timeouts.drainSeconds,
                              spotZone,
                              zoneAttribute: c.zones.attribute,
                              nodeConcurrentRecoveries: c.drain.nodeConcurrentRecoveries,
                              maxBytesPerSec: c.drain.maxBytesPerSec,
                          }),
                    environment,
                    ...shell,
                    triggers,
                },
                { parent: this, dependsOn: [host, ready, ...drains.slice(-1)] },
            );
            drains.push(drain);
            joined.set(n.name, drain);
        }

        // 4. Bounces: after every node joined, one at a time in node order; each restarts its node with its heap.
        let lastBounce: pulumi.Resource | undefined;
        for (const n of args.nodes) {
            const host = hosts.get(n.name)!;
            const restart = host.privateIp.apply((ip) =>
                sshRestartCommand({ host: ip, user: c.restart.sshUser, heap: n.heap, ...(args.sshPrivateKey !== undefined ? { keyEnv: SEARCH_SSH_KEY_ENV } : {}) }),
            );
            const create = n.endpoint
                ? restart.apply((r) => restartEndpointNodeCommand({ restart: r, timeoutSeconds: c.timeouts.bounceSeconds }))
                : restart.apply((r) => bounceCommand({ node: n.nodeName, restart: r, timeoutSeconds: c.timeouts.bounceSeconds, allocation: "primaries" }));
            const after = lastBounce ? [lastBounce] : [ready, ...drains];
            lastBounce = new command.local.Command(
                `${name}-${n.name}-bounce`,
                { create, update: NOOP_COMMAND, environment: restartEnvironment, ...shell, triggers: [n.nodeName, n.replacementKey, n.configKey] },
                { parent: this, dependsOn: [host, ...(joined.has(n.name) ? [joined.get(n.name)!] : []), ...after] },
            );
        }

        this.nodeIps = Object.fromEntries(args.nodes.map((n) => [n.name, hosts.get(n.name)!.privateIp]));
        this.registerOutputs({ nodeIps: this.nodeIps, endpoint: this.endpoint });
    }
}
