// The search cluster section of the stack config (zod v4, strict: an unknown key is a typo, not ignored),
// the rendering of a node's opensearch.yml / elasticsearch.yml, and each node's machine inputs and first-boot
// script as the SearchCluster component registers them (searchNodeSpecs). Pure.
//
// Shape of the ActiveData cluster: a coordinator (cluster-manager eligible; the runbook's node on the FrontEnd,
// here on its own small host in the frontend tier), dedicated cluster-manager ("master") nodes, on-demand "backup"
// data nodes in the reliable zone, spot data nodes in the spot zone. Each node has a stable `name`; its OpenSearch
// node name is `<name>-g<generation>`, and bumping `generation` (or changing instanceType, image, subnet or
// volume) replaces the node through a drain; changing its heap bounces it.

import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { z } from "zod";
import { searchNodeName } from "./commands";
import { zoneValueProblem } from "./flags";
import { DeployedBoot, UserDataFormat, bootPlan, userDataFormat } from "./boot";
import { SecurityParameterNames, securityBootFragment, securitySettings } from "./security";
import { renderNodeUserData } from "./scripts";

const nodeName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, "lower-case letters, digits and dashes, starting with a letter")
  .refine((n) => !/-g\d+$/.test(n), "must not end in -g<number>: the generation suffix is added from `generation`");

const heap = z.string().regex(/^[1-9]\d*[mg]$/, 'a JVM heap size such as "512m" or "31g"');

export const SearchNodeConfig = z.strictObject({
  name: nodeName,
  instanceType: z.string().min(1),
  /** Machine image; changing it replaces the node. */
  image: z.string().min(1).optional(),
  /** Bump to replace the node in place of an unchanged config (new OpenSearch node name). */
  generation: z.int().min(0).default(0),
  heap,
  volumeSizeGiB: z.int().positive(),
  /** Value of the zone attribute; defaults to the group's zone (zones.backup / zones.spot). */
  zone: z.string().min(1).optional(),
  /** Index into network.subnets; default: a stable pick from the node's name (changing it replaces the node). */
  subnet: z.int().min(0).max(63).optional(),
});
export type SearchNodeConfig = z.infer<typeof SearchNodeConfig>;

export const SearchClusterConfig = z
  .strictObject({
    clusterName: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    engine: z.strictObject({
      distribution: z.enum(["opensearch", "elasticsearch"]),
      version: z.string().regex(/^\d+\.\d+\.\d+$/),
    }),
    /**
     * The coordinator (the runbook's node "on the FrontEnd"): serves queries, is the endpoint `pulumi up` talks
     * to, and is cluster-manager eligible by default. It runs on its own small host in the frontend tier.
     */
    coordinator: z
      .strictObject({
        name: nodeName,
        generation: z.int().min(0).default(0),
        heap,
        clusterManager: z.boolean().default(true),
        instanceType: z.string().min(1).default("m6i.large"),
        image: z.string().min(1).optional(),
        subnet: z.int().min(0).max(63).optional(),
      })
      .optional(),
    /** Dedicated cluster-manager (master) nodes. */
    masters: z.array(SearchNodeConfig).default([]),
    /** On-demand data nodes in the reliable zone ("backup nodes"). */
    backupNodes: z.array(SearchNodeConfig).min(1),
    spotNodes: z.array(SearchNodeConfig).default([]),
    /** index.number_of_replicas of the data indexes. */
    replicas: z.int().min(0).default(1),
    zones: z
      .strictObject({
        /** Node attribute holding the zone: node.attr.<attribute>. */
        attribute: z.string().regex(/^[a-z_][a-z0-9_]*$/).default("zone"),
        backup: z.string().min(1).default("reliable"),
        spot: z.string().min(1).default("spot"),
        /** Also set cluster.routing.allocation.awareness.attributes to the zone attribute. */
        awareness: z.boolean().default(false),
      })
      .prefault({}),
    /** Machine image of every node (with the engine installed as a systemd unit); default hosts.imageId. */
    image: z.string().min(1).optional(),
    rootVolumeGiB: z.int().min(8).max(16384).default(30),
    /** How `pulumi up` reaches the cluster's REST API (the coordinator, else the first master). */
    admin: z
      .strictObject({
        /** e.g. http://localhost:9201 through the runbook's SSH tunnel; default http(s)://<coordinator IP>:9200. No credentials here. */
        endpoint: z
          .string()
          .refine((u) => endpointProblem(u) === undefined, { error: (i) => endpointProblem(String(i.input)) ?? "invalid endpoint" })
          .optional(),
        /** https for the default endpoint. */
        tls: z.boolean().default(false),
        /** basic: the endpoint carries username and dataplat:searchAdminPassword (a Pulumi secret, never in a command string). */
        auth: z.enum(["none", "basic"]).default("none"),
        username: z.string().regex(/^[A-Za-z0-9_.-]+$/).default("admin"),
        /** Let network.operatorCidrs reach the coordinator's 9200 (where `pulumi up` runs from). */
        operatorAccess: z.boolean().default(true),
      })
      .prefault({}),
    timeouts: z
      .strictObject({
        /** Cluster answering through the endpoint (first deployment, coordinator replaced). */
        readySeconds: z.int().min(1).max(86400).default(1800),
        /** A new node joining. */
        joinSeconds: z.int().min(1).max(86400).default(1800),
        /** Moving every copy off a node ("took 1 day to move 2 terabytes off a node"). */
        drainSeconds: z.int().min(1).max(7 * 86400).default(86400),
        /** A controlled restart, through green. */
        bounceSeconds: z.int().min(1).max(86400).default(3600),
      })
      .prefault({}),
    /** Recovery throttles raised during a drain (restored afterwards). */
    drain: z
      .strictObject({
        nodeConcurrentRecoveries: z.int().min(1).max(64).optional(),
        maxBytesPerSec: z.string().regex(/^\d+(b|kb|mb|gb)$/, 'a byte rate such as "200mb"').optional(),
      })
      .prefault({}),
    /** Restarts go over SSH as this user (key: dataplat:sshPrivateKey, else the runner's agent). */
    restart: z.strictObject({ sshUser: z.string().regex(/^[a-z_][a-z0-9_-]*$/).default("ec2-user") }).prefault({}),
    /**
     * Escape hatch before tearing the cluster down: an update with `decommission: true` turns every drain and
     * undrain into a no-op, so `pulumi destroy` (or removing this section) terminates nodes without draining.
     */
    decommission: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const major = Number(c.engine.version.split(".")[0]);
    if (c.engine.distribution === "elasticsearch" && major !== 7) {
      ctx.addIssue({ code: "custom", path: ["engine", "version"], message: "Elasticsearch 7.x is supported" });
    }
    if (c.engine.distribution === "opensearch" && (major < 1 || major > 3)) {
      ctx.addIssue({ code: "custom", path: ["engine", "version"], message: "OpenSearch 1.x to 3.x is supported" });
    }
    if (c.admin.tls && !(c.engine.distribution === "opensearch" && (major === 2 || major === 3))) {
      ctx.addIssue({ code: "custom", path: ["admin", "tls"], message: "TLS on the nodes is rendered for OpenSearch 2.x and 3.x (its security plugin)" });
    }
    if (c.admin.tls && c.admin.auth !== "basic") {
      ctx.addIssue({ code: "custom", path: ["admin", "auth"], message: "admin.tls: true turns the security plugin on, which answers no anonymous request: set admin.auth: basic" });
    }
    if (c.admin.auth === "basic" && !basicAuthIsProtected(c.admin)) {
      ctx.addIssue({
        code: "custom",
        path: ["admin", "auth"],
        message: "basic auth over plain http would send the admin password in clear: set admin.tls: true, or admin.endpoint to an SSH tunnel on localhost",
      });
    }
    // Zone values end up in exclusion lists, where a comma or a * would exclude more than one zone.
    for (const [path, value] of [
      [["zones", "backup"], c.zones.backup],
      [["zones", "spot"], c.zones.spot],
      ...([["masters", c.masters], ["backupNodes", c.backupNodes], ["spotNodes", c.spotNodes]] as const).flatMap(([group, nodes]) =>
        nodes.flatMap((n, i) => (n.zone !== undefined ? [[[group, i, "zone"], n.zone] as const] : [])),
      ),
    ] as const) {
      const problem = zoneValueProblem(value);
      if (problem) ctx.addIssue({ code: "custom", path: [...path], message: problem });
    }
    if (c.zones.backup === c.zones.spot) {
      ctx.addIssue({ code: "custom", path: ["zones", "spot"], message: "must differ from zones.backup: excluding the spot zone would exclude the backup nodes too" });
    }
    const seen = new Set<string>();
    for (const name of [c.coordinator?.name, ...[...c.masters, ...c.backupNodes, ...c.spotNodes].map((n) => n.name)]) {
      if (name === undefined) continue;
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: [], message: `node name ${name} is used twice` });
      seen.add(name);
    }
  });
export type SearchClusterConfig = z.infer<typeof SearchClusterConfig>;
export type SearchClusterConfigInput = z.input<typeof SearchClusterConfig>;

export type SearchNodeRole = "coordinator" | "cluster-manager" | "backup" | "spot";

/** A node of the cluster with its role and OpenSearch node name. */
export interface PlacedNode {
  role: SearchNodeRole;
  name: string;
  generation: number;
  nodeName: string;
  heap: string;
  zone: string;
}

/** Every node of the cluster, coordinator first. */
export function placedNodes(c: SearchClusterConfig): PlacedNode[] {
  const place = (role: SearchNodeRole, n: { name: string; generation: number; heap: string; zone?: string }, zone: string): PlacedNode => ({
    role,
    name: n.name,
    generation: n.generation,
    nodeName: searchNodeName(n.name, n.generation),
    heap: n.heap,
    zone: n.zone ?? zone,
  });
  return [
    ...(c.coordinator ? [place("coordinator", c.coordinator, c.zones.backup)] : []),
    ...c.masters.map((n) => place("cluster-manager", n, c.zones.backup)),
    ...c.backupNodes.map((n) => place("backup", n, c.zones.backup)),
    ...c.spotNodes.map((n) => place("spot", n, c.zones.spot)),
  ];
}

/** OpenSearch node names of the cluster-manager-eligible nodes (they bootstrap the cluster). */
export function clusterManagerNames(c: SearchClusterConfig): string[] {
  return placedNodes(c)
    .filter((n) => n.role === "cluster-manager" || (n.role === "coordinator" && c.coordinator?.clusterManager))
    .map((n) => n.nodeName);
}

export interface NodeHost {
  /** transport addresses (host or host:port) of the cluster-manager-eligible nodes. */
  seedHosts: string[];
  /** network.host; default "_site_". */
  networkHost?: string;
  /** Any further settings (ports, paths), written last. */
  extra?: Record<string, string | number | boolean | string[]>;
  /**
   * cluster.initial_cluster_manager_nodes. Default: every cluster-manager-eligible node of the config. An empty
   * list leaves the setting out, as it must be for a node joining a cluster that already formed.
   */
  initialClusterManagers?: readonly string[];
}

/** The node's opensearch.yml (elasticsearch.yml for Elasticsearch 7), as YAML text. */
export function renderOpensearchYml(c: SearchClusterConfig, nodeConfigName: string, host: NodeHost): string {
  const node = placedNodes(c).find((n) => n.name === nodeConfigName);
  if (!node) throw new Error(`no node named ${nodeConfigName} in search cluster ${c.clusterName}`);
  const es = c.engine.distribution === "elasticsearch";
  const manager = es ? "master" : "cluster_manager";
  const roles: Record<SearchNodeRole, string[]> = {
    coordinator: c.coordinator?.clusterManager ? [manager] : [],
    "cluster-manager": [manager],
    backup: ["data", "ingest"],
    spot: ["data", "ingest"],
  };
  const settings: Record<string, unknown> = {
    "cluster.name": c.clusterName,
    "node.name": node.nodeName,
    "node.roles": roles[node.role],
    [`node.attr.${c.zones.attribute}`]: node.zone,
    "network.host": host.networkHost ?? "_site_",
    "discovery.seed_hosts": host.seedHosts,
  };
  const initial = host.initialClusterManagers ?? clusterManagerNames(c);
  if (initial.length > 0) settings[es ? "cluster.initial_master_nodes" : "cluster.initial_cluster_manager_nodes"] = [...initial];
  if (c.zones.awareness) settings["cluster.routing.allocation.awareness.attributes"] = c.zones.attribute;
  Object.assign(settings, host.extra ?? {});
  return stringify(settings);
}

// ---- The admin endpoint setting ----

function endpointProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected a URL such as http://localhost:9201";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "expected an http or https URL";
  if (url.username || url.password) return "must not contain credentials: set admin.auth: basic and the secret dataplat:searchAdminPassword";
  if (url.pathname !== "/" || url.search || url.hash) return "expected scheme, host and port only";
  return undefined;
}

function basicAuthIsProtected(admin: { endpoint?: string; tls: boolean }): boolean {
  if (admin.endpoint === undefined) return admin.tls;
  const url = new URL(admin.endpoint);
  return url.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

// ---- Each node's machine: what the SearchCluster component registers, decided here ----

/** Where the engine's Debian/RPM package keeps things, and its systemd unit. */
export interface EngineLayout {
  service: string;
  user: string;
  configDir: string;
  configFile: string;
  dataDir: string;
  logDir: string;
}

export function engineLayout(c: SearchClusterConfig): EngineLayout {
  const e = c.engine.distribution;
  return {
    service: e,
    user: e,
    configDir: `/etc/${e}`,
    configFile: `/etc/${e}/${e}.yml`,
    dataDir: `/var/lib/${e}`,
    logDir: `/var/log/${e}`,
  };
}

/** Device name of a node's data volume (the boot script, ops/search/scripts.ts, finds it). */
export { DATA_VOLUME_DEVICE } from "./scripts";

/** The node `pulumi up` talks to (admin endpoint): the coordinator, else the first dedicated cluster-manager node. */
export function endpointNodeName(c: SearchClusterConfig): string | undefined {
  return c.coordinator?.name ?? c.masters[0]?.name;
}

/** A subnet index that depends only on the node's name, so adding or removing a node never moves another. */
export function stableSubnetIndex(name: string, count: number): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0) % count;
}

/** The inputs of a node's instance whose change gives a new machine (EC2 replaces the instance). */
export interface ReplacingInputs {
  image: string;
  instanceType: string;
  subnetId: string;
  spot: boolean;
  rootVolumeGiB: number;
  dataVolumeGiB: number | null;
  /** sha256 of the user data (opensearch.yml, node name and generation included). */
  userData: string;
}

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

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");

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
    ? { settings: securitySettings(c.clusterName, c.engine), fragment: securityBootFragment({ engine: c.engine, configDir: layout.configDir, user: layout.user, parameters: ctx.securityParameters! }) }
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
      extra: { "path.data": layout.dataDir, "path.logs": layout.logDir, "http.port": 9200, "transport.port": 9300, ...(security?.settings ?? {}) },
    });
    const subnet = n.subnet ?? stableSubnetIndex(p.name, ctx.subnets.length);
    const subnetId = ctx.subnets[subnet]?.id;
    if (subnetId === undefined) throw new RangeError(`search node ${p.name}: subnet ${subnet} is not an index into network.subnets (0-${ctx.subnets.length - 1})`);
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
        userData: sha(userData),
      };
      return { userData, replacing, replacementKey: sha(JSON.stringify(replacing)).slice(0, 16) };
    };
    const prev = ctx.deployed?.get(p.name);
    const format = userDataFormat(prev, machine("default-heap").replacementKey);
    const { userData, replacing, replacementKey } = machine(format);
    const boot = bootPlan(prev, { replacementKey, heap: p.heap, format });
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
      replacementKey,
      identity: `${p.nodeName}-${replacementKey.slice(0, 8)}`,
      configKey: sha(`${yml}\n# heap ${p.heap}\n`).slice(0, 16),
      userDataFormat: boot.format,
      ...(boot.bootHeap !== undefined ? { bootHeap: boot.bootHeap } : {}),
      bounce: boot.bounce,
    };
  });
}

/** Names of the replacing inputs that differ between two records (for refusal messages and the plan). */
export function replacingDifferences(before: ReplacingInputs, after: ReplacingInputs): string[] {
  const label: Record<keyof ReplacingInputs, string> = {
    image: "image",
    instanceType: "instanceType",
    subnetId: "subnet",
    spot: "spot/on-demand",
    rootVolumeGiB: "rootVolumeGiB",
    dataVolumeGiB: "volumeSizeGiB",
    userData: "opensearch.yml (generation, zone or cluster-wide settings)",
  };
  return (Object.keys(label) as (keyof ReplacingInputs)[]).filter((k) => before[k] !== after[k]).map((k) => label[k]);
}
