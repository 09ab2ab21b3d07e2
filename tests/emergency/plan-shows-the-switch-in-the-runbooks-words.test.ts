// `npm run plan` shows the emergency switch as a section of its own: the stop order when it turns on, the
// resume order (each behind its gate) when it turns off, "kept stopped" while it stays on, with since and why.
import assert from "node:assert/strict";
import { renderText } from "../../ops/plan/render";
import { deepClone, stackDoc } from "../support/graph";
import { evaluateChange } from "../plan/support";

type Doc = { config: Record<string, any> };

describe("plan: the emergency switch in the runbook's words", function () {
    this.timeout(300_000);
    const normal = stackDoc("prod") as Doc;
    const on = deepClone(normal);
    on.config["dataplat:emergency"] = { active: true, reason: "cluster red after losing three spot nodes", since: "2024-05-01T03:00:00Z" };
    const off = deepClone(normal);
    off.config["dataplat:emergency"] = { active: false };
    const section = (d: Awaited<ReturnType<typeof evaluateChange>>["doc"]) => {
        const s = d.sections.find((x) => x.key === "emergency");
        assert.ok(s, `an emergency section among ${d.sections.map((x) => x.key).join(", ")}`);
        return s;
    };

    it("turning it on: change 'stop', the four stops in the runbook's order, since and why", async () => {
        const e = await evaluateChange(normal, on);
        const s = section(e.doc);
        assert.equal(s.title, "emergency switch (Emergency Procedures)");
        assert.equal(s.change, "stop");
        // The runbook's own titles, in its order (written out here, not read from the code under test).
        assert.deepEqual(
            s.steps.map((x) => x.split(":")[0]),
            ["Stop the esShardBalancer", "Stop the FrontEnd", "Stopping ETL", "Stopping ingestion"],
        );
        assert.match(s.steps[0], /esShardBalancer on manager/);
        assert.match(s.steps[3], /push-to-es/);
        assert.ok(s.notes.includes("active since 2024-05-01T03:00:00Z"));
        assert.ok(s.notes.includes("reason: cluster red after losing three spot nodes"));
        assert.match(renderText(e.doc), /emergency switch \(Emergency Procedures\)/);
    });

    it("turning it off: change 'resume', balancer and frontend, then ingestion, ETL last, each behind its gate", async () => {
        const e = await evaluateChange(on, off);
        const s = section(e.doc);
        assert.equal(s.change, "resume");
        assert.equal(s.steps.length, 4);
        assert.match(s.steps[0], /^Resume esShardBalancer on manager machine once the cluster is at least yellow/);
        assert.match(s.steps[1], /^Resume the FrontEnd once the cluster is at least yellow/);
        assert.match(s.steps[2], /^Resume Ingestion once the recent indexes are green/);
        assert.match(s.steps[3], /^Resume ETL once the recent indexes are green/);
    });

    it("staying on: 'kept stopped', no steps; no switch at all: no emergency section", async () => {
        const kept = section((await evaluateChange(on, on)).doc);
        assert.equal(kept.change, "kept stopped");
        assert.deepEqual(kept.steps, []);
        const none = await evaluateChange(normal, normal);
        assert.equal(
            none.doc.sections.find((x) => x.key === "emergency"),
            undefined,
        );
    });
});
