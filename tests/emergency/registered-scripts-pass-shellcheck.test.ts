// Every script the switch registers (prod with the switch on: stops, resumes, no-ops) passes shellcheck, the real
// peer (tests/peers/install.sh). The committed stacks have no switch, so the shared shellcheck test cannot see them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

describe("emergency: every registered script passes shellcheck", function () {
    this.timeout(120_000);
    it("stop and resume scripts of every step", async () => {
        const doc = deepClone(stackDoc("prod")) as { config: Record<string, any> };
        doc.config["dataplat:emergency"] = { active: true, reason: "red", balancer: { kind: "systemd" } };
        const g = await evaluateDoc(doc, stackDoc("prod"), "prod");
        const scripts = g.resources
            .filter((r) => r.type === "command:local:Command" && /-emergency-/.test(r.name))
            .flatMap((r) => (["create", "update", "delete"] as const).map((f) => [`${r.name}.${f}`, r.inputs[f]] as const))
            .filter(([, v]) => typeof v === "string" && v !== "true");
        assert.equal(scripts.length, 8, scripts.map(([w]) => w).join(", "));
        for (const [where, text] of scripts) {
            const r = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], { input: text as string, encoding: "utf8" });
            if (r.error) throw new Error(`shellcheck is not installed: run bash tests/peers/install.sh (${r.error.message})`);
            assert.equal(r.status, 0, `${where}:\n${r.stdout}${r.stderr}`);
        }
    });
});
