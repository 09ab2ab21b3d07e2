/**
 * Checks that refuse a platform update before it touches a machine. Each compares the config that
 * is deployed (`previous`, undefined on the first deploy) with the one about to be deployed and
 * returns the violations as actionable sentences; an empty list means the update may proceed.
 *
 * The rules come from the run book's failure catalogue:
 * - "More than one Zookeeper server down - may result in a failure to form a quorum";
 * - "Unavailability of the NameNode (Single point of failure if not using HA Namenode)",
 *   "Loss of the PostgreSQL DB (Single point of failure)", "TabletServer failure while no Master
 *   is running - some tablets will be unassigned";
 * - "More than 2 DataNode process failures in a short time resulting in all replicas for a block
 *   to be missing": a single worker can be lost and its workload is taken over, several cannot.
 */
import type { PlatformConfig, PlatformHost } from "./config";
import { placedHosts } from "./config";
import { LAYERS, SERVICES, serviceSpec, type LayerNumber, type ServiceName } from "./services";
import { REPLACING_FIELDS, type Environment } from "../shared/hosts";

export type GuardrailRule = "zookeeper-ensemble" | "zookeeper-disruption" | "last-instance" | "worker-disruption";

export interface Violation {
    readonly rule: GuardrailRule;
    readonly message: string;
}

export type HostChange = { readonly kind: "removed" } | { readonly kind: "replaced"; readonly changes: readonly string[] };

/** Hosts of `previous` that `next` removes or replaces, by name. */
export function hostChanges(previous: PlatformConfig, next: PlatformConfig): Map<string, HostChange> {
    const after = new Map<string, PlatformHost>(next.hosts.map((h) => [h.name, h]));
    const out = new Map<string, HostChange>();
    for (const before of previous.hosts) {
        const now = after.get(before.name);
        if (now === undefined) {
            out.set(before.name, { kind: "removed" });
            continue;
        }
        const changes = REPLACING_FIELDS.filter((f) => before[f] !== now[f]).map(
            (f) => `${f} ${String(before[f] ?? "(none)")} -> ${String(now[f] ?? "(none)")}`,
        );
        if (changes.length > 0) out.set(before.name, { kind: "replaced", changes });
    }
    return out;
}

function describe(change: HostChange): string {
    return change.kind === "removed" ? "removed" : `replaced (${change.changes.join(", ")})`;
}

/** Why the instance of `service` on `host` does not carry over into `next`, or undefined if it does. */
function disruption(service: ServiceName, host: string, next: PlatformConfig, changes: Map<string, HostChange>): string | undefined {
    const change = changes.get(host);
    if (change !== undefined) return describe(change);
    if (!placedHosts(next, serviceSpec(service).placement).includes(host)) return `no longer runs ${service}`;
    return undefined;
}

/** In prod, ZooKeeper runs an odd ensemble of at least 3 so one server can fail without losing quorum. */
export function checkZooKeeperEnsemble(next: PlatformConfig, environment: Environment): Violation[] {
    if (environment !== "prod") return [];
    const count = next.services.zookeeper.length;
    if (count < 3) {
        return [
            {
                rule: "zookeeper-ensemble",
                message: `ZooKeeper has ${count} server${count === 1 ? "" : "s"} in prod; place it on at least 3 hosts (an odd number: 3 or 5) in services.zookeeper so that losing one server keeps a quorum`,
            },
        ];
    }
    if (count % 2 === 0) {
        return [
            {
                rule: "zookeeper-ensemble",
                message: `ZooKeeper has ${count} servers in prod; an even ensemble survives no more failures than ${count - 1} servers do. Use ${count - 1} or ${count + 1} hosts in services.zookeeper`,
            },
        ];
    }
    return [];
}

/** At most one ZooKeeper server may go down per update ("More than one Zookeeper server down"). */
export function checkZooKeeperDisruption(previous: PlatformConfig, next: PlatformConfig): Violation[] {
    const changes = hostChanges(previous, next);
    const down = previous.services.zookeeper.map((host) => ({ host, why: disruption("zookeeper", host, next, changes) })).filter((d) => d.why !== undefined);
    if (down.length <= 1) return [];
    return [
        {
            rule: "zookeeper-disruption",
            message: `this update would take down ${down.length} ZooKeeper servers at once (${down.map((d) => `${d.host}: ${d.why}`).join("; ")}); more than one ZooKeeper server down can lose the quorum. Change one ZooKeeper host per update and wait until it has rejoined the ensemble before the next`,
        },
    ];
}

const SINGLE_POINTS: readonly { service: ServiceName; keeps: string }[] = [
    {
        service: "postgresql",
        keeps: "the Koverse metadata database lives only there; restore the latest pg_dump backup onto a new PostgreSQL host in one update, then remove the old one in the next",
    },
    {
        service: "namenode",
        keeps: "HDFS metadata (fsimage and edits) lives there; add the new NameNode host (HA pair) in one update, then remove the old one in the next",
    },
    {
        service: "accumulo-master",
        keeps: "tablet servers that fail while no master runs leave tablets unassigned; add the new Accumulo master host in one update, then remove the old one in the next",
    },
];

/** Removing or replacing every instance of PostgreSQL, the NameNode or the Accumulo master in one update. */
export function checkLastInstance(previous: PlatformConfig, next: PlatformConfig): Violation[] {
    const changes = hostChanges(previous, next);
    const out: Violation[] = [];
    for (const { service, keeps } of SINGLE_POINTS) {
        const before = placedHosts(previous, serviceSpec(service).placement);
        const gone = before.map((host) => ({ host, why: disruption(service, host, next, changes) }));
        if (before.length > 0 && gone.every((g) => g.why !== undefined)) {
            out.push({
                rule: "last-instance",
                message: `this update would remove the last ${serviceSpec(service).title} (${gone.map((g) => `${service}@${g.host}: ${g.why}`).join("; ")}): ${keeps}`,
            });
        }
    }
    return out;
}

const SETTLE: Partial<Record<LayerNumber, string>> = {
    2: "wait until HDFS has re-replicated its blocks (`hdfs fsck /` reports HEALTHY)",
    3: "wait until its tablets are reassigned and its YARN containers rescheduled (no unassigned tablets on the Accumulo monitor)",
};

/** Replacing or removing more than one worker host (DataNode, tablet server, NodeManager, Kafka broker) of a layer. */
export function checkWorkerDisruption(previous: PlatformConfig, next: PlatformConfig): Violation[] {
    const changes = hostChanges(previous, next);
    const out: Violation[] = [];
    for (const layer of LAYERS) {
        const disrupted = new Map<string, string>();
        for (const spec of SERVICES) {
            if (!spec.worker || spec.layer !== layer.number) continue;
            for (const host of placedHosts(previous, spec.placement)) {
                const why = disruption(spec.name, host, next, changes);
                if (why !== undefined && !disrupted.has(host)) disrupted.set(host, why);
            }
        }
        if (disrupted.size > 1) {
            const list = [...disrupted]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([host, why]) => `${host}: ${why}`)
                .join("; ");
            out.push({
                rule: "worker-disruption",
                message: `${layer.title}: this update would replace or remove ${disrupted.size} worker hosts at once (${list}); change one worker host per update and ${SETTLE[layer.number] ?? "wait until the rest have taken over its work"} before the next`,
            });
        }
    }
    return out;
}

/** Every guardrail; `previous` is undefined on the first deploy. */
export function checkPlatformUpdate(previous: PlatformConfig | undefined, next: PlatformConfig, environment: Environment): Violation[] {
    const out = checkZooKeeperEnsemble(next, environment);
    if (previous === undefined) return out;
    return [...out, ...checkZooKeeperDisruption(previous, next), ...checkLastInstance(previous, next), ...checkWorkerDisruption(previous, next)];
}
