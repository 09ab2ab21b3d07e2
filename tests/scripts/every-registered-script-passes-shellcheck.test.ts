// Every shell text the program registers passes shellcheck: the create, update, delete and stdin of every command
// resource and the user data of every instance and launch template, in both committed stacks and in the update
// that changes every search node's heap (the only update that declares the bounces). shellcheck is a real peer
// (Debian's package, installed by tests/peers/install.sh); a missing shellcheck fails the test, it never skips it.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, deepClone, evaluateDoc, stackDoc } from "../support/graph";

interface Script {
    readonly where: string;
    readonly text: string;
}

function scriptsOf(g: StackGraph, label: string): Script[] {
    const out: Script[] = [];
    for (const r of g.resources) {
        const fields = r.type.startsWith("command:") ? ["create", "update", "delete", "stdin"] : ["userData"];
        for (const f of fields) {
            const v = r.inputs[f];
            if (typeof v === "string" && v.trim() !== "") out.push({ where: `${label}: ${r.type} ${r.name} .${f}`, text: v });
        }
    }
    return out;
}

/** shellcheck's findings for one script (bash: the interpreter every command resource and user data uses). */
function shellcheck(text: string): string {
    const input = text.startsWith("#!") ? text : `#!/bin/bash\n${text}`;
    const r = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], { input, encoding: "utf8" });
    if (r.error) throw r.error;
    return r.status === 0 ? "" : r.stdout || r.stderr;
}

describe("every registered script passes shellcheck", function () {
    this.timeout(300_000);
    const graphs: [string, StackGraph][] = [];

    before(async () => {
        try {
            execFileSync("shellcheck", ["--version"], { stdio: "ignore" });
        } catch {
            throw new Error("shellcheck is not installed: run `bash tests/peers/install.sh` as root (apt-get install shellcheck)");
        }
        for (const stack of ["prod", "staging"] as const) {
            graphs.push([stack, await committedStack(stack)]);
            const doc = stackDoc(stack);
            const search = doc.config["dataplat:search"];
            const from = deepClone(doc);
            const s = from.config["dataplat:search"];
            for (const n of [s.coordinator, ...s.masters, ...s.backupNodes, ...s.spotNodes].filter(Boolean)) n.heap = n.heap === "2g" ? "3g" : "2g";
            assert.ok(search, `${stack} has a search section`);
            graphs.push([`${stack} (every search heap changed)`, await evaluateDoc(doc, from, stack)]);
        }
    });

    it("finds the scripts it checks (commands of every kind, and user data)", () => {
        for (const [label, g] of graphs) {
            const scripts = scriptsOf(g, label);
            assert.ok(scripts.some((s) => s.where.endsWith(".userData")), `${label}: user data`);
            assert.ok(scripts.some((s) => s.where.endsWith(".delete") && s.where.includes("-drain")), `${label}: drains`);
            if (label.includes("heap")) assert.ok(scripts.some((s) => s.where.includes("-bounce")), `${label}: bounces`);
        }
    });

    it("shellcheck reports nothing for any of them", () => {
        const found: string[] = [];
        const seen = new Set<string>();
        for (const [label, g] of graphs) {
            for (const s of scriptsOf(g, label)) {
                if (seen.has(s.text)) continue;
                seen.add(s.text);
                const out = shellcheck(s.text);
                if (out) found.push(`${s.where}\n${out}`);
            }
        }
        assert.ok(seen.size > 50, `checked ${seen.size} distinct scripts`);
        assert.deepEqual(found, [], found.join("\n"));
    });

    it("the check can fail: an unquoted expansion is reported", () => {
        assert.match(shellcheck('rm -rf $dir/"x"'), /SC2086|SC2154/);
    });
});
