/**
 * The search section: "Caring for ActiveData", Check ES Health. Judged from answers of the admin endpoint:
 * cluster health (and, when the status endpoint stalls, a query through the coordinator: "When ES suffers from
 * node loss, the status endpoint will stall ... Attempt a query"), unassigned shards by index, allocation
 * exclusions and `allocation.enable` left behind by an interrupted drain or bounce, which node answers the admin
 * endpoint, and each data node's disk against the cluster's watermarks.
 */
import type { Answer } from "./answer";
import { fault, type Finding, ok, unknown, warn } from "./findings";
import { ALLOCATION_ENABLE, type ClusterSettings, effectiveSetting, EXCLUDE_NAME, type Health, parseNameList, type ShardCopy } from "../search/model";

/** One data node's disk as `_cat/allocation?format=json&bytes=b` gives it. */
export interface NodeDisk {
    readonly node: string;
    readonly usedBytes: number;
    readonly totalBytes: number;
}

export interface SearchFacts {
    /** The admin endpoint without credentials. */
    readonly endpoint: string;
    readonly health: Answer<Health>;
    /** A query through the coordinator, asked when health did not answer (how long it took, ms). */
    readonly query?: Answer<{ readonly tookMs: number }>;
    readonly settings: Answer<ClusterSettings>;
    readonly shards: Answer<readonly ShardCopy[]>;
    /** The name of the node that answered `GET _nodes/_local`. */
    readonly answeringNode: Answer<string>;
    /** The node the outputs say should answer (search.endpointNode), when exported. */
    readonly expectedNode?: string;
    readonly disks: Answer<readonly NodeDisk[]>;
    /** The coverage indexes (COVERAGE_PATTERN) and their creation times, ms since the epoch. */
    readonly coverage: Answer<readonly { readonly index: string; readonly createdMs: number }[]>;
    /** The time of the run, ms since the epoch. */
    readonly now: number;
}

/** "look at the coverage indexes: If the latest one is today, then everything is OK" (Check ETL Pipeline Health). */
export const COVERAGE_PATTERN = "coverage*";

const S = "search" as const;
const EMERGENCY = 'runbook "Emergency Procedures" (dataplat:emergency)';

/** Every exclusion filter in force (transient shadows persistent), by key: `_name`, `_ip`, `_host`, attributes. */
export function exclusionsInForce(s: ClusterSettings): { key: string; values: string[] }[] {
    const keys = new Set([...Object.keys(s.transient), ...Object.keys(s.persistent)].filter((k) => k.startsWith("cluster.routing.allocation.exclude.")));
    const out: { key: string; values: string[] }[] = [];
    for (const key of [...keys].sort()) {
        const eff = effectiveSetting(s, key);
        const values = eff && eff.layer !== "defaults" ? parseNameList(eff.value) : [];
        if (values.length > 0) out.push({ key, values });
    }
    return out;
}

/**
 * A watermark in force as a used-fraction threshold for a disk of `totalBytes`: "85%" and "0.85" are fractions of
 * the disk; "50gb" is free space left (OpenSearch's absolute form), so the used threshold is total - 50gb.
 */
export function watermarkFraction(value: string, totalBytes: number): number | undefined {
    const v = value.trim().toLowerCase();
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(v);
    if (pct) return Number(pct[1]) / 100;
    if (/^0?\.\d+$|^1(\.0+)?$/.test(v)) return Number(v);
    const bytes = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)$/.exec(v);
    if (bytes && totalBytes > 0) {
        const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 }[bytes[2] as "b"];
        return Math.max(0, (totalBytes - Number(bytes[1]) * unit) / totalBytes);
    }
    return undefined;
}

const WATERMARK = (name: string) => `cluster.routing.allocation.disk.watermark.${name}`;

export function checkSearch(f: SearchFacts): Finding[] {
    const out: Finding[] = [];
    // Health, and the runbook's query when the status endpoint stalls.
    if (f.health.ok) {
        const h = f.health.value;
        const seen = `${h.status}: ${h.numberOfNodes} nodes (${h.numberOfDataNodes} data), ${h.unassignedShards} unassigned, ${h.relocatingShards} relocating, ${h.initializingShards} initializing shards`;
        if (h.status === "green") out.push(ok(S, "health", "cluster", seen));
        else if (h.status === "yellow")
            out.push(
                warn(
                    S,
                    "health",
                    "cluster",
                    seen,
                    "if many random replicas are unassigned, spot nodes were lost recently or a node ran out of memory: watch them recover; the cluster serves queries meanwhile",
                ),
            );
        else
            out.push(
                fault(
                    S,
                    "health",
                    "cluster",
                    seen,
                    `look at which shards are not allocated (below): if only new indexes, this clears within a minute; if random shards, many machines failed: follow the ${EMERGENCY}`,
                ),
            );
    } else if (f.query?.ok) {
        out.push(
            warn(
                S,
                "health",
                "cluster",
                `the status endpoint did not answer (${f.health.why}) but a query through the coordinator did (${f.query.value.tookMs} ms)`,
                "the status endpoint stalls after a node loss while queries still work: wait a bit and check again",
            ),
        );
    } else {
        const q = f.query && !f.query.ok ? `; a query through the coordinator failed too (${f.query.why})` : "";
        out.push(
            unknown(
                S,
                "health",
                "cluster",
                `${f.endpoint} did not answer: ${f.health.why}${q}`,
                'bounce the coordinator node (`sudo supervisorctl restart es` on the FrontEnd); if it keeps failing to find the cluster, follow the runbook "Emergency Procedures"',
            ),
        );
    }
    // Unassigned shards by index.
    if (f.shards.ok) {
        const byIndex = new Map<string, { primaries: number; replicas: number }>();
        for (const c of f.shards.value.filter((s) => s.state === "UNASSIGNED")) {
            const e = byIndex.get(c.index) ?? { primaries: 0, replicas: 0 };
            if (c.primary) e.primaries++;
            else e.replicas++;
            byIndex.set(c.index, e);
        }
        if (byIndex.size === 0) out.push(ok(S, "unassigned", "cluster", "every shard copy is assigned"));
        for (const [index, n] of [...byIndex.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
            const seen = `${n.primaries} primar${n.primaries === 1 ? "y" : "ies"} and ${n.replicas} replica(s) unassigned`;
            if (n.primaries > 0)
                out.push(
                    fault(
                        S,
                        "unassigned",
                        index,
                        seen,
                        `no copy of these shards is served: if ${index} is new, wait a minute; else ask \`GET _cluster/allocation/explain\` and follow the ${EMERGENCY}`,
                    ),
                );
            else
                out.push(
                    warn(S, "unassigned", index, seen, "replicas come back as nodes rejoin; if they stay unassigned, ask `GET _cluster/allocation/explain`"),
                );
        }
    } else out.push(unknown(S, "unassigned", "cluster", `_cat/shards did not answer: ${f.shards.why}`, "check again once the admin endpoint answers"));
    // What an interrupted drain (exclusions) or bounce (allocation.enable) leaves behind.
    if (f.settings.ok) {
        const s = f.settings.value;
        const enable = effectiveSetting(s, ALLOCATION_ENABLE);
        const value = enable?.value === undefined ? "all" : String(enable.value);
        if (value === "all") out.push(ok(S, "allocation", "cluster", `${ALLOCATION_ENABLE} is all`));
        else {
            out.push(
                fault(
                    S,
                    "allocation",
                    "cluster",
                    `${ALLOCATION_ENABLE} is "${value}" (${enable!.layer}): shards lost now are not re-replicated`,
                    `if no bounce is running, an interrupted bounce left it: set it back with \`PUT _cluster/settings {"${enable!.layer}":{"${ALLOCATION_ENABLE}":null}}\``,
                ),
            );
        }
        const exclusions = exclusionsInForce(s);
        if (exclusions.length === 0) out.push(ok(S, "exclusions", "cluster", "no allocation exclusions"));
        for (const e of exclusions) {
            const drain = e.key === EXCLUDE_NAME ? " (a drain excludes by node name)" : "";
            out.push(
                warn(
                    S,
                    "exclusions",
                    "cluster",
                    `${e.key} excludes ${e.values.join(", ")}${drain}`,
                    `if no drain or node replacement is running, an interrupted one left this: remove those names from ${e.key} (\`PUT _cluster/settings\`), keeping names someone else set`,
                ),
            );
        }
    } else out.push(unknown(S, "allocation", "cluster", `_cluster/settings did not answer: ${f.settings.why}`, "check again once the admin endpoint answers"));
    // Which node answers the admin endpoint.
    if (f.answeringNode.ok) {
        const name = f.answeringNode.value;
        if (f.expectedNode === undefined || f.expectedNode === name) out.push(ok(S, "endpoint", f.endpoint, `answered by ${name}`));
        else
            out.push(
                warn(
                    S,
                    "endpoint",
                    f.endpoint,
                    `answered by ${name}, not ${f.expectedNode} (search.endpointNode)`,
                    "the admin endpoint should reach the coordinator: check where search.adminUrl points and whether the coordinator was replaced",
                ),
            );
    } else out.push(unknown(S, "endpoint", f.endpoint, `_nodes/_local did not answer: ${f.answeringNode.why}`, "check again once the admin endpoint answers"));
    // Disk against the watermarks.
    if (f.disks.ok && f.settings.ok) {
        const s = f.settings.value;
        const enabled = String(effectiveSetting(s, "cluster.routing.allocation.disk.threshold_enabled")?.value ?? "true") !== "false";
        if (!enabled)
            out.push(
                warn(
                    S,
                    "disk",
                    "cluster",
                    "disk thresholds are disabled (cluster.routing.allocation.disk.threshold_enabled false): a full disk is not kept from growing",
                    "set cluster.routing.allocation.disk.threshold_enabled back to true",
                ),
            );
        for (const d of f.disks.value) {
            const used = d.totalBytes > 0 ? d.usedBytes / d.totalBytes : 0;
            const pct = `${(used * 100).toFixed(0)}% used`;
            const mark = (name: string) => {
                const v = effectiveSetting(s, WATERMARK(name))?.value;
                return v === undefined ? undefined : watermarkFraction(String(v), d.totalBytes);
            };
            const [low, high, flood] = [mark("low"), mark("high"), mark("flood_stage")];
            if (!enabled) continue;
            const dump =
                'find the crash dumps (`*.hprof`, see hosts) or big directories (`du -sh -- *`) and remove them: "This is most often caused by a crash dump filling the drive"';
            if (flood !== undefined && used >= flood)
                out.push(fault(S, "disk", d.node, `${pct}, over the flood stage watermark (${(flood * 100).toFixed(0)}%): its indexes are read-only`, dump));
            else if (high !== undefined && used >= high)
                out.push(fault(S, "disk", d.node, `${pct}, over the high watermark (${(high * 100).toFixed(0)}%): shards move off it`, dump));
            else if (low !== undefined && used >= low)
                out.push(warn(S, "disk", d.node, `${pct}, over the low watermark (${(low * 100).toFixed(0)}%): no new shards go to it`, dump));
            else out.push(ok(S, "disk", d.node, `${pct}${low !== undefined ? ` (low watermark ${(low * 100).toFixed(0)}%)` : ""}`));
        }
    } else if (!f.disks.ok)
        out.push(unknown(S, "disk", "cluster", `_cat/allocation did not answer: ${f.disks.why}`, "check again once the admin endpoint answers"));
    else
        out.push(
            unknown(S, "disk", "cluster", "the watermarks could not be read (_cluster/settings did not answer)", "check again once the admin endpoint answers"),
        );
    // ETL pipeline health: the newest coverage index is today's (UTC).
    if (!f.coverage.ok)
        out.push(
            unknown(
                S,
                "pipeline",
                "coverage",
                `_cat/indices/${COVERAGE_PATTERN} did not answer: ${f.coverage.why}`,
                "check again once the admin endpoint answers",
            ),
        );
    else if (f.coverage.value.length === 0) out.push(ok(S, "pipeline", "coverage", `no ${COVERAGE_PATTERN} index on this cluster: nothing to compare`));
    else {
        const newest = f.coverage.value.reduce((a, b) => (b.createdMs > a.createdMs ? b : a));
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        const seen = `the latest coverage index is ${newest.index}, created ${new Date(newest.createdMs).toISOString().slice(0, 16)}Z`;
        if (day(newest.createdMs) === day(f.now)) out.push(ok(S, "pipeline", "coverage", `${seen}: today`));
        else
            out.push(
                warn(
                    S,
                    "pipeline",
                    "coverage",
                    `${seen}: not today`,
                    "look at the SQS queues to see the backlog (the queues section): the search cluster recovering, push-to-es not running on the spot nodes, the ETL short of money, or ETL errors",
                ),
            );
    }
    return out;
}
