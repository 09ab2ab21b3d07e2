import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { createHash } from "node:crypto";
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
import { DATA_VOLUME_DEVICE } from "../../ops/search/layout";
import type { SearchNodePlan } from "../../ops/search/plan";
import { SearchClusterConfig } from "../../ops/search/schema";
import { SEARCH_HTTP } from "../../ops/network/ports";
import type { EndpointIngressRule } from "../../ops/network/tiers";
import { HEAP_TAG } from "../../ops/search/boot";
import {
    KEY_ALGORITHM,
    SEARCH_CA_ENV,
    SEARCH_TLS_NAME_ENV,
    SecurityParameterNames,
    adminPasswordHash,
    clusterTls,
    securityConfigFiles,
} from "../../ops/search/security";
import { Host } from "../compute/Host";

export interface SearchClusterArgs {
    /**
     * The validated `search` config. Plain values rather than Inputs: the order of drains and bounces is
     * decided from them while the program runs, as pulumi-eks does with its cluster config.
     */
    readonly cluster: SearchClusterConfig;
    /**
     * Every node's machine, rendered config and identity, and for a data node the zone its drain excludes first,
     * from the search plan (ops/search/plan.ts), coordinator first; data nodes are chained in this order.
     */
    readonly nodes: readonly SearchNodePlan[];
    readonly vpcId: pulumi.Input<string>;
    /**
     * The rules on 9200 of the endpoint node's tier, from ops/network/tiers.ts (through the search plan): each is
     * named `<name>-admin-<port>-<key>`, with an alias to its former name when it has one.
     */
    readonly endpointIngress: readonly EndpointIngressRule[];
    /** Private hosted zone of the cluster and the name that resolves to every cluster-manager-eligible node. */
    readonly discovery: { readonly zoneName: string; readonly seedName: string };
    /** Tier security groups: data and cluster-manager nodes are in the search tier, the coordinator in the frontend tier. */
    readonly securityGroupIds: { readonly search: pulumi.Input<string>; readonly frontend: pulumi.Input<string> };
    readonly instanceProfileNames: { readonly search: pulumi.Input<string>; readonly frontend: pulumi.Input<string> };
    /** dataplat:searchAdminPassword (secret), used only with admin.auth basic. */
    readonly adminPassword?: pulumi.Input<string>;
    /** dataplat:sshPrivateKey (secret), handed to the restarts in the environment; absent: the runner's ssh agent. */
    readonly sshPrivateKey?: pulumi.Input<string>;
    /**
     * admin.tls: the SSM parameters (the same names the nodes' user data fetches, SearchNodeSpec) that this component
     * fills with the CA, the node certificate and key and the security plugin's config. The nodes' instance roles
     * must be able to read them (the stack grants it).
     */
    readonly securityParameters?: SecurityParameterNames;
    /** Stable per deployment (e.g. the stack name): salts the bcrypt hash of the admin password, so it stays put. */
    readonly passwordSaltSeed?: string;
    /**
     * Config names of nodes still deployed under the resource names dataplat used before node identities
     * (`<name>-<node>`, `<name>-<node>-drain`...), with the same machine: their resources carry an alias to that name,
     * so taking up identity names replaces nothing.
     */
    readonly legacyNamed?: readonly string[];
}

/**
 * An Elasticsearch/OpenSearch cluster shaped like ActiveData's, changed the way "Changing Cluster Config" and
 * "Fixing Cluster" say: one node at a time, each drained before it goes, each bounce controlled.
 *
 * Nodes. Every node is a Host; its OpenSearch node name is `<name>-g<generation>`, and its opensearch.yml
 * (ops/search/yml.ts) is written by its user data (ops/search/config.ts). The node's resources are named from its identity
 * (`<name>-g<generation>-<8 hex of its replacing inputs>`, SearchNodeSpec.identity), so a change of generation,
 * instance type, image, subnet, root or data volume declares a new node next to the old one instead of replacing
 * the old one under the same name. Instance type and root volume size are in-place changes for the AWS provider
 * (a stop/modify/start; terraform-provider-aws internal/service/ec2/ec2_instance.go), so the instance also carries
 * `replaceOnChanges` for them: a search node is never stopped under the cluster. The coordinator (the runbook's node
 * on the FrontEnd) has its own small host in the frontend tier and serves the admin endpoint that `pulumi up` talks
 * to; cluster-manager nodes and on-demand backup data nodes (node.attr.<zone attribute> = zones.backup) run in the
 * search tier, spot data nodes as one-time spot instances (zones.spot). Data volumes are encrypted EBS. Discovery
 * goes through one DNS name in a private zone that resolves to every cluster-manager-eligible node, so replacing one
 * never changes another's config.
 *
 * Controlled replacement of a data node (local Commands, ordered by dependency edges):
 *   undrain   create: no-op            delete: remove the node's exclusion, restore the spot zone
 *   instance  depends on undrain
 *   drain     depends on instance      create: wait until the node joined
 *                                      delete: exclude the spot zone (if the cluster has spot nodes), exclude
 *                                      the node, wait until it holds no copy; fails closed
 *   bounce    depends on drain         create: the "Fixing Cluster" bounce with the node's heap (declared only
 *                                      once the heap differs from the one the node booted with)
 * A config change gives the node a new identity: Pulumi creates the new chain (booted with its heap, joined) and,
 * only at the end of an update in which every step succeeded, deletes the old chain, which the program no longer
 * declares, in reverse dependency order: old drain -> old instance -> old undrain. If anything fails first, the
 * old node stays a normal resource, untouched. Removing a node from config runs the same deletes. Drains (and
 * undrains) are chained node after node, so they never run in parallel. `update` is a no-op, so a changed endpoint
 * or key never re-runs them.
 *
 * A replacement that config does not foresee (`pulumi up --replace`, drift, a provider that starts forcing a new
 * instance) replaces the instance under the same name. The drain and bounce carry `replaceWith: [instance]`, so they
 * are replaced with it and the old drain still runs before the old instance is deleted. Such a twin has the same
 * OpenSearch node name as the old node, so the old drain excludes both and the new one stays empty until the node's
 * generation is bumped (the undrain, created before the instance, cannot be tied to it): use a generation bump,
 * never `--replace`, to replace a search node.
 *
 * Heap: a new node boots with its configured heap, read at first boot from its `dataplat-heap` instance tag
 * (ops/search/boot.ts), so neither a first deployment nor a replacement restarts anything. A heap change updates
 * the tag in place and declares (or, the next time, replaces: its triggers carry the config hash) only that node's
 * bounce Command, whose create runs allocation primaries -> restart over SSH
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
    /** Resolves once the cluster answered, every new node joined and every bounce finished (the section's baseline waits on it). */
    public readonly done: pulumi.Output<boolean>;
    /** With admin.tls: what a client of the admin endpoint trusts (the cluster's CA) and the name it checks. */
    public readonly adminTls?: { readonly caPem: pulumi.Output<string>; readonly serverName: string };

    constructor(name: string, args: SearchClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything is registered (the search section's config validation refuses both first).
        const c = args.cluster;
        const endpointSpec = args.nodes.find((n) => n.endpoint);
        if (!endpointSpec) throw new Error(`${name}: no coordinator or cluster-manager node to serve the admin endpoint`);
        if (c.admin.auth === "basic" && args.adminPassword === undefined) throw new Error(`${name}: admin.auth basic needs adminPassword`);
        super("dataplat:search:SearchCluster", name, {}, opts);

        // The admin endpoint's port rules, as the plan decided them (ops/network/tiers.ts searchEndpointRules).
        const groupOf = (tier: "frontend" | "search") => args.securityGroupIds[tier];
        for (const rule of args.endpointIngress) {
            const source: Partial<aws.vpc.SecurityGroupIngressRuleArgs> =
                rule.source.kind === "tier"
                    ? { referencedSecurityGroupId: groupOf(rule.source.tier) }
                    : rule.source.kind === "ipv6"
                      ? { cidrIpv6: rule.source.cidr }
                      : { cidrIpv4: rule.source.cidr };
            const prefix = `${name}-admin-${rule.ports.from}`;
            new aws.vpc.SecurityGroupIngressRule(
                `${prefix}-${rule.key}`,
                {
                    securityGroupId: groupOf(rule.tier),
                    ipProtocol: "tcp",
                    fromPort: rule.ports.from,
                    toPort: rule.ports.to,
                    description: rule.description,
                    ...source,
                },
                { parent: this, ...(rule.formerKey !== undefined ? { aliases: [{ name: `${prefix}-${rule.formerKey}` }] } : {}) },
            );
        }

        // 0. admin.tls: the cluster's CA, the node certificate every node shares, and the security plugin's config,
        //    as SecureString parameters the nodes fetch at first boot (ops/search/security.ts). Nothing secret is
        //    in the user data; the private keys live in the state as secrets.
        const security = c.admin.tls ? this.securityMaterial(name, c, args) : undefined;
        if (security) this.adminTls = { caPem: security.caPem, serverName: security.serverName };

        const legacy = new Set(args.legacyNamed ?? []);
        // Every resource of a node is named from its identity; `kind` is the resource's suffix ("" for the host).
        const nodeResource = (n: SearchNodePlan, kind: string) => {
            const suffix = kind ? `-${kind}` : "";
            return {
                name: `${name}-${n.identity}${suffix}`,
                opts: legacy.has(n.name) ? { aliases: [{ name: `${name}-${n.name}${suffix}` }] } : {},
            };
        };
        const hostFor = (n: SearchNodePlan, dependsOn: pulumi.Resource[]): Host => {
            const r = nodeResource(n, "");
            return new Host(
                r.name,
                {
                    imageId: n.image,
                    instanceType: n.instanceType,
                    subnetId: n.subnetId,
                    securityGroupIds: [args.securityGroupIds[n.tier]],
                    instanceProfileName: args.instanceProfileNames[n.tier],
                    rootVolumeGiB: n.rootVolumeGiB,
                    ...(n.dataVolumeGiB !== undefined ? { dataVolumes: [{ deviceName: DATA_VOLUME_DEVICE, sizeGiB: n.dataVolumeGiB }] } : {}),
                    ...(n.spot ? { spot: { interruptionBehavior: "terminate" as const } } : {}),
                    associatePublicIp: false,
                    generation: n.generation,
                    userData: n.userData,
                    tier: n.tier,
                    // The user data and Name tag keep the node's config name, whatever its identity.
                    label: `${name}-${n.name}`,
                    // Never a stop/start of a search node: a type or root volume change is a new node, drained in.
                    typeChange: "replace",
                    // The heap the first boot reads (ops/search/boot.ts); a tag change is in place, the bounce restarts.
                    ...(n.userDataFormat === "heap-from-tag" ? { bootTags: { [HEAP_TAG]: n.heap } } : {}),
                },
                {
                    parent: this,
                    ...r.opts,
                    ...(dependsOn.length + (security?.parameters.length ?? 0) > 0 ? { dependsOn: [...dependsOn, ...(security?.parameters ?? [])] } : {}),
                },
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
        const base =
            c.admin.endpoint !== undefined
                ? pulumi.output(c.admin.endpoint)
                : pulumi.interpolate`${c.admin.tls ? "https" : "http"}://${endpointHost.privateIp}:${SEARCH_HTTP.from}`;
        // admin.auth basic: the password is dataplat:searchAdminPassword, which config validation refuses
        // when supplied empty (ops/config/parse.ts), or a generated one; unknown at preview, so nothing is
        // checked on it here (a check inside this apply would only fire in the middle of `pulumi up`).
        this.endpoint = pulumi.secret(
            c.admin.auth === "basic"
                ? pulumi
                      .all([base, pulumi.output(args.adminPassword!)])
                      .apply(([b, password]) => endpointWithCredentials(b, { username: c.admin.username, password }))
                : base.apply((b) => endpointWithCredentials(b)),
        );
        // With TLS the CLI trusts exactly the cluster's CA and checks the node certificate's name (not the IP).
        const environment = {
            [SEARCH_ENDPOINT_ENV]: this.endpoint,
            ...(security ? { [SEARCH_CA_ENV]: security.caPem, [SEARCH_TLS_NAME_ENV]: security.serverName } : {}),
        };
        const restartEnvironment = args.sshPrivateKey !== undefined ? { ...environment, [SEARCH_SSH_KEY_ENV]: pulumi.secret(args.sshPrivateKey) } : environment;
        const shell = { interpreter: ["/bin/bash", "-c"] };
        const ready = new command.local.Command(
            `${name}-ready`,
            {
                create: waitReachableCommand({ timeoutSeconds: c.timeouts.readySeconds }),
                environment,
                ...shell,
                triggers: [endpointSpec.nodeName, endpointSpec.replacementKey],
            },
            { parent: this, dependsOn: [...hosts.values()], replaceWith: [endpointHost.instance] },
        );

        // 3. Data nodes: undrain <- instance <- drain, each chain node after node.
        const drains: command.local.Command[] = [];
        const joined = new Map<string, pulumi.Resource>();
        let lastUndrain: command.local.Command | undefined;
        for (const n of args.nodes.filter((x) => x.data)) {
            const triggers = [n.nodeName, n.replacementKey];
            // The zone excluded before the node (the plan's decision, ops/search/update.ts drainSpotZone).
            const spotZone = n.drainSpotZone;
            const undrainResource = nodeResource(n, "undrain");
            const undrain = new command.local.Command(
                undrainResource.name,
                {
                    create: NOOP_COMMAND,
                    update: NOOP_COMMAND,
                    delete: c.decommission ? NOOP_COMMAND : undrainCommand({ node: n.nodeName, spotZone: c.zones.spot, zoneAttribute: c.zones.attribute }),
                    environment,
                    ...shell,
                    triggers,
                },
                { parent: this, ...undrainResource.opts, dependsOn: lastUndrain ? [lastUndrain] : [] },
            );
            lastUndrain = undrain;
            const host = hostFor(n, [undrain]);
            hosts.set(n.name, host);
            const drainResource = nodeResource(n, "drain");
            const drain = new command.local.Command(
                drainResource.name,
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
                // replaceWith: whatever replaces the instance (a config change, `pulumi up --replace`, drift, a provider
                // upgrade) replaces its drain too, so the old instance is never deleted without its drain running first.
                { parent: this, ...drainResource.opts, dependsOn: [host, ready, ...drains.slice(-1)], replaceWith: [host.instance] },
            );
            drains.push(drain);
            joined.set(n.name, drain);
        }

        // 4. Bounces: after every node joined, one at a time in node order; each restarts its node with its heap.
        // A node has one only once its heap differs from the heap it booted with (SearchNodeSpec.bounce).
        let lastBounce: command.local.Command | undefined;
        const bounces: command.local.Command[] = [];
        for (const n of args.nodes.filter((x) => x.bounce)) {
            const host = hosts.get(n.name)!;
            const restart = host.privateIp.apply((ip) =>
                sshRestartCommand({
                    host: ip,
                    user: c.restart.sshUser,
                    heap: n.heap,
                    ...(args.sshPrivateKey !== undefined ? { keyEnv: SEARCH_SSH_KEY_ENV } : {}),
                }),
            );
            const create = n.endpoint
                ? restart.apply((r) => restartEndpointNodeCommand({ restart: r, timeoutSeconds: c.timeouts.bounceSeconds }))
                : restart.apply((r) => bounceCommand({ node: n.nodeName, restart: r, timeoutSeconds: c.timeouts.bounceSeconds, allocation: "primaries" }));
            const after = lastBounce ? [lastBounce] : [ready, ...drains];
            const bounceResource = nodeResource(n, "bounce");
            lastBounce = new command.local.Command(
                bounceResource.name,
                { create, update: NOOP_COMMAND, environment: restartEnvironment, ...shell, triggers: [n.nodeName, n.replacementKey, n.configKey] },
                {
                    parent: this,
                    ...bounceResource.opts,
                    dependsOn: [host, ...(joined.has(n.name) ? [joined.get(n.name)!] : []), ...after],
                    replaceWith: [host.instance],
                },
            );
            bounces.push(lastBounce);
        }

        this.nodeIps = Object.fromEntries(args.nodes.map((n) => [n.name, hosts.get(n.name)!.privateIp]));
        this.done = pulumi.all([ready.stdout, ...drains.map((d) => d.stdout), ...bounces.map((b) => b.stdout)]).apply(() => true);
        this.registerOutputs({ nodeIps: this.nodeIps, endpoint: this.endpoint });
    }

    /** The CA, the shared node certificate and the security config, and the parameters that hold them. */
    private securityMaterial(
        name: string,
        c: SearchClusterConfig,
        args: SearchClusterArgs,
    ): { parameters: aws.ssm.Parameter[]; caPem: pulumi.Output<string>; serverName: string } {
        const names = args.securityParameters;
        if (names === undefined || args.adminPassword === undefined || args.passwordSaltSeed === undefined) {
            throw new Error(`${name}: admin.tls needs securityParameters, adminPassword and passwordSaltSeed`);
        }
        const spec = clusterTls(c.clusterName);
        const opts = { parent: this };
        const caKey = new tls.PrivateKey(`${name}-tls-ca-key`, { ...KEY_ALGORITHM }, opts);
        const ca = new tls.SelfSignedCert(
            `${name}-tls-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                subject: spec.ca.subject,
                isCaCertificate: true,
                allowedUses: spec.ca.allowedUses,
                validityPeriodHours: spec.ca.validityHours,
                earlyRenewalHours: spec.ca.earlyRenewalHours,
            },
            opts,
        );
        const nodeKey = new tls.PrivateKey(`${name}-tls-node-key`, { ...KEY_ALGORITHM }, opts);
        const request = new tls.CertRequest(
            `${name}-tls-node-request`,
            { privateKeyPem: nodeKey.privateKeyPem, subject: spec.node.subject, dnsNames: spec.node.dnsNames },
            opts,
        );
        const nodeCert = new tls.LocallySignedCert(
            `${name}-tls-node`,
            {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                caCertPem: ca.certPem,
                allowedUses: spec.node.allowedUses,
                validityPeriodHours: spec.node.validityHours,
                earlyRenewalHours: spec.node.earlyRenewalHours,
            },
            opts,
        );
        // bcrypt salt: 16 bytes of sha256(seed, cluster, user), stable so the parameter changes only with the password.
        const salt = createHash("sha256")
            .update(`dataplat search admin\0${args.passwordSaltSeed}\0${c.clusterName}\0${c.admin.username}`)
            .digest()
            .subarray(0, 16);
        const files = pulumi.secret(
            pulumi
                .output(args.adminPassword)
                .apply((password) => securityConfigFiles({ username: c.admin.username, passwordHash: adminPasswordHash(password, salt) })),
        );
        const values: [keyof SecurityParameterNames, pulumi.Input<string>][] = [
            ["ca", ca.certPem],
            ["nodeCert", nodeCert.certPem],
            ["nodeKey", nodeKey.privateKeyPemPkcs8],
            ["internalUsers", files.apply((f) => f["internal_users.yml"])],
            ["rolesMapping", files.apply((f) => f["roles_mapping.yml"])],
            ["config", files.apply((f) => f["config.yml"])],
        ];
        const parameters = values.map(
            ([key, value]) =>
                new aws.ssm.Parameter(
                    `${name}-tls-${key}`,
                    {
                        name: names[key],
                        type: "SecureString",
                        value: pulumi.secret(value),
                        description: `dataplat search cluster ${c.clusterName}: ${key}, read by its nodes at first boot`,
                    },
                    opts,
                ),
        );
        return { parameters, caPem: ca.certPem, serverName: spec.serverName };
    }
}
