/**
 * The layered startup order of the Koverse run book ("Total System Startup", YARN + HA variant):
 *
 *   1 coordination   PostgreSQL, ZooKeeper, HDFS JournalNodes
 *   2 data storage   HDFS NameNode(s), DataNodes
 *   3 data services  YARN ResourceManager + NodeManagers, Accumulo master + tablet servers, Kafka, Spark
 *   4 application    Accumulo monitor, Accumulo gc, Koverse Server, Koverse Web App
 *
 * Every service instance (service x host) starts after every instance of the layer below; within a
 * layer only the finer rules of FINER_ORDER serialize anything ("When systems do not depend on each
 * other they can be started at the same time"). Shutdown is the same graph reversed ("Processes
 * should be stopped in reverse of the startup layer order").
 */
import { placedHosts, type PlatformConfig } from "./config";
import { SERVICES, type LayerNumber, type ServiceName } from "./services";

export interface ServiceInstance {
    /** Stable id, `datanode@worker-3`. */
    readonly id: string;
    readonly service: ServiceName;
    readonly host: string;
    readonly layer: LayerNumber;
}

/** `from` starts after `to` is up (and stops before `to` goes down). */
export interface Dependency {
    readonly from: string;
    readonly to: string;
}

export interface FinerRule {
    readonly service: ServiceName;
    readonly after: ServiceName;
    readonly source: string;
}

/**
 * Edges inside a layer. Cross-layer edges from Ambari (ACCUMULO_MASTER-START after NAMENODE-START,
 * DATANODE-START and ZOOKEEPER_SERVER-START; NAMENODE-START after JOURNALNODE-START; ACCUMULO_MONITOR
 * and ACCUMULO_GC after ACCUMULO_MASTER-START) are already implied by the layers.
 */
export const FINER_ORDER: readonly FinerRule[] = [
    {
        service: "accumulo-tserver",
        after: "accumulo-master",
        // apache/ambari common-services/ACCUMULO/1.6.1.2.2.0/role_command_order.json:
        //   "ACCUMULO_TSERVER-START": ["ACCUMULO_MASTER-START"], "ACCUMULO_MASTER-STOP": ["ACCUMULO_TSERVER-STOP"]
        source: "Ambari ACCUMULO role_command_order.json: ACCUMULO_TSERVER-START after ACCUMULO_MASTER-START",
    },
    {
        service: "nodemanager",
        after: "resourcemanager",
        // apache/ambari stacks/HDP/2.0.6/role_command_order.json (optional_no_glusterfs):
        //   "NODEMANAGER-START": ["NAMENODE-START", "DATANODE-START", "RESOURCEMANAGER-START"]
        source: "Ambari HDP 2.0.6 role_command_order.json: NODEMANAGER-START after RESOURCEMANAGER-START",
    },
    {
        service: "koverse-webapp",
        after: "koverse-server",
        // The web app is a client of the Koverse Server's API (run book: the two Koverse components).
        source: "Koverse: the web app talks to the application server",
    },
];

export function instanceId(service: ServiceName, host: string): string {
    return `${service}@${host}`;
}

/** Every placed service x host, bottom layer first, in catalogue then host order. */
export function serviceInstances(config: PlatformConfig): ServiceInstance[] {
    const out: ServiceInstance[] = [];
    for (const spec of SERVICES) {
        for (const host of placedHosts(config, spec.placement)) {
            out.push({ id: instanceId(spec.name, host), service: spec.name, host, layer: spec.layer });
        }
    }
    return out.sort((a, b) => a.layer - b.layer);
}

export interface LayerGraph {
    readonly instances: readonly ServiceInstance[];
    /** id -> ids it starts after, sorted. */
    readonly dependsOn: ReadonlyMap<string, readonly string[]>;
}

/**
 * Each instance depends on every instance of the nearest non-empty layer below, plus the instances
 * of the services FINER_ORDER says it starts after.
 */
export function startupGraph(instances: readonly ServiceInstance[]): LayerGraph {
    const byLayer = new Map<LayerNumber, ServiceInstance[]>();
    for (const inst of instances) byLayer.set(inst.layer, [...(byLayer.get(inst.layer) ?? []), inst]);
    const below = (layer: LayerNumber): readonly ServiceInstance[] => {
        for (let l = layer - 1; l >= 1; l--) {
            const found = byLayer.get(l as LayerNumber);
            if (found !== undefined && found.length > 0) return found;
        }
        return [];
    };
    const dependsOn = new Map<string, readonly string[]>();
    for (const inst of instances) {
        const deps = new Set(below(inst.layer).map((d) => d.id));
        for (const rule of FINER_ORDER) {
            if (rule.service !== inst.service) continue;
            for (const other of instances) if (other.service === rule.after) deps.add(other.id);
        }
        dependsOn.set(inst.id, [...deps].sort());
    }
    return { instances, dependsOn };
}

/** The startup graph of a parsed platform config. */
export function layerGraph(config: PlatformConfig): LayerGraph {
    return startupGraph(serviceInstances(config));
}

/** The graph as a flat edge list (`from` starts after `to`). */
export function dependencyList(graph: LayerGraph): Dependency[] {
    const out: Dependency[] = [];
    for (const [from, tos] of graph.dependsOn) for (const to of tos) out.push({ from, to });
    return out;
}

/** The reversed graph: id -> ids that must be stopped before it. */
export function shutdownDependencies(graph: LayerGraph): ReadonlyMap<string, readonly string[]> {
    const out = new Map<string, string[]>(graph.instances.map((i) => [i.id, []]));
    for (const [from, tos] of graph.dependsOn) for (const to of tos) out.get(to)?.push(from);
    for (const list of out.values()) list.sort();
    return out;
}

/** A dependency cycle as ids (first repeated at the end), or undefined when the graph is acyclic. */
export function findCycle(dependsOn: ReadonlyMap<string, readonly string[]>): string[] | undefined {
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (id: string): string[] | undefined => {
        if (state.get(id) === "done") return undefined;
        if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
        state.set(id, "visiting");
        stack.push(id);
        for (const dep of dependsOn.get(id) ?? []) {
            const cycle = visit(dep);
            if (cycle !== undefined) return cycle;
        }
        stack.pop();
        state.set(id, "done");
        return undefined;
    };
    for (const id of [...dependsOn.keys()].sort()) {
        const cycle = visit(id);
        if (cycle !== undefined) return cycle;
    }
    return undefined;
}

export function assertAcyclic(dependsOn: ReadonlyMap<string, readonly string[]>): void {
    const cycle = findCycle(dependsOn);
    if (cycle !== undefined) throw new Error(`service dependency cycle: ${cycle.join(" -> ")}`);
}

/**
 * Waves of ids that can run at the same time: wave k holds the ids whose dependencies are all in
 * earlier waves (Kahn's algorithm). Throws on a cycle or on a dependency that is not in the graph.
 */
export function waves(dependsOn: ReadonlyMap<string, readonly string[]>): string[][] {
    assertAcyclic(dependsOn);
    for (const [id, deps] of dependsOn) {
        for (const d of deps) if (!dependsOn.has(d)) throw new Error(`${id} depends on ${d}, which is not in the graph`);
    }
    const placed = new Set<string>();
    const out: string[][] = [];
    while (placed.size < dependsOn.size) {
        const wave = [...dependsOn]
            .filter(([id, deps]) => !placed.has(id) && deps.every((d) => placed.has(d)))
            .map(([id]) => id)
            .sort();
        for (const id of wave) placed.add(id);
        out.push(wave);
    }
    return out;
}

/** Startup waves, bottom-up: what `pulumi up` can start together. */
export function startupOrder(graph: LayerGraph): string[][] {
    return waves(graph.dependsOn);
}

/** Shutdown waves, top-down: what `pulumi destroy` can stop together (the reversed graph). */
export function shutdownOrder(graph: LayerGraph): string[][] {
    return waves(shutdownDependencies(graph));
}
