// The search cluster section of the stack config (zod v4, strict: an unknown key is a typo, not ignored). Pure.
//
// Shape of the ActiveData cluster: a coordinator (cluster-manager eligible; the runbook's node on the FrontEnd,
// here on its own small host in the frontend tier), dedicated cluster-manager ("master") nodes, on-demand "backup"
// data nodes in the reliable zone, spot data nodes in the spot zone. Each node has a stable `name`; its OpenSearch
// node name is `<name>-g<generation>`, and bumping `generation` (or changing instanceType, image, subnet or
// volume) replaces the node through a drain; changing its heap bounces it.

import { z } from "zod";
import { zoneValueProblem } from "./flags";

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
                attribute: z
                    .string()
                    .regex(/^[a-z_][a-z0-9_]*$/)
                    .default("zone"),
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
                username: z
                    .string()
                    .regex(/^[A-Za-z0-9_.-]+$/)
                    .default("admin"),
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
                drainSeconds: z
                    .int()
                    .min(1)
                    .max(7 * 86400)
                    .default(86400),
                /** A controlled restart, through green. */
                bounceSeconds: z.int().min(1).max(86400).default(3600),
            })
            .prefault({}),
        /** Recovery throttles raised during a drain (restored afterwards). */
        drain: z
            .strictObject({
                nodeConcurrentRecoveries: z.int().min(1).max(64).optional(),
                maxBytesPerSec: z
                    .string()
                    .regex(/^\d+(b|kb|mb|gb)$/, 'a byte rate such as "200mb"')
                    .optional(),
            })
            .prefault({}),
        /** Restarts go over SSH as this user (key: dataplat:sshPrivateKey, else the runner's agent). */
        restart: z
            .strictObject({
                sshUser: z
                    .string()
                    .regex(/^[a-z_][a-z0-9_-]*$/)
                    .default("ec2-user"),
            })
            .prefault({}),
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
            ctx.addIssue({
                code: "custom",
                path: ["admin", "auth"],
                message: "admin.tls: true turns the security plugin on, which answers no anonymous request: set admin.auth: basic",
            });
        }
        if (c.admin.auth === "basic" && !basicAuthIsProtected(c.admin)) {
            ctx.addIssue({
                code: "custom",
                path: ["admin", "auth"],
                message:
                    "basic auth over plain http would send the admin password in clear: set admin.tls: true, or admin.endpoint to an SSH tunnel on localhost",
            });
        }
        // Zone values end up in exclusion lists, where a comma or a * would exclude more than one zone.
        for (const [path, value] of [
            [["zones", "backup"], c.zones.backup],
            [["zones", "spot"], c.zones.spot],
            ...(
                [
                    ["masters", c.masters],
                    ["backupNodes", c.backupNodes],
                    ["spotNodes", c.spotNodes],
                ] as const
            ).flatMap(([group, nodes]) => nodes.flatMap((n, i) => (n.zone !== undefined ? [[[group, i, "zone"], n.zone] as const] : []))),
        ] as const) {
            const problem = zoneValueProblem(value);
            if (problem) ctx.addIssue({ code: "custom", path: [...path], message: problem });
        }
        if (c.zones.backup === c.zones.spot) {
            ctx.addIssue({
                code: "custom",
                path: ["zones", "spot"],
                message: "must differ from zones.backup: excluding the spot zone would exclude the backup nodes too",
            });
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

// The admin endpoint setting

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
