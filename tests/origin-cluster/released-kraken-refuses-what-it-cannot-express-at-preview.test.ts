// origin.kraken: released (the default), refused at preview: the section's refusals run before the first
// resource is registered, naming the config path, why, and what happens instead.
import assert from "node:assert/strict";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

describe("released Kraken: what it cannot express is refused at preview", function () {
    this.timeout(120_000);
    const base = () => {
        const doc = stackDoc("staging");
        Object.assign(doc.config["dataplat:origin"], {
            kraken: "released",
            inventory: { namespace: "library/x", listUrl: "http://backend:14000/list/blobs/" },
        });
        return doc;
    };

    it("a weight other than the uniform one", async () => {
        const doc = base();
        doc.config["dataplat:origin"].hashstate["kraken-origin-stg03"].weight = 1000;
        await assert.rejects(
            evaluateDoc(doc, base(), "staging"),
            /Refused by guardrails, nothing was changed:[^]*origin\.hashstate: weights differ[^]*origin\.kraken: runbook/,
        );
    });

    it("a same-label, new-host replacement", async () => {
        const prev = base();
        const next = deepClone(prev);
        const hs = next.config["dataplat:origin"].hashstate;
        hs["kraken-origin-stg09"] = hs["kraken-origin-stg03"];
        delete hs["kraken-origin-stg03"];
        await assert.rejects(
            evaluateDoc(next, prev, "staging"),
            /origin\.hashstate: kraken-origin-stg09 replaces kraken-origin-stg03 keeping label origin2[^]*host:port/,
        );
    });

    it("a ring change without origin.inventory", async () => {
        const prev = base();
        delete prev.config["dataplat:origin"].inventory;
        const next = deepClone(prev);
        next.config["dataplat:origin"].hashstate["kraken-origin-stg04"] = { label: "origin3", weight: 500 };
        await assert.rejects(evaluateDoc(next, prev, "staging"), /origin\.inventory: this update changes the owners of \d+ shards/);
    });

    it("the committed prod stack names the runbook target (its weights differ) and staging the released default", () => {
        assert.equal(stackDoc("prod").config["dataplat:origin"].kraken, "runbook");
        assert.equal(stackDoc("staging").config["dataplat:origin"].kraken, undefined);
    });
});
