import assert from "node:assert/strict";
import fc from "fast-check";
import { absentNodeHoldsNothing, hasZone, masterTimeoutParam, parseClusterStateNodes, parseHealth, parseRootInfo } from "../../ops/search/cluster-state";
import { readMoveExplanation, readMoveOptionsBeforeExclusion, unmovable } from "../../ops/search/explain";
import { ModelError } from "../../ops/search/responses";
import { parseByteSize } from "../../ops/search/settings";
import { type ShardCopy, copiesOnNode, drainProgress, isDrained, parseCatShardNode, parseCatShards, parseRoutingTable } from "../../ops/search/shards";
import * as es7 from "./recorded-es7";
import * as os from "./recorded-opensearch";

const sortCopies = (cs: ShardCopy[]): ShardCopy[] =>
    [...cs].sort((a, b) => `${a.index}/${a.shard}/${a.primary}`.localeCompare(`${b.index}/${b.shard}/${b.primary}`));

describe("search model: reading recorded Elasticsearch 7 / OpenSearch answers", () => {
    describe("root endpoint", () => {
        it("uses cluster_manager_timeout on OpenSearch 2 and master_timeout on OpenSearch 1 and Elasticsearch 7", () => {
            const os2 = parseRootInfo(os.osRoot);
            assert.deepEqual([os2.distribution, os2.major], ["opensearch", 2]);
            assert.equal(masterTimeoutParam(os2), "cluster_manager_timeout");
            const os1 = parseRootInfo(es7.os1Root);
            assert.deepEqual([os1.distribution, os1.major], ["opensearch", 1]);
            assert.equal(masterTimeoutParam(os1), "master_timeout");
            const e = parseRootInfo(es7.es7Root);
            assert.deepEqual([e.distribution, e.major], ["elasticsearch", 7]);
            assert.equal(masterTimeoutParam(e), "master_timeout");
        });

        it("refuses a root answer without a version", () => {
            assert.throws(() => parseRootInfo({ name: "x" }), ModelError);
        });
    });

    describe("cluster health", () => {
        it("reads a 408 long-poll answer as 'not yet' with its counts", () => {
            const h = parseHealth(os.osHealth408, 408);
            assert.equal(h.timedOut, true);
            assert.equal(h.status, "green");
            assert.equal(h.numberOfNodes, 4);
            const e = parseHealth(es7.es7Health408, 408);
            assert.deepEqual([e.timedOut, e.relocatingShards], [true, 2]);
        });

        it("reads a 200 answer during a relocation", () => {
            const h = parseHealth(os.osHealthRelocating, 200);
            assert.deepEqual([h.timedOut, h.relocatingShards, h.unassignedShards], [false, 2, 0]);
        });

        it("only a green cluster with every copy active lets an absent node count as empty", () => {
            assert.equal(absentNodeHoldsNothing(parseHealth(os.osHealth408, 408)), true);
            assert.equal(absentNodeHoldsNothing(parseHealth(os.osHealthRelocating)), false);
            assert.equal(absentNodeHoldsNothing(parseHealth(es7.es7HealthRed)), false);
        });

        it("throws on an answer without a status rather than guessing", () => {
            assert.throws(() => parseHealth({ error: "boom" }, 200), ModelError);
            assert.throws(() => parseHealth({ ...os.osHealth408, unassigned_shards: -1 }), ModelError);
        });
    });

    describe("shard copies", () => {
        it('splits the relocating form "src -> ip id dst" into both node names', () => {
            assert.deepEqual(parseCatShardNode("backup-a-g0 -> 127.0.0.1 yW2LbDs5QE-7yJJuy3hE-Q backup-b-g0"), {
                node: "backup-a-g0",
                relocatingTo: "backup-b-g0",
            });
            assert.deepEqual(parseCatShardNode("spot-a-g0"), { node: "spot-a-g0", relocatingTo: null });
            assert.throws(() => parseCatShardNode("a -> 1.2.3.4"), ModelError);
        });

        it("counts a relocating copy on both its source and its target node", () => {
            const copies = parseCatShards(os.osCatShardsRelocating);
            const relocating = copies.filter((c) => c.state === "RELOCATING");
            assert.equal(relocating.length, 2);
            assert.deepEqual(
                copiesOnNode(copies, "backup-a-g0").filter((c) => c.state === "RELOCATING"),
                relocating,
            );
            assert.deepEqual(
                copiesOnNode(copies, "backup-b-g0").filter((c) => c.state === "RELOCATING"),
                relocating,
            );
            assert.equal(isDrained(copies, "backup-a-g0"), false);
            assert.equal(isDrained(copies, "backup-b-g0"), false);
            const p = drainProgress(copies, "backup-a-g0");
            assert.deepEqual([p.onNode, p.relocatingAway, p.moving, p.waiting.length], [2, 2, 2, 0]);
        });

        it("reads the routing table to the same copies as _cat/shards", () => {
            const fromState = parseRoutingTable(os.osRoutingTableRelocating);
            const fromCat = parseCatShards(os.osCatShardsRelocating);
            assert.deepEqual(sortCopies(fromState), sortCopies(fromCat));
        });

        it("is not drained while any copy anywhere is unassigned, even with nothing on the node", () => {
            const copies = parseCatShards(es7.es7CatShards);
            assert.equal(copiesOnNode(copies, "backup-9-g0").length, 0);
            assert.equal(isDrained(copies, "backup-9-g0"), false);
            assert.equal(
                isDrained(
                    copies.filter((c) => c.state !== "UNASSIGNED"),
                    "backup-9-g0",
                ),
                true,
            );
            assert.equal(isDrained(copies, "spot-17-g0"), false);
        });

        it("throws on rows it cannot read instead of dropping them", () => {
            const row = { index: "i", shard: "0", prirep: "p", state: "STARTED", node: "n" };
            assert.throws(() => parseCatShards([{ ...row, state: "MOVING" }]), ModelError);
            assert.throws(() => parseCatShards([{ ...row, node: null }]), ModelError);
            assert.throws(() => parseCatShards([{ ...row, state: "RELOCATING" }]), ModelError);
            assert.throws(() => parseCatShards({ error: "x" }), ModelError);
            assert.throws(
                () => parseRoutingTable({ nodes: {}, routing_table: { indices: { i: { shards: { 0: [{ state: "STARTED", node: "ghost" }] } } } } }),
                ModelError,
            );
        });

        it("property: drained means no copy on the node on either side and nothing unassigned", () => {
            const names = ["a-g0", "b-g0", "c-g0"];
            const copy = fc
                .record({
                    index: fc.constantFrom("i1", "i2"),
                    shard: fc.nat(3),
                    primary: fc.boolean(),
                    state: fc.constantFrom("STARTED", "RELOCATING", "INITIALIZING", "UNASSIGNED" as const),
                    node: fc.constantFrom(...names),
                    relocatingTo: fc.constantFrom(...names),
                })
                .map((c): ShardCopy => ({
                    ...c,
                    node: c.state === "UNASSIGNED" ? null : c.node,
                    relocatingTo: c.state === "RELOCATING" ? c.relocatingTo : null,
                }));
            fc.assert(
                fc.property(fc.array(copy, { maxLength: 12 }), fc.constantFrom(...names), (copies, node) => {
                    const touches = copies.some((c) => c.state !== "UNASSIGNED" && (c.node === node || c.relocatingTo === node));
                    const unassigned = copies.some((c) => c.state === "UNASSIGNED");
                    assert.equal(isDrained(copies, node), !touches && !unassigned);
                }),
            );
        });
    });

    describe("nodes", () => {
        it("reads names, ephemeral ids and zone attributes from the cluster state", () => {
            const nodes = parseClusterStateNodes(os.osStateNodes);
            assert.deepEqual(nodes.map((n) => n.name).sort(), ["backup-a-g0", "backup-b-g0", "cm-g0", "spot-a-g0"]);
            assert.ok(nodes.every((n) => n.ephemeralId.length > 0));
            assert.equal(hasZone(nodes, "zone", "spot"), true);
            assert.equal(
                hasZone(
                    nodes.filter((n) => n.name !== "spot-a-g0"),
                    "zone",
                    "spot",
                ),
                false,
            );
        });
    });

    describe("allocation explain", () => {
        it("a copy whose other copy holds the only allowed node cannot move (same_shard)", () => {
            const v = readMoveExplanation(os.osExplainCannotMove);
            assert.equal(v.decision, "no");
            assert.match(v.reason, /same_shard/);
            assert.deepEqual(unmovable([v]), [v]);
        });

        it("OpenSearch's can_move_to_other_node 'no' with only throttled targets is a wait, not a refusal", () => {
            assert.equal(os.osExplainThrottled.can_move_to_other_node, "no");
            const v = readMoveExplanation(os.osExplainThrottled);
            assert.equal(v.decision, "throttled");
            assert.deepEqual(unmovable([v]), []);
            assert.equal(readMoveExplanation(es7.es7ExplainThrottled).decision, "throttled");
        });

        it("a copy allowed to remain means the exclusion is not in force: the drain cannot finish", () => {
            const v = readMoveExplanation(os.osExplainCanRemain);
            assert.equal(v.decision, "remains");
            assert.equal(unmovable([v]).length, 1);
        });

        it("allocation disabled and awareness are refusals with the decider named", () => {
            const disabled = readMoveExplanation(os.osExplainAllocationDisabled);
            assert.equal(disabled.decision, "no");
            assert.match(disabled.reason, /cluster\.routing\.allocation\.enable=none/);
            const aware = readMoveExplanation(es7.es7ExplainAwareness);
            assert.equal(aware.decision, "no");
            assert.match(aware.reason, /awareness/);
        });

        it("before the exclusion: refuses when every other node says no, counting the spot nodes about to be excluded", () => {
            const none = new Set<string>();
            const stuck = readMoveOptionsBeforeExclusion(os.osExplainCanRemain, none);
            assert.equal(stuck.decision, "no");
            assert.match(stuck.reason, /same_shard/);
            const spotWouldTake = {
                ...os.osExplainCanRemain,
                node_allocation_decisions: os.osExplainCanRemain.node_allocation_decisions.map((d) =>
                    d.node_name === "spot-a-g0" ? { ...d, node_decision: "worse_balance", deciders: [] } : d,
                ),
            };
            assert.equal(readMoveOptionsBeforeExclusion(spotWouldTake, none).decision, "yes");
            const excluded = readMoveOptionsBeforeExclusion(spotWouldTake, new Set(["spot-a-g0"]));
            assert.equal(excluded.decision, "no");
            assert.match(excluded.reason, /spot-a-g0: excluded by this drain/);
        });

        it("before the exclusion: without per-node decisions it cannot tell, and leaves the verdict to the check after", () => {
            const { node_allocation_decisions: _dropped, ...noDecisions } = os.osExplainCanRemain;
            const v = readMoveOptionsBeforeExclusion({ ...noDecisions, can_rebalance_cluster: "no" }, new Set());
            assert.equal(v.decision, "unknown");
            assert.deepEqual(unmovable([v]), []);
            assert.equal(readMoveOptionsBeforeExclusion(os.osExplainThrottled, new Set()).decision, "throttled");
        });

        it("a copy already relocating is moving", () => {
            assert.equal(readMoveExplanation(os.osExplainRelocating).decision, "yes");
        });
    });

    it("reads byte sizes as the cluster writes them", () => {
        assert.equal(parseByteSize("41943040b"), 40 * 1024 * 1024);
        assert.equal(parseByteSize("40mb"), 40 * 1024 * 1024);
        assert.equal(parseByteSize("1.5gb"), 1.5 * 1024 ** 3);
        assert.equal(parseByteSize("-1"), Number.POSITIVE_INFINITY);
        assert.throws(() => parseByteSize("fast"), ModelError);
    });
});

describe("search model: indexes whose copies follow the nodes (auto_expand_replicas to all)", () => {
    it("names the indexes that auto-expand to all nodes, and only those", async () => {
        const { indexesFollowingNodes } = await import("../../ops/search/shards");
        // The shape of GET /_all/_settings/index.auto_expand_replicas?flat_settings=true&expand_wildcards=all on OpenSearch 2.19.
        const response = {
            ".opendistro_security": { settings: { "index.auto_expand_replicas": "0-all" } },
            ".dataplat-drains": { settings: { "index.auto_expand_replicas": "0-all" } },
            bounded: { settings: { "index.auto_expand_replicas": "0-1" } },
            events: { settings: {} },
            other: {},
        };
        assert.deepEqual([...indexesFollowingNodes(response)].sort(), [".dataplat-drains", ".opendistro_security"]);
        assert.deepEqual([...indexesFollowingNodes({})], []);
    });
});
