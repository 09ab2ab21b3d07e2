// The ownership, lock, healing and refusal predicates of ops/search/ownership.ts on answers recorded from
// OpenSearch 2.19 (tests/search/recorded-opensearch.ts): what a drain owns, what it may take back, when a lock is
// stale, when only the drain's own exclusion keeps an unassigned copy out, and what a refusal advises.

import assert from "node:assert/strict";
import { parseClusterStateNodes } from "../../ops/search/cluster-state";
import { readMoveExplanation } from "../../ops/search/explain";
import { EXCLUDE_NAME, NODE_CONCURRENT_RECOVERIES, RECOVERY_MAX_BYTES, excludeAttributeKey, parseClusterSettings } from "../../ops/search/settings";
import {
    adoptRecord,
    heirOf,
    indexFiltersAllow,
    lockVerdict,
    lostExclusions,
    nodesExcludedOnlyByDrain,
    parseDrainRecord,
    parseDrainRecords,
    parseLockDocument,
    planExclusion,
    planThrottles,
    readHealingExplanation,
    refusalAdvice,
    releaseExclusion,
    releaseThrottle,
} from "../../ops/search/ownership";
import * as os from "./recorded-opensearch";

const ZONE = excludeAttributeKey("zone");

describe("drain ownership: reading recorded OpenSearch answers", () => {
    it("reads the lock and tells a live holder from a stale one (expired lease, or a dead process on this host)", () => {
        const lock = parseLockDocument(os.osDrainLockDocument)!;
        assert.equal(lock.holder.operation, "drain backup-a-g0");
        assert.ok(lock.seqNo >= 0 && lock.primaryTerm >= 1);
        const before = lock.holder.expiresAt - 1000;
        assert.deepEqual(lockVerdict(lock.holder, before, "other-host", undefined), { kind: "held" });
        assert.deepEqual(lockVerdict(lock.holder, before, "runner-7", true), { kind: "held" });
        assert.equal(lockVerdict(lock.holder, before, "runner-7", false).kind, "stale");
        assert.equal(lockVerdict(lock.holder, lock.holder.expiresAt + 5000, "other-host", undefined).kind, "stale");
        assert.equal(parseLockDocument({ _index: ".dataplat-drains", _id: "lock", found: false }), null);
    });

    it("a retried drain adopts only the claims still as the crashed drain wrote them, and restores the operator's values", () => {
        const record = parseDrainRecord(os.osDrainRecord)!;
        assert.equal(parseDrainRecords(os.osDrainRecordsSearch).length, 1, "the lock is not a record");
        // The crashed drain raised the bandwidth to 100kb in both layers and excluded its node; since then somebody
        // set the persistent bandwidth to 300kb: that value is theirs now.
        const now = parseClusterSettings({
            persistent: { [EXCLUDE_NAME]: "retired-g7,backup-a-g0", [RECOVERY_MAX_BYTES]: "300kb" },
            transient: { [RECOVERY_MAX_BYTES]: "100kb" },
        });
        const { kept, dropped } = adoptRecord(now, record);
        assert.deepEqual(
            kept.throttles.map((c) => c.layer),
            ["transient"],
        );
        assert.equal(dropped.length, 1);
        assert.match(dropped[0]!, /persistent indices\.recovery\.max_bytes_per_sec=100kb \(now "300kb"\)/);
        // Planning again from the adopted claims keeps the operator's 20kb as the value to restore.
        const plan = planThrottles(now, kept.throttles, { nodeConcurrentRecoveries: 4, maxBytesPerSec: "50mb" });
        const transient = plan.claims.find((c) => c.layer === "transient" && c.key === RECOVERY_MAX_BYTES)!;
        assert.deepEqual([transient.previous, transient.applied], ["20kb", "50mb"]);
        assert.ok(plan.claims.some((c) => c.key === NODE_CONCURRENT_RECOVERIES && c.previous === null));
        const raised = parseClusterSettings({ persistent: { ...now.persistent }, transient: { [RECOVERY_MAX_BYTES]: "50mb" } });
        assert.deepEqual(releaseThrottle(raised, transient), { transient: { [RECOVERY_MAX_BYTES]: "20kb" } });
        // Changed by somebody since: not ours to restore.
        assert.equal(releaseThrottle(parseClusterSettings({ persistent: {}, transient: { [RECOVERY_MAX_BYTES]: "1mb" } }), transient), null);
    });

    it("claims an exclusion only when it adds it, and takes back only its own value from its own layers", () => {
        const operators = parseClusterSettings({ persistent: {}, transient: { [ZONE]: "spot" } });
        assert.equal(planExclusion(operators, ZONE, "spot"), null, "the operator's transient spot exclusion is not claimed");
        const s = parseClusterSettings({ persistent: { [EXCLUDE_NAME]: "retired-g7" }, transient: { [EXCLUDE_NAME]: "" } });
        const plan = planExclusion(s, EXCLUDE_NAME, "backup-a-g0")!;
        assert.deepEqual(plan.claim.layers, ["persistent", "transient"]);
        const after = parseClusterSettings({ persistent: { [EXCLUDE_NAME]: "retired-g7,backup-a-g0,new-g1" }, transient: { [EXCLUDE_NAME]: "backup-a-g0" } });
        assert.deepEqual(releaseExclusion(after, plan.claim), {
            persistent: { [EXCLUDE_NAME]: "retired-g7,new-g1" },
            transient: { [EXCLUDE_NAME]: "" },
        });
    });

    it("hands a shared exclusion to the record that relies on it, and names an exclusion lost under a drain", () => {
        const record = parseDrainRecord(os.osDrainRecord)!;
        const claim = { key: ZONE, value: "spot", layers: ["persistent" as const] };
        assert.equal(heirOf([record], "spot-a-g0", claim)?.node, "backup-a-g0");
        assert.equal(heirOf([record], "backup-a-g0", claim), undefined, "never its own heir");
        const lost = lostExclusions(parseClusterSettings({ persistent: { [EXCLUDE_NAME]: "other-g0", [ZONE]: "spot" }, transient: {} }), record.relies);
        assert.deepEqual(lost, [`${EXCLUDE_NAME} no longer contains backup-a-g0 (now persistent "other-g0")`]);
    });

    it("healing first: a replica only the drain's exclusions keep out is blocked by the drain; one its index pins is not", () => {
        const nodes = parseClusterStateNodes(os.osStateNodes);
        const s = parseClusterSettings({ persistent: { [EXCLUDE_NAME]: "backup-a-g0", [ZONE]: "spot" }, transient: {} });
        const claims = [
            { key: ZONE, value: "spot", layers: ["persistent" as const] },
            { key: EXCLUDE_NAME, value: "backup-a-g0", layers: ["persistent" as const] },
        ];
        const ours = nodesExcludedOnlyByDrain(s, claims, nodes)!;
        assert.deepEqual([...ours].sort(), ["backup-a-g0", "spot-a-g0"]);
        const blocked = readHealingExplanation(os.osExplainUnassignedOnlyDrainExclusion, ours);
        assert.equal(blocked.blockedByDrain, true);
        assert.match(blocked.explanation, /spot-a-g0: only the exclusion of this drain/);
        assert.match(blocked.explanation, /backup-b-g0: same_shard/);

        // The same filter explanation, but the index's own require._name refuses spot-a and backup-a too.
        const pinned = { pinned: { settings: { "index.routing.allocation.require._name": "backup-b-g0" } } };
        const freed = new Set(nodes.filter((n) => ours.has(n.name) && indexFiltersAllow(pinned, "pinned", n)).map((n) => n.name));
        assert.equal(freed.size, 0);
        assert.equal(readHealingExplanation(os.osExplainUnassignedIndexFilter, freed).blockedByDrain, false);
        // An operator's own exclusion of the spot zone (not claimed by the drain) is not the drain's to give back.
        assert.deepEqual([...nodesExcludedOnlyByDrain(s, claims.slice(1), nodes)!], ["backup-a-g0"]);
        // An exclusion by IP cannot be matched to nodes here: nobody can tell, so no early failure.
        const byIp = parseClusterSettings({ persistent: { ...s.persistent, "cluster.routing.allocation.exclude._ip": "10.0.0.9" }, transient: {} });
        assert.equal(nodesExcludedOnlyByDrain(byIp, claims, nodes), undefined);
    });

    it("a refusal names the cause that refused: allocation disabled is not 'add a data node'", () => {
        const disabled = refusalAdvice([readMoveExplanation(os.osExplainAllocationDisabled)]);
        assert.equal(disabled.length, 1);
        assert.match(disabled[0]!, /allocation is disabled .*set it back to "all"/);
        assert.doesNotMatch(disabled.join("\n"), /add a data node/i);
        const disk = refusalAdvice([
            { index: "i", shard: 0, primary: true, decision: "no", reason: "cannot move [n1: disk_threshold: the node is above the high watermark]" },
        ]);
        assert.match(disk.join("\n"), /disk watermark/);
        assert.doesNotMatch(disk.join("\n"), /add a data node/i);
        assert.match(refusalAdvice([readMoveExplanation(os.osExplainCannotMove)]).join("\n"), /add a data node/);
    });
});
