// Every guardrail of the search plan, called directly (no program, no Pulumi mocks): each id's firing case and its
// passing case, and the id and kind each finding carries. Also the decisions the component receives from the plan
// (the zone a drain excludes first, the 9200 rules). Runs in milliseconds.
import assert from "node:assert/strict";
import { SNAPSHOT_READABLE, SEARCH_CHANGE_RULES, SEARCH_CONFIG_RULES } from "../../ops/search/guardrails";
import { type SearchPlanContext, type SearchPlatformPlan, planSearch } from "../../ops/search/plan";
import { SearchClusterConfig, type SearchClusterConfigInput } from "../../ops/search/schema";
import { type DeployedSearch, readSearchSnapshot } from "../../ops/search/snapshot";
import type { SnapshotRead } from "../../ops/state/snapshot";

const node = (name: string, extra: Record<string, unknown> = {}) => ({ name, instanceType: "r5.2xlarge", heap: "31g", volumeSizeGiB: 1000, ...extra });

const base: SearchClusterConfigInput = {
    clusterName: "active-data",
    engine: { distribution: "opensearch", version: "2.19.6" },
    coordinator: { name: "coordinator", heap: "4g" },
    masters: [node("master-1"), node("master-2")],
    backupNodes: [node("backup-1"), node("backup-2"), node("backup-3")],
    spotNodes: [node("spot-1", { instanceType: "i3.2xlarge" }), node("spot-2", { instanceType: "i3.2xlarge" })],
    replicas: 1,
};
const config = (over: Partial<SearchClusterConfigInput> = {}): SearchClusterConfig => SearchClusterConfig.parse({ ...base, ...over });

const context: SearchPlanContext = {
    environment: "staging",
    prefix: "dp",
    defaultImage: "ami-1",
    subnets: [{ id: "subnet-a" }, { id: "subnet-b" }, { id: "subnet-c" }],
    operatorCidrs: ["10.0.0.0/8", "2001:db8::/32"],
};

const first: SnapshotRead<DeployedSearch> = { kind: "first" };
/** What a first deployment of `c` records. */
const deployedOf = (c: SearchClusterConfig, ctx: SearchPlanContext = context): SnapshotRead<DeployedSearch> => {
    const snapshot = planSearch(c, first, ctx).snapshot;
    assert.ok(snapshot, "a sound config has a snapshot");
    return { kind: "ok", value: snapshot };
};

/** Every id a test below saw fire, checked against the registered rules at the end. */
const fired = new Set<string>();

/** The findings of rule `id` (problems and refusals), checking each carries its id and the rule's kind. */
function findings(result: SearchPlatformPlan, id: string) {
    const all = [...result.problems, ...result.refusals].filter((f) => f.id === id);
    for (const f of result.problems) assert.equal(f.kind, "config-problem", f.id);
    for (const f of result.refusals) assert.equal(f.kind, "change-refusal", f.id);
    if (all.length > 0) fired.add(id);
    return all;
}

function firesOnce(result: SearchPlatformPlan, id: string, ...patterns: RegExp[]) {
    const [finding, ...more] = findings(result, id);
    assert.ok(finding, `${id} fires: ${JSON.stringify([...result.problems, ...result.refusals].map((f) => f.id))}`);
    assert.equal(more.length, 0);
    for (const p of patterns) assert.match(finding.message, p);
    return finding;
}

function passes(result: SearchPlatformPlan, id: string) {
    assert.deepEqual(findings(result, id), [], `${id} passes`);
}

describe("search plan guardrails, without the program", () => {
    describe("config problems (whatever is deployed)", () => {
        it("search/subnet-in-network: a subnet index outside network.subnets, with its path", () => {
            const bad = planSearch(config({ backupNodes: [node("backup-1"), node("backup-2", { subnet: 3 }), node("backup-3")] }), first, context);
            const f = firesOnce(bad, "search/subnet-in-network", /^expected an index into network\.subnets \(0-2\)$/);
            assert.equal((f as { path?: string }).path, "search.backupNodes[1].subnet");
            assert.equal(bad.plan, undefined, "no plan with a config problem");
            assert.equal(bad.snapshot, undefined);
            const coordinator = planSearch(config({ coordinator: { name: "coordinator", heap: "4g", subnet: 5 } }), first, context);
            assert.equal(coordinator.problems[0]!.path, "search.coordinator.subnet");
            passes(
                planSearch(config({ backupNodes: [node("backup-1"), node("backup-2", { subnet: 2 }), node("backup-3")] }), first, context),
                "search/subnet-in-network",
            );
        });

        it("search/data-volume-size: a data volume under 8 GiB", () => {
            const bad = planSearch(config({ masters: [node("master-1", { volumeSizeGiB: 4 }), node("master-2")] }), first, context);
            assert.equal(firesOnce(bad, "search/data-volume-size", /at least 8 GiB/) && bad.problems[0]!.path, "search.masters[0].volumeSizeGiB");
            passes(planSearch(config({ masters: [node("master-1", { volumeSizeGiB: 8 }), node("master-2")] }), first, context), "search/data-volume-size");
        });

        it("search/cluster-manager-eligible-node: no node can be elected cluster manager", () => {
            const bad = planSearch(config({ coordinator: { name: "coordinator", heap: "4g", clusterManager: false }, masters: [] }), first, context);
            firesOnce(bad, "search/cluster-manager-eligible-node", /needs a cluster-manager-eligible node/);
            passes(
                planSearch(config({ coordinator: { name: "coordinator", heap: "4g", clusterManager: false } }), first, context),
                "search/cluster-manager-eligible-node",
            );
        });

        it("search/prod-cluster-manager-quorum: fewer than 3 cluster-manager-eligible nodes, in prod only", () => {
            const two = config({ masters: [node("master-1")] });
            firesOnce(planSearch(two, first, { ...context, environment: "prod" }), "search/prod-cluster-manager-quorum", /prod needs at least 3 .*has 2/);
            passes(planSearch(two, first, context), "search/prod-cluster-manager-quorum");
            passes(planSearch(config(), first, { ...context, environment: "prod" }), "search/prod-cluster-manager-quorum");
        });

        it("search/data-nodes-hold-every-copy: fewer data nodes than replicas + 1", () => {
            const bad = planSearch(config({ replicas: 5 }), first, context);
            firesOnce(bad, "search/data-nodes-hold-every-copy", /^5 data nodes cannot hold 6 copies of each shard \(replicas: 5\)\. .*lower replicas first/);
            assert.equal(bad.problems[0]!.path, "search.replicas");
            passes(planSearch(config({ replicas: 4 }), first, context), "search/data-nodes-hold-every-copy");
        });

        it("lists each node's problems together, in config order, cluster-wide problems last; and skips the change rules", () => {
            const c = config({
                masters: [node("master-1", { subnet: 9, volumeSizeGiB: 4 }), node("master-2")],
                backupNodes: [node("backup-1", { subnet: 7 }), node("backup-2"), node("backup-3")],
                replicas: 5,
            });
            const result = planSearch(c, deployedOf(config()), context);
            assert.deepEqual(
                result.problems.map((p) => p.path),
                ["search.masters[0].subnet", "search.masters[0].volumeSizeGiB", "search.backupNodes[0].subnet", "search.replicas"],
            );
            assert.deepEqual(result.refusals, []);
        });
    });

    describe("change refusals (against deployed.search)", () => {
        const prev = deployedOf(config());

        it("search/snapshot-readable: an unreadable deployed.search is refused, never read as nothing deployed", () => {
            const read = readSearchSnapshot({ config: "garbage", nodes: [] });
            const bad = planSearch(config(), read, context);
            firesOnce(bad, SNAPSHOT_READABLE, /^deployed\.search: the snapshot the last update recorded cannot be read/);
            assert.equal(bad.plan, undefined);
            assert.equal(bad.snapshot, undefined);
            const ok = planSearch(config(), readSearchSnapshot(undefined), context);
            passes(ok, SNAPSHOT_READABLE);
            assert.ok(ok.plan);
            const again = planSearch(config(), readSearchSnapshot(JSON.parse(JSON.stringify(prev.kind === "ok" ? prev.value : null))), context);
            passes(again, SNAPSHOT_READABLE);
            assert.equal(again.plan!.update.change, "none");
        });

        it("search/one-data-node-per-update: two data nodes edited, named by config, with the search: prefix", () => {
            const two = config({
                backupNodes: [node("backup-1", { generation: 1 }), node("backup-2"), node("backup-3")],
                spotNodes: [node("spot-1", { instanceType: "i3.4xlarge" }), node("spot-2", { instanceType: "i3.2xlarge" })],
            });
            firesOnce(
                planSearch(two, prev, context),
                "search/one-data-node-per-update",
                /^search: this update would drain 2 data nodes at once: backup-1 \(replaced: generation\), spot-1 \(replaced: instanceType\)\. /,
                /Change one data node per update/,
            );
            const one = config({ backupNodes: [node("backup-1", { generation: 1 }), node("backup-2"), node("backup-3")] });
            passes(planSearch(one, prev, context), "search/one-data-node-per-update");
        });

        it("search/one-data-node-per-update: a cluster-wide setting that gives every data node a new machine", () => {
            firesOnce(
                planSearch(config(), prev, { ...context, defaultImage: "ami-2" }),
                "search/one-data-node-per-update",
                /^search: this update would drain 5 data nodes at once: backup-1-g0 \(replaced: image\), .*spot-2-g0 \(replaced: image\)\. A cluster-wide setting/,
                /pin the current value on each node first/,
            );
        });

        it("search/drain-can-finish: a drain the backup nodes cannot absorb once the spot zone is excluded", () => {
            const small = config({ backupNodes: [node("backup-1"), node("backup-2")] });
            const smallPrev = deployedOf(small);
            firesOnce(
                planSearch(config({ backupNodes: [node("backup-1")] }), smallPrev, context),
                "search/drain-can-finish",
                /^search: draining backup-2 excludes the spot zone, leaving 1 backup nodes for 2 copies of each shard: the drain could never finish\. Add backup nodes until there are 2, in this update or an earlier one\.$/,
            );
            // Not edited, yet drained: a cluster-wide change (rootVolumeGiB) replaces the only backup node's machine.
            const one = config({ backupNodes: [node("backup-1")] });
            firesOnce(
                planSearch(config({ backupNodes: [node("backup-1")], rootVolumeGiB: 40 }), deployedOf(one), context),
                "search/drain-can-finish",
                /^search: draining backup-1-g0, spot-1-g0, spot-2-g0 excludes the spot zone, leaving 1 backup nodes for 2 copies of each shard: the drain could never finish\. Add backup nodes until there are 2\.$/,
            );
            // A replacement joins before the old node is drained; without spot nodes nothing excludes a zone.
            passes(planSearch(config({ backupNodes: [node("backup-1", { generation: 1 }), node("backup-2")] }), smallPrev, context), "search/drain-can-finish");
            const noSpot = config({ backupNodes: [node("backup-1"), node("backup-2")], spotNodes: [] });
            passes(planSearch(config({ backupNodes: [node("backup-1")], spotNodes: [] }), deployedOf(noSpot), context), "search/drain-can-finish");
        });

        it("search/tls-unchanged: transport TLS cannot be switched by a rolling change", () => {
            const tls = config({ admin: { tls: true, auth: "basic" } });
            firesOnce(
                planSearch(tls, prev, context),
                "search/tls-unchanged",
                /^search: admin\.tls false -> true changes how every node talks to every other/,
                /Build a new cluster/,
            );
            passes(planSearch(tls, deployedOf(tls), context), "search/tls-unchanged");
        });

        it("search/one-cluster-manager-per-update: two cluster-manager-eligible nodes at once (quorum)", () => {
            firesOnce(
                planSearch(config({ masters: [node("master-1", { generation: 1 }), node("master-2", { generation: 1 })] }), prev, context),
                "search/one-cluster-manager-per-update",
                /replace or remove 2 cluster-manager-eligible nodes at once: master-1-g0 \(replaced: .*\), master-2-g0 /,
                /one per update/,
            );
            passes(
                planSearch(config({ masters: [node("master-1", { generation: 1 }), node("master-2")] }), prev, context),
                "search/one-cluster-manager-per-update",
            );
        });

        it("search/decommission-alone: turning decommission on is an update of its own", () => {
            firesOnce(
                planSearch(
                    config({ decommission: true, backupNodes: [node("backup-1", { generation: 1 }), node("backup-2"), node("backup-3")] }),
                    prev,
                    context,
                ),
                "search/decommission-alone",
                /^search: decommission: true must be an update of its own/,
            );
            passes(planSearch(config({ decommission: true }), prev, context), "search/decommission-alone");
        });

        it("search/no-replacement-while-decommissioned: a replaced data node would leave undrained", () => {
            const off = deployedOf(config({ decommission: true }));
            firesOnce(
                planSearch(
                    config({
                        decommission: true,
                        spotNodes: [node("spot-1", { instanceType: "i3.2xlarge", generation: 1 }), node("spot-2", { instanceType: "i3.2xlarge" })],
                    }),
                    off,
                    context,
                ),
                "search/no-replacement-while-decommissioned",
                /^search: decommission is on, so spot-1-g0 \(replaced: .*\) would leave without a drain/,
                /set decommission: false/,
            );
            passes(
                planSearch(config({ decommission: true, spotNodes: [node("spot-1", { instanceType: "i3.2xlarge" })] }), off, context),
                "search/no-replacement-while-decommissioned",
            );
        });

        it("none on a first deployment, even of a config that would be refused as a change", () => {
            assert.deepEqual(planSearch(config({ admin: { tls: true, auth: "basic" }, decommission: true }), first, context).refusals, []);
        });
    });
});

describe("search plan guardrail registry", () => {
    // After the suites above (mocha runs top-level suites in order): every id must have been seen firing there.
    it("every registered rule has one unique search/ id, and each was seen firing above", () => {
        const ids = [...SEARCH_CONFIG_RULES.map((r) => r.id), ...SEARCH_CHANGE_RULES.map((r) => r.id), SNAPSHOT_READABLE];
        assert.equal(new Set(ids).size, ids.length);
        for (const id of ids) assert.match(id, /^search\/[a-z0-9-]+$/);
        for (const r of SEARCH_CONFIG_RULES) assert.equal(r.kind, "config-problem");
        for (const r of SEARCH_CHANGE_RULES) assert.equal(r.kind, "change-refusal");
        assert.deepEqual([...fired].sort(), [...ids].sort());
    });
});

describe("search plan decisions the component receives", () => {
    it("the zone a drain excludes first: the spot zone, except for a spot node under zone awareness", () => {
        const zones = (over: Partial<SearchClusterConfigInput>) =>
            Object.fromEntries(
                planSearch(config(over), first, context)
                    .plan!.nodes.filter((n) => n.data)
                    .map((n) => [n.name, n.drainSpotZone ?? "(alone)"]),
            );
        assert.deepEqual(zones({}), { "backup-1": "spot", "backup-2": "spot", "backup-3": "spot", "spot-1": "spot", "spot-2": "spot" });
        assert.deepEqual(zones({ zones: { awareness: true, spot: "cheap" } }), {
            "backup-1": "cheap",
            "backup-2": "cheap",
            "backup-3": "cheap",
            "spot-1": "(alone)",
            "spot-2": "(alone)",
        });
        const nonData = planSearch(config(), first, context).plan!.nodes.filter((n) => !n.data);
        assert.ok(nonData.every((n) => n.drainSpotZone === undefined));
    });

    it("the plan's drain steps follow the same decision", () => {
        const aware = config({ zones: { awareness: true } });
        const steps = planSearch(
            config({
                zones: { awareness: true },
                spotNodes: [node("spot-2", { instanceType: "i3.2xlarge" })],
                backupNodes: [node("backup-1"), node("backup-2"), node("backup-3")],
            }),
            deployedOf(aware),
            context,
        ).plan!.update.steps;
        assert.ok(
            steps.some((s) => /^drain spot-1-g0 \(removed from config\): exclude the node/.test(s)),
            steps.join("\n"),
        );
        const plain = planSearch(config({ spotNodes: [node("spot-2", { instanceType: "i3.2xlarge" })] }), deployedOf(config()), context).plan!.update.steps;
        assert.ok(
            plain.some((s) => /^drain spot-1-g0 \(removed from config\): exclude zone=spot if the cluster has spot nodes, exclude the node/.test(s)),
            plain.join("\n"),
        );
    });

    it("9200 of the endpoint node's tier (ops/network/tiers.ts): the frontend to its coordinator, and each operator CIDR by its key", () => {
        const rules = planSearch(config(), first, context).plan!.endpointIngress;
        assert.deepEqual(
            rules.map((r) => [r.tier, r.key.replace(/-[0-9a-f]{6}$/, "-<hash>"), r.formerKey ?? "", r.source.kind, r.ports.from, r.ports.to]),
            [
                ["frontend", "from-frontend", "", "tier", 9200, 9200],
                ["frontend", "from-operators-10-0-0-0-8-<hash>", "from-operators-0", "ipv4", 9200, 9200],
                ["frontend", "from-operators-2001-db8-32-<hash>", "from-operators-1", "ipv6", 9200, 9200],
            ],
        );
        assert.equal(rules[0]!.description, "search http: the frontend queries its coordinator");
        assert.equal(rules[1]!.description, "search http: pulumi up drains and bounces through the admin endpoint");
        const noCoordinator = planSearch(config({ coordinator: undefined, admin: { operatorAccess: false } }), first, context).plan!;
        assert.deepEqual(noCoordinator.endpointIngress, []);
        assert.equal(noCoordinator.endpointNode, "master-1-g0");
        const masterOnly = planSearch(config({ coordinator: undefined }), first, context).plan!.endpointIngress;
        assert.deepEqual(
            masterOnly.map((r) => [r.tier, r.source.kind]),
            [
                ["search", "ipv4"],
                ["search", "ipv6"],
            ],
        );
    });
});
