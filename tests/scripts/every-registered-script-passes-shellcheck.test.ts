// Every shell text the program registers passes shellcheck: the create, update, delete and stdin of every command
// resource and the user data of every instance and launch template, in both committed stacks and in the update
// that changes every search node's heap (the only update that declares the bounces). shellcheck is a real peer
// (Debian's package, installed by tests/peers/install.sh); a missing shellcheck fails the test, it never skips it.

import assert from "node:assert/strict";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, deepClone, evaluateDoc, stackDoc } from "../support/graph";
import { bashSyntax, checkScripts, registeredScripts, requireShellcheck, shellcheck } from "../support/scripts";

describe("every registered script passes shellcheck", function () {
    this.timeout(300_000);
    const graphs: [string, StackGraph][] = [];

    before(async () => {
        requireShellcheck();
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
            const scripts = registeredScripts(g, label);
            assert.ok(
                scripts.some((s) => s.where.endsWith(".userData")),
                `${label}: user data`,
            );
            assert.ok(
                scripts.some((s) => s.where.endsWith(".delete") && s.where.includes("-drain")),
                `${label}: drains`,
            );
            if (label.includes("heap"))
                assert.ok(
                    scripts.some((s) => s.where.includes("-bounce")),
                    `${label}: bounces`,
                );
        }
    });

    it("bash -n and shellcheck report nothing for any of them", () => {
        const { checked, findings } = checkScripts(graphs.flatMap(([label, g]) => registeredScripts(g, label)));
        assert.ok(checked > 50, `checked ${checked} distinct scripts`);
        assert.deepEqual(findings, [], findings.join("\n"));
    });

    it("the checks can fail: an unquoted expansion is reported, an unclosed if does not parse", () => {
        assert.match(shellcheck('rm -rf $dir/"x"'), /SC2086|SC2154/);
        assert.match(bashSyntax("if true; then\n  echo x\n"), /syntax error|unexpected end of file/);
    });
});
