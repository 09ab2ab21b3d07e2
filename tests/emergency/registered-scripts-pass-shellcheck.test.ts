// Every script the switch registers (prod with the switch on: stops, resumes, no-ops) parses and passes shellcheck,
// the real peer (tests/peers/install.sh). The committed stacks have no switch, so the shared golden-file and
// shellcheck tests of tests/scripts cannot see them.
import assert from "node:assert/strict";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";
import { checkScripts, registeredScripts, requireShellcheck } from "../support/scripts";

describe("emergency: every registered script passes shellcheck", function () {
    this.timeout(120_000);
    before(requireShellcheck);
    it("stop and resume scripts of every step", async () => {
        const doc = deepClone(stackDoc("prod")) as { config: Record<string, any> };
        doc.config["dataplat:emergency"] = { active: true, reason: "red", balancer: { kind: "systemd" } };
        const g = await evaluateDoc(doc, stackDoc("prod"), "prod");
        const scripts = registeredScripts(g, "prod (emergency on)").filter((s) => /-emergency-/.test(s.where) && s.text !== "true");
        assert.equal(scripts.length, 8, scripts.map((s) => s.where).join(", "));
        const { findings } = checkScripts(scripts);
        assert.deepEqual(findings, [], findings.join("\n"));
    });
});
