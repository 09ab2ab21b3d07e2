// The cleanup paths of the search runners, against an in-memory cluster and a virtual clock (tests/runners/
// fake-search.ts), in milliseconds: a drain that times out or is interrupted leaves no allocation exclusion it made
// and restores the throttles it raised; what it did not make (an operator's exclusion, a throttle changed since) it
// does not undo; a bounce whose restart fails puts allocation back. ECK's bug history is the list of cases: an
// exclusion left behind or clobbered, a failed call read as success. The real-cluster tests of tests/search prove
// the whole against OpenSearch.

import assert from "node:assert/strict";
import { EXCLUDE_NAME, NODE_CONCURRENT_RECOVERIES, RECOVERY_MAX_BYTES, effectiveExclusion } from "../../ops/search/model";
import { OpsFailure } from "../../ops/search/failures";
import { DrainInterrupted, bounce, drain, undrain } from "../../runners/search/drain";
import { FakeClock, FakeSearch, fakeOwner } from "./fake-search";

const NODE = "data-1-g3";

/** A cluster of three data nodes; `NODE` holds two copies that never move (so a drain runs into its timeout). */
function cluster(): { fake: FakeSearch; clock: FakeClock } {
    const clock = new FakeClock();
    const fake = new FakeSearch(
        clock,
        ["data-0-g1", NODE, "data-2-g1"],
        [
            FakeSearch.started("logs-1", 0, NODE),
            FakeSearch.started("logs-1", 0, "data-0-g1", false),
            FakeSearch.started("logs-1", 1, NODE, false),
            FakeSearch.started("logs-1", 1, "data-2-g1"),
        ],
    );
    return { fake, clock };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
    try {
        await p;
    } catch (e) {
        return e;
    }
    assert.fail("expected the runner to fail");
}

const excluded = async (fake: FakeSearch) => effectiveExclusion(await fake.settings(), EXCLUDE_NAME);

describe("runners: a drain that cannot finish takes back only what it made", () => {
    it("a timeout removes the node from the exclusion it added, keeps the operator's names, restores the throttles", async () => {
        const { fake, clock } = cluster();
        fake.persistent[EXCLUDE_NAME] = "old-node-g0";
        fake.transient[NODE_CONCURRENT_RECOVERIES] = "2";
        let excludedDuringDrain: string[] = [];
        fake.onPoll = () => void fake.settings().then((s) => (excludedDuringDrain = effectiveExclusion(s, EXCLUDE_NAME)));
        const started = clock.now();
        const e = await failure(drain(fake, { node: NODE, timeoutSeconds: 60, clock, owner: fakeOwner }));
        assert.ok(e instanceof OpsFailure && e.kind === "timeout", String(e));
        assert.ok(clock.now() - started >= 60_000, "it waited its whole timeout (virtual)");
        assert.deepEqual(excludedDuringDrain.sort(), [NODE, "old-node-g0"].sort(), "the drain had excluded the node, next to the operator's name");
        assert.deepEqual(await excluded(fake), ["old-node-g0"], "its own name is gone, the operator's stays");
        assert.deepEqual(fake.transient, { [NODE_CONCURRENT_RECOVERIES]: "2" }, "the operator's throttle is back");
        assert.deepEqual(fake.persistent, { [EXCLUDE_NAME]: "old-node-g0" }, "the throttles it raised are gone");
        assert.ok(
            fake.writes.some((w) => w.persistent?.[RECOVERY_MAX_BYTES] === "200mb"),
            "it had raised them",
        );
        assert.deepEqual(fake.docIds(), [], "lock released and record removed: it owns nothing any more");
    });

    it("an interruption (the CLI's signal) cleans up the same way", async () => {
        const { fake, clock } = cluster();
        fake.persistent[EXCLUDE_NAME] = "old-node-g0";
        const abort = new AbortController();
        fake.onPoll = (n) => {
            if (n === 3) abort.abort("SIGTERM");
        };
        const e = await failure(drain(fake, { node: NODE, timeoutSeconds: 3600, clock, owner: fakeOwner, signal: abort.signal }));
        assert.ok(e instanceof DrainInterrupted, String(e));
        assert.match((e as Error).message, /SIGTERM/);
        assert.deepEqual(await excluded(fake), ["old-node-g0"]);
        assert.deepEqual({ ...fake.persistent, ...fake.transient }, { [EXCLUDE_NAME]: "old-node-g0" }, "no throttle left raised");
        assert.deepEqual(fake.docIds(), []);
    });

    it("an exclusion of the node the operator set before the drain stays after it fails", async () => {
        const { fake, clock } = cluster();
        fake.persistent[EXCLUDE_NAME] = NODE;
        const e = await failure(drain(fake, { node: NODE, timeoutSeconds: 30, clock, owner: fakeOwner }));
        assert.ok(e instanceof OpsFailure && e.kind === "timeout", String(e));
        assert.deepEqual(await excluded(fake), [NODE], "not the drain's to remove");
        assert.ok(
            !fake.writes.some((w) => w.persistent?.[EXCLUDE_NAME] !== undefined || w.transient?.[EXCLUDE_NAME] !== undefined),
            "it never wrote the exclusion",
        );
    });

    it("a throttle changed by someone during the drain is left as they set it", async () => {
        const { fake, clock } = cluster();
        fake.onPoll = (n) => {
            if (n === 2) {
                const layer = fake.persistent[NODE_CONCURRENT_RECOVERIES] !== undefined ? fake.persistent : fake.transient;
                layer[NODE_CONCURRENT_RECOVERIES] = "9";
            }
        };
        const logs: string[] = [];
        await failure(drain(fake, { node: NODE, timeoutSeconds: 30, clock, owner: fakeOwner, log: (l) => logs.push(l) }));
        assert.equal(fake.persistent[NODE_CONCURRENT_RECOVERIES] ?? fake.transient[NODE_CONCURRENT_RECOVERIES], "9", "the other writer's value stays");
        assert.ok(
            logs.some((l) => /left as it is/.test(l)),
            logs.join("\n"),
        );
        assert.deepEqual(await excluded(fake), []);
    });

    it("with --keep-exclusion-on-failure the exclusion stays, recorded as the drain's, and undrain takes it back", async () => {
        const { fake, clock } = cluster();
        await failure(drain(fake, { node: NODE, timeoutSeconds: 30, clock, owner: fakeOwner, keepExclusionOnFailure: true }));
        assert.deepEqual(await excluded(fake), [NODE]);
        assert.deepEqual(fake.docIds(), [`drain-${NODE}`], "the record says the drain owns it");
        await undrain(fake, { node: NODE, clock, owner: fakeOwner });
        assert.deepEqual(await excluded(fake), []);
        assert.deepEqual(fake.docIds(), []);
    });

    it("a failed write while taking the exclusion back is reported, never read as done", async () => {
        const { fake, clock } = cluster();
        fake.onPoll = () => {
            fake.failPut = (u) => u.persistent?.[EXCLUDE_NAME] !== undefined && !String(u.persistent[EXCLUDE_NAME]).includes(NODE);
        };
        const logs: string[] = [];
        const e = await failure(drain(fake, { node: NODE, timeoutSeconds: 10, clock, owner: fakeOwner, log: (l) => logs.push(l) }));
        assert.ok(e instanceof OpsFailure && e.kind === "timeout", String(e));
        assert.deepEqual(await excluded(fake), [NODE], "the write failed: the exclusion is still there");
        assert.ok(
            logs.some((l) => /NOT taken back .*run undrain --node/.test(l)),
            logs.join("\n"),
        );
        assert.deepEqual(fake.docIds(), [`drain-${NODE}`], "the record keeps the claim for undrain");
    });

    it("a node that empties in time is drained, and keeps its exclusion until undrain", async () => {
        const { fake, clock } = cluster();
        fake.onPoll = (n) => {
            if (n === 2) fake.copies = fake.copies.map((c) => (c.node === NODE ? { ...c, node: "data-0-g1" } : c));
        };
        const r = await drain(fake, { node: NODE, timeoutSeconds: 60, clock, owner: fakeOwner });
        assert.equal(r.outcome, "drained");
        assert.deepEqual(await excluded(fake), [NODE]);
        await undrain(fake, { node: NODE, clock, owner: fakeOwner });
        assert.deepEqual(await excluded(fake), []);
    });
});

describe("runners: a bounce puts allocation back whatever happens", () => {
    it("a restart command that fails: allocation.enable returns to what it was, the failure is the restart's", async () => {
        const { fake, clock } = cluster();
        fake.persistent["cluster.routing.allocation.enable"] = "all";
        const ran: string[] = [];
        const e = await failure(bounce(fake, { node: NODE, restart: "ssh x restart", timeoutSeconds: 60, clock, run: async (cmd) => (ran.push(cmd), 1) }));
        assert.ok(e instanceof OpsFailure && e.kind === "restart", String(e));
        assert.deepEqual(ran, ["ssh x restart"]);
        assert.equal(fake.persistent["cluster.routing.allocation.enable"], "all");
        assert.ok(
            fake.writes.some((w) => w.persistent?.["cluster.routing.allocation.enable"] === "primaries"),
            "it had set primaries",
        );
    });

    it("a node that never comes back: a timeout, and allocation.enable removed again when it was unset", async () => {
        const { fake, clock } = cluster();
        const e = await failure(bounce(fake, { node: NODE, restart: "true", timeoutSeconds: 20, clock, run: async () => 0 }));
        assert.ok(e instanceof OpsFailure && e.kind === "timeout", String(e));
        assert.equal(fake.persistent["cluster.routing.allocation.enable"], undefined);
    });
});
