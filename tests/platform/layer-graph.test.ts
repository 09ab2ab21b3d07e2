import assert from "node:assert/strict";
import fc from "fast-check";
import { parsePlatformConfig, type PlatformConfigInput } from "../../ops/platform/config";
import {
    FINER_ORDER,
    dependencyList,
    findCycle,
    layerGraph,
    serviceInstances,
    shutdownDependencies,
    shutdownOrder,
    startupOrder,
    waves,
    type LayerGraph,
} from "../../ops/platform/layers";
import { serviceSpec } from "../../ops/platform/services";
import { haPlatform, singleHostPlatform } from "./fixtures";

function waveIndex(order: string[][]): Map<string, number> {
    return new Map(order.flatMap((wave, i) => wave.map((id) => [id, i] as const)));
}

/** Is there a dependency path from `from` to `to`? */
function reaches(graph: LayerGraph, from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
        const id = stack.pop()!;
        if (id === to) return true;
        if (seen.has(id)) continue;
        seen.add(id);
        stack.push(...(graph.dependsOn.get(id) ?? []));
    }
    return false;
}

describe("layer graph of the Koverse run book", () => {
    const graph = layerGraph(parsePlatformConfig(haPlatform()));
    const ids = (filter: (i: (typeof graph.instances)[number]) => boolean) =>
        graph.instances
            .filter(filter)
            .map((i) => i.id)
            .sort();

    it("has one instance per service and host, with stable ids service@host", () => {
        const config = parsePlatformConfig(haPlatform());
        assert.equal(graph.instances.length, new Set(graph.instances.map((i) => i.id)).size);
        assert.ok(graph.instances.some((i) => i.id === "datanode@worker-3" && i.service === "datanode" && i.host === "worker-3" && i.layer === 2));
        const placements = Object.values(config.services).reduce<number>((n, v) => n + (typeof v === "string" ? 1 : v!.length), 0);
        assert.equal(graph.instances.length, placements);
    });

    it("gives every instance exactly the instances of the layer below plus those its finer rules name", () => {
        for (const inst of graph.instances) {
            const expected = new Set(ids((o) => o.layer === inst.layer - 1));
            for (const rule of FINER_ORDER) if (rule.service === inst.service) for (const id of ids((o) => o.service === rule.after)) expected.add(id);
            assert.deepEqual(graph.dependsOn.get(inst.id), [...expected].sort(), inst.id);
        }
    });

    it("starts the coordination layer with no dependencies", () => {
        for (const id of ids((i) => i.layer === 1)) assert.deepEqual(graph.dependsOn.get(id), [], id);
    });

    it("starts tablet servers after every Accumulo master, NodeManagers after the ResourceManagers, the web app after the server", () => {
        const tserver = graph.dependsOn.get("accumulo-tserver@worker-1")!;
        assert.ok(tserver.includes("accumulo-master@master-1") && tserver.includes("accumulo-master@master-2"));
        assert.deepEqual(tserver, [...ids((i) => i.layer === 2), "accumulo-master@master-1", "accumulo-master@master-2"].sort());
        const nodemanager = graph.dependsOn.get("nodemanager@worker-2")!;
        assert.deepEqual(nodemanager, [...ids((i) => i.layer === 2), "resourcemanager@master-1", "resourcemanager@master-2"].sort());
        assert.ok(graph.dependsOn.get("koverse-webapp@app-1")!.includes("koverse-server@app-1"));
        assert.ok(!graph.dependsOn.get("koverse-server@app-1")!.includes("koverse-webapp@app-1"));
    });

    it("starts the NameNodes after the JournalNodes and ZooKeeper (the layer below)", () => {
        const namenode = graph.dependsOn.get("namenode@master-1")!;
        for (const id of ids((i) => i.service === "journalnode" || i.service === "zookeeper" || i.service === "postgresql"))
            assert.ok(namenode.includes(id), id);
    });

    it("keeps every finer rule inside one layer, so the layer rule plus these is the whole graph", () => {
        for (const rule of FINER_ORDER) assert.equal(serviceSpec(rule.service).layer, serviceSpec(rule.after).layer, rule.source);
    });

    it("does not serialize independent services of a layer", () => {
        const start = waveIndex(startupOrder(graph));
        const first = ["postgresql@master-3", "zookeeper@master-1", "zookeeper@master-2", "journalnode@master-3"];
        for (const id of first) assert.equal(start.get(id), 0, id);
        assert.equal(start.get("namenode@master-1"), start.get("datanode@worker-1"));
        assert.equal(start.get("resourcemanager@master-1"), start.get("accumulo-master@master-1"));
        assert.equal(start.get("kafka@worker-1"), start.get("accumulo-master@master-1"));
        assert.equal(start.get("accumulo-gc@master-2"), start.get("koverse-server@app-1"));
        const pairs: [string, string][] = [
            ["datanode@worker-1", "datanode@worker-2"],
            ["namenode@master-1", "datanode@worker-1"],
            ["namenode@master-1", "namenode@master-2"],
            ["accumulo-tserver@worker-1", "nodemanager@worker-1"],
            ["accumulo-master@master-1", "resourcemanager@master-2"],
            ["accumulo-gc@master-2", "koverse-webapp@app-1"],
            ["zookeeper@master-1", "postgresql@master-3"],
        ];
        for (const [a, b] of pairs) assert.ok(!reaches(graph, a, b) && !reaches(graph, b, a), `${a} / ${b}`);
    });

    it("stops in the reverse order: every instance stops before the ones it started after", () => {
        const start = waveIndex(startupOrder(graph));
        const stop = waveIndex(shutdownOrder(graph));
        for (const { from, to } of dependencyList(graph)) {
            assert.ok(start.get(to)! < start.get(from)!, `${to} starts before ${from}`);
            assert.ok(stop.get(from)! < stop.get(to)!, `${from} stops before ${to}`);
        }
    });

    it("stops every instance of a layer before any instance of the layer below", () => {
        const stop = waveIndex(shutdownOrder(graph));
        for (const upper of graph.instances) {
            for (const lower of graph.instances) {
                if (lower.layer < upper.layer) assert.ok(stop.get(upper.id)! < stop.get(lower.id)!, `${upper.id} before ${lower.id}`);
            }
        }
    });

    it("reverses every edge for shutdown and nothing else", () => {
        const reversed = shutdownDependencies(graph);
        const forward = dependencyList(graph)
            .map((d) => `${d.from}<${d.to}`)
            .sort();
        const backward = [...reversed].flatMap(([to, froms]) => froms.map((from) => `${from}<${to}`)).sort();
        assert.deepEqual(backward, forward);
    });

    it("is acyclic, and the cycle check finds a cycle when there is one", () => {
        assert.equal(findCycle(graph.dependsOn), undefined);
        const cyclic = new Map(graph.dependsOn);
        cyclic.set("zookeeper@master-1", ["koverse-webapp@app-1"]);
        const cycle = findCycle(cyclic);
        assert.ok(cycle !== undefined);
        assert.equal(cycle[0], cycle[cycle.length - 1]);
        assert.throws(() => waves(cyclic), /service dependency cycle/);
    });

    it("refuses waves over a dependency that is not in the graph", () => {
        assert.throws(() => waves(new Map([["a", ["b"]]])), /a depends on b, which is not in the graph/);
    });

    it("orders a single-host platform in the run book's layers", () => {
        const solo = layerGraph(parsePlatformConfig(singleHostPlatform()));
        const order = startupOrder(solo).map((wave) => wave.map((id) => id.replace("@solo", "")));
        assert.deepEqual(order, [
            ["postgresql", "zookeeper"],
            ["datanode", "namenode"],
            ["accumulo-master", "resourcemanager"],
            ["accumulo-tserver", "nodemanager"],
            ["accumulo-gc", "accumulo-monitor", "koverse-server"],
            ["koverse-webapp"],
        ]);
        assert.deepEqual(
            shutdownOrder(solo).map((wave) => wave.map((id) => id.replace("@solo", ""))),
            [
                ["accumulo-gc", "accumulo-monitor", "koverse-webapp"],
                ["koverse-server"],
                ["accumulo-tserver", "nodemanager"],
                ["accumulo-master", "resourcemanager"],
                ["datanode", "namenode"],
                ["postgresql", "zookeeper"],
            ],
        );
    });

    it("holds for any placement of the services on hosts (property)", () => {
        const hostNames = ["h1", "h2", "h3", "h4", "h5"];
        const some = fc.uniqueArray(fc.constantFrom(...hostNames), { minLength: 1, maxLength: 5 });
        const one = fc.constantFrom(...hostNames);
        const placement = fc.record({
            postgres: one,
            zookeeper: some,
            journalnodes: fc.option(some, { nil: undefined }),
            namenodes: fc.uniqueArray(one, { minLength: 1, maxLength: 1 }),
            datanodes: some,
            resourcemanagers: fc.uniqueArray(one, { minLength: 1, maxLength: 2 }),
            nodemanagers: some,
            accumuloMasters: some,
            tabletServers: some,
            kafkaBrokers: fc.option(some, { nil: undefined }),
            spark: fc.option(some, { nil: undefined }),
            accumuloMonitor: one,
            accumuloGc: one,
            applicationServer: one,
            webApp: one,
        });
        fc.assert(
            fc.property(placement, (services) => {
                const input: PlatformConfigInput = {
                    hosts: hostNames.map((name) => ({ name, instanceType: "m5.large", availabilityZone: "az-1" })),
                    services: Object.fromEntries(Object.entries(services).filter(([, v]) => v !== undefined)) as PlatformConfigInput["services"],
                };
                const g = layerGraph(parsePlatformConfig(input));
                assert.equal(findCycle(g.dependsOn), undefined);
                const layerOf = new Map(g.instances.map((i) => [i.id, i.layer]));
                for (const { from, to } of dependencyList(g)) {
                    const up = layerOf.get(from)!;
                    const down = layerOf.get(to)!;
                    assert.ok(
                        down === up - 1 || (down === up && FINER_ORDER.some((r) => from.startsWith(`${r.service}@`) && to.startsWith(`${r.after}@`))),
                        `${from} -> ${to}`,
                    );
                }
                const start = waveIndex(startupOrder(g));
                const stop = waveIndex(shutdownOrder(g));
                for (const { from, to } of dependencyList(g)) assert.ok(start.get(to)! < start.get(from)! && stop.get(from)! < stop.get(to)!);
                assert.equal(serviceInstances(parsePlatformConfig(input)).length, g.instances.length);
            }),
            { numRuns: 60 },
        );
    });
});
