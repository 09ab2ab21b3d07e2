import assert from "node:assert/strict";
import fc from "fast-check";
import {
    type ClusterSettings,
    EXCLUDE_NAME,
    NODE_CONCURRENT_RECOVERIES,
    RECOVERY_MAX_BYTES,
    type SettingsUpdate,
    addToExclusion,
    effectiveExclusion,
    effectiveSetting,
    excludeAttributeKey,
    overrideSetting,
    parseClusterSettings,
    parseNameList,
    planRecoveryBoost,
    removeFromExclusion,
} from "../../ops/search/settings";
import * as es7 from "./recorded-es7";
import * as os from "./recorded-opensearch";

/** What the cluster does with a PUT _cluster/settings body: null removes, a value replaces. */
function apply(s: ClusterSettings, u: SettingsUpdate | null): ClusterSettings {
    const next: ClusterSettings = { persistent: { ...s.persistent }, transient: { ...s.transient }, defaults: s.defaults };
    for (const layer of ["persistent", "transient"] as const) {
        for (const [k, v] of Object.entries(u?.[layer] ?? {})) {
            if (v === null) delete next[layer][k];
            else next[layer][k] = v;
        }
    }
    return next;
}

describe("exclusion lists: transient shadows persistent, other names survive", () => {
    it("reads the recorded OpenSearch settings: the transient list is the one in force", () => {
        const s = parseClusterSettings(os.osSettingsTransientAndPersistent);
        assert.deepEqual(parseNameList(s.persistent[EXCLUDE_NAME]), ["backup-b-g0", "retired-g1"]);
        assert.deepEqual(effectiveExclusion(s, EXCLUDE_NAME), ["old-node-g3"]);
        assert.deepEqual(effectiveExclusion(s, excludeAttributeKey("zone")), ["spot"]);
        assert.equal(effectiveSetting(s, "cluster.routing.allocation.enable")?.layer, "defaults");
    });

    it('reads nested ES 7 settings: the runbook\'s transient "" disables the persistent exclusion', () => {
        const s = parseClusterSettings(es7.es7SettingsNested);
        assert.equal(s.persistent[EXCLUDE_NAME], "retired-4-g2");
        assert.deepEqual(effectiveExclusion(s, EXCLUDE_NAME), []);
    });

    it("adds the node to both layers when a transient value is present, and takes only it out again", () => {
        const s = parseClusterSettings(os.osSettingsTransientAndPersistent);
        const add = addToExclusion(s, EXCLUDE_NAME, "backup-a-g0");
        assert.deepEqual(add, {
            persistent: { [EXCLUDE_NAME]: "backup-b-g0,retired-g1,backup-a-g0" },
            transient: { [EXCLUDE_NAME]: "old-node-g3,backup-a-g0" },
        });
        const added = apply(s, add);
        assert.deepEqual(effectiveExclusion(added, EXCLUDE_NAME), ["old-node-g3", "backup-a-g0"]);
        const removed = apply(added, removeFromExclusion(added, EXCLUDE_NAME, "backup-a-g0"));
        assert.deepEqual(removed.persistent, s.persistent);
        assert.deepEqual(removed.transient, s.transient);
    });

    it('keeps an emptied transient value as "" so it shadows the persistent list exactly as before', () => {
        const s = parseClusterSettings(es7.es7SettingsNested);
        const added = apply(s, addToExclusion(s, EXCLUDE_NAME, "backup-1-g0"));
        assert.deepEqual(effectiveExclusion(added, EXCLUDE_NAME), ["backup-1-g0"]);
        const removed = apply(added, removeFromExclusion(added, EXCLUDE_NAME, "backup-1-g0"));
        assert.equal(removed.transient[EXCLUDE_NAME], "");
        assert.equal(removed.persistent[EXCLUDE_NAME], "retired-4-g2");
        assert.deepEqual(effectiveExclusion(removed, EXCLUDE_NAME), []);
    });

    it("does nothing when there is nothing to add or remove", () => {
        const s = parseClusterSettings({ persistent: { [EXCLUDE_NAME]: "a-g0" }, transient: {} });
        assert.equal(addToExclusion(s, EXCLUDE_NAME, "a-g0"), null);
        assert.equal(removeFromExclusion(s, EXCLUDE_NAME, "b-g0"), null);
        assert.deepEqual(removeFromExclusion(s, EXCLUDE_NAME, "a-g0"), { persistent: { [EXCLUDE_NAME]: null } });
    });

    it("property: add then remove gives back every layer; other names are never dropped", () => {
        const name = fc.constantFrom("a-g0", "b-g1", "c-g2", "spot-1-g0", "x-g9");
        const layer = fc.option(fc.uniqueArray(name, { maxLength: 4 }), { nil: undefined });
        fc.assert(
            fc.property(layer, layer, name, fc.boolean(), (persistent, transient, target, spaces) => {
                const join = (l: string[]): string => l.join(spaces ? ", " : ",");
                const s = parseClusterSettings({
                    persistent: persistent && persistent.length ? { [EXCLUDE_NAME]: join(persistent) } : {},
                    transient: transient ? { [EXCLUDE_NAME]: join(transient) } : {},
                });
                const before = effectiveExclusion(s, EXCLUDE_NAME);
                const added = apply(s, addToExclusion(s, EXCLUDE_NAME, target));
                const after = effectiveExclusion(added, EXCLUDE_NAME);
                assert.ok(after.includes(target));
                for (const n of before) assert.ok(after.includes(n));
                const removed = apply(added, removeFromExclusion(added, EXCLUDE_NAME, target));
                const others = (l: string[] | undefined): string[] => (l ?? []).filter((n) => n !== target);
                assert.deepEqual(parseNameList(removed.persistent[EXCLUDE_NAME]), others(persistent));
                assert.deepEqual(parseNameList(removed.transient[EXCLUDE_NAME]), others(transient));
                assert.equal(removed.transient[EXCLUDE_NAME] !== undefined, transient !== undefined);
                assert.deepEqual(
                    effectiveExclusion(removed, EXCLUDE_NAME),
                    before.filter((n) => n !== target),
                );
            }),
        );
    });

    describe("recovery throttles during a drain", () => {
        it("raises the defaults and restores them by removing the settings", () => {
            const s = parseClusterSettings({
                persistent: {},
                transient: {},
                defaults: { [NODE_CONCURRENT_RECOVERIES]: "2", [RECOVERY_MAX_BYTES]: "41943040b" },
            });
            const plan = planRecoveryBoost(s, { nodeConcurrentRecoveries: 4, maxBytesPerSec: "200mb" });
            assert.deepEqual(plan.apply, { persistent: { [NODE_CONCURRENT_RECOVERIES]: "4", [RECOVERY_MAX_BYTES]: "200mb" } });
            assert.deepEqual(plan.restore, { persistent: { [NODE_CONCURRENT_RECOVERIES]: null, [RECOVERY_MAX_BYTES]: null } });
        });

        it("never lowers an operator's higher values, and restores the recorded ones", () => {
            const s = parseClusterSettings(os.osSettingsTransientAndPersistent);
            const plan = planRecoveryBoost(s, { nodeConcurrentRecoveries: 4, maxBytesPerSec: "200mb" });
            assert.deepEqual(plan.restore, { persistent: { [NODE_CONCURRENT_RECOVERIES]: "1", [RECOVERY_MAX_BYTES]: "1kb" } });
            const high = parseClusterSettings({ persistent: { [NODE_CONCURRENT_RECOVERIES]: "8", [RECOVERY_MAX_BYTES]: "1gb" }, transient: {} });
            assert.deepEqual(planRecoveryBoost(high, { nodeConcurrentRecoveries: 4, maxBytesPerSec: "200mb" }), { apply: null, restore: null });
        });

        it("overrides a transient value too, since it shadows the persistent one", () => {
            const s = parseClusterSettings({ persistent: {}, transient: { "cluster.routing.allocation.enable": "all" } });
            const o = overrideSetting(s, "cluster.routing.allocation.enable", "primaries");
            assert.deepEqual(o.apply, {
                persistent: { "cluster.routing.allocation.enable": "primaries" },
                transient: { "cluster.routing.allocation.enable": "primaries" },
            });
            const back = apply(apply(s, o.apply), o.restore);
            assert.deepEqual([back.persistent, back.transient], [s.persistent, s.transient]);
        });
    });
});
