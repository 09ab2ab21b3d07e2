// The search cluster section of the stack config (zod v4, strict: an unknown key is a typo, not ignored),
// and the rendering of a node's opensearch.yml / elasticsearch.yml. Pure.
//
// Shape of the ActiveData cluster: a coordinator (cluster-manager eligible) on the FrontEnd host, dedicated
// cluster-manager ("master") nodes, on-demand "backup" data nodes in the reliable zone, spot data nodes in
// the spot zone. Each node has a stable `name`; its OpenSearch node name is `<name>-g<generation>`, and
// bumping `generation` (or changing instanceType/image) replaces the node through a drain.

import { stringify } from "yaml";
import { z } from "zod";
import { searchNodeName } from "./commands";

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
});
export type SearchNodeConfig = z.infer<typeof SearchNodeConfig>;

export const SearchClusterConfig = z
  .strictObject({
    clusterName: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    engine: z.strictObject({
      distribution: z.enum(["opensearch", "elasticsearch"]),
      version: z.string().regex(/^\d+\.\d+\.\d+$/),
    }),
    /** The coordinator on the FrontEnd host; serves queries, and is cluster-manager eligible by default. */
    coordinator: z
      .strictObject({
        name: nodeName,
        generation: z.int().min(0).default(0),
        heap,
        clusterManager: z.boolean().default(true),
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
  })
  .superRefine((c, ctx) => {
    const major = Number(c.engine.version.split(".")[0]);
    if (c.engine.distribution === "elasticsearch" && major !== 7) {
      ctx.addIssue({ code: "custom", path: ["engine", "version"], message: "Elasticsearch 7.x is supported" });
    }
    if (c.engine.distribution === "opensearch" && (major < 1 || major > 3)) {
      ctx.addIssue({ code: "custom", path: ["engine", "version"], message: "OpenSearch 1.x to 3.x is supported" });
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
    [es ? "cluster.initial_master_nodes" : "cluster.initial_cluster_manager_nodes"]: clusterManagerNames(c),
  };
  if (c.zones.awareness) settings["cluster.routing.allocation.awareness.attributes"] = c.zones.attribute;
  Object.assign(settings, host.extra ?? {});
  return stringify(settings);
}
