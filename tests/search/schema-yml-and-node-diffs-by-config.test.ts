import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { clusterManagerNames, placedNodes } from "../../ops/search/nodes";
import { SearchClusterConfig, type SearchClusterConfigInput } from "../../ops/search/schema";
import { renderOpensearchYml } from "../../ops/search/yml";
import { diffNodes } from "../../ops/search/changes";

const node = (name: string, extra: Record<string, unknown> = {}) => ({ name, instanceType: "r5.2xlarge", heap: "31g", volumeSizeGiB: 1000, ...extra });

const activeData = (over: Partial<SearchClusterConfigInput> = {}): SearchClusterConfig =>
    SearchClusterConfig.parse({
        clusterName: "active-data",
        engine: { distribution: "opensearch", version: "2.19.6" },
        coordinator: { name: "coordinator", heap: "4g" },
        masters: [node("master-1"), node("master-2")],
        backupNodes: [node("backup-1"), node("backup-2"), node("backup-3")],
        spotNodes: [node("spot-1", { instanceType: "i3.2xlarge" }), node("spot-2", { instanceType: "i3.2xlarge" })],
        replicas: 1,
        ...over,
    });

describe("search cluster config schema", () => {
    it("fills defaults: generation 0, zones reliable/spot on attribute zone", () => {
        const c = activeData();
        assert.equal(c.backupNodes[0]!.generation, 0);
        assert.deepEqual(c.zones, { attribute: "zone", backup: "reliable", spot: "spot", awareness: false });
        const spot = placedNodes(c).find((n) => n.name === "spot-1")!;
        assert.deepEqual([spot.nodeName, spot.zone, spot.role], ["spot-1-g0", "spot", "spot"]);
    });

    it("rejects unknown keys, bad heaps, fractional generations, duplicate names and unsupported versions", () => {
        const base = { clusterName: "c", engine: { distribution: "opensearch", version: "2.19.6" }, backupNodes: [node("b")] };
        assert.ok(SearchClusterConfig.safeParse(base).success);
        const bad: unknown[] = [
            { ...base, replica: 1 },
            { ...base, backupNodes: [{ ...node("b"), heap: "31GB" }] },
            { ...base, backupNodes: [{ ...node("b"), generation: 1.5 }] },
            { ...base, backupNodes: [{ ...node("b"), color: "red" }] },
            { ...base, backupNodes: [node("b"), node("b")] },
            { ...base, backupNodes: [node("b-g1")] },
            { ...base, spotNodes: [node("b")] },
            { ...base, engine: { distribution: "elasticsearch", version: "8.11.0" } },
            { ...base, engine: { distribution: "opensearch", version: "4.0.0" } },
            { ...base, backupNodes: [] },
        ];
        for (const b of bad) assert.equal(SearchClusterConfig.safeParse(b).success, false, JSON.stringify(b));
    });

    it("counts the coordinator as cluster-manager eligible unless told otherwise", () => {
        assert.deepEqual(clusterManagerNames(activeData()), ["coordinator-g0", "master-1-g0", "master-2-g0"]);
        const c = activeData({ coordinator: { name: "coordinator", heap: "4g", clusterManager: false } });
        assert.deepEqual(clusterManagerNames(c), ["master-1-g0", "master-2-g0"]);
    });
});

describe("opensearch.yml rendering", () => {
    it("writes name with generation, roles, zone, seeds and the cluster-manager bootstrap list", () => {
        const c = activeData({ backupNodes: [node("backup-1", { generation: 3 }), node("backup-2"), node("backup-3")] });
        const yml = parseYaml(renderOpensearchYml(c, "backup-1", { seedHosts: ["10.0.0.1", "10.0.0.2"], extra: { "path.data": "/data1" } }));
        assert.deepEqual(yml, {
            "cluster.name": "active-data",
            "node.name": "backup-1-g3",
            "node.roles": ["data", "ingest"],
            "node.attr.zone": "reliable",
            "network.host": "_site_",
            "discovery.seed_hosts": ["10.0.0.1", "10.0.0.2"],
            "cluster.initial_cluster_manager_nodes": ["coordinator-g0", "master-1-g0", "master-2-g0"],
            "path.data": "/data1",
        });
    });

    it("uses Elasticsearch 7 names for Elasticsearch, and sets awareness when asked", () => {
        const c = activeData({ engine: { distribution: "elasticsearch", version: "7.17.9" }, zones: { awareness: true } });
        const yml = parseYaml(renderOpensearchYml(c, "master-1", { seedHosts: [] }));
        assert.deepEqual(yml["node.roles"], ["master"]);
        assert.ok(Array.isArray(yml["cluster.initial_master_nodes"]));
        assert.equal(yml["cluster.initial_cluster_manager_nodes"], undefined);
        assert.equal(yml["cluster.routing.allocation.awareness.attributes"], "zone");
    });

    it("makes a coordinator that is not cluster-manager eligible a coordinating-only node", () => {
        const c = activeData({ coordinator: { name: "coordinator", heap: "4g", clusterManager: false } });
        assert.deepEqual(parseYaml(renderOpensearchYml(c, "coordinator", { seedHosts: [] }))["node.roles"], []);
        assert.throws(() => renderOpensearchYml(c, "nope", { seedHosts: [] }), /no node named nope/);
    });
});

describe("node changes by config", () => {
    const prev = activeData();

    it("classifies a changed instanceType, image or generation as a replacement, a heap change as reconfiguration", () => {
        const next = activeData({
            backupNodes: [node("backup-1", { instanceType: "r6i.2xlarge" }), node("backup-2", { heap: "16g" }), node("backup-4")],
        });
        const byName = Object.fromEntries(diffNodes(prev.backupNodes, next.backupNodes).map((c) => [c.name, c]));
        assert.deepEqual(byName["backup-1"], { name: "backup-1", kind: "replaced", fields: ["instanceType"] });
        assert.deepEqual(byName["backup-2"], { name: "backup-2", kind: "reconfigured", fields: ["heap"] });
        assert.equal(byName["backup-3"]!.kind, "removed");
        assert.equal(byName["backup-4"]!.kind, "added");
    });
});
