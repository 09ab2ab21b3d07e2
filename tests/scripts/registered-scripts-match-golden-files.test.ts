// Every shell text the program registers, in both committed stacks, as a first deployment with known values and as
// a first `pulumi preview`, is byte for byte the text of its golden file in tests/fixtures/scripts/, parses with
// `bash -n`, and passes shellcheck at every level. A changed script is an update that runs it again on the next
// `pulumi up` (a drain, a restore): the golden diff is then part of the review. To change a script on purpose:
//   DATAPLAT_WRITE_GOLDEN=1 npx mocha --no-config dist/tests/scripts/registered-scripts-match-golden-files.test.js

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../support/repo";
import { RegisteredScript, STACK_MODES, checkScripts, registeredScripts, requireShellcheck, stackInMode } from "../support/scripts";

const GOLDEN_DIR = path.join(repoRoot(), "tests", "fixtures", "scripts");
const WRITE = process.env.DATAPLAT_WRITE_GOLDEN === "1";

/** One file per stack and mode: each script under a header naming where it is registered and its length. */
function render(scripts: readonly RegisteredScript[]): string {
    return scripts.map((s) => `==== ${s.where} (${Buffer.byteLength(s.text)} bytes) ====\n${s.text}\n`).join("");
}

/** The first script whose text differs, by its header, so a failure names the resource. */
function firstDifference(want: string, got: string): string {
    const split = (t: string) => t.split(/^(?===== )/m);
    const w = split(want);
    const g = split(got);
    for (let i = 0; i < Math.max(w.length, g.length); i++) {
        if (w[i] !== g[i]) return `--- golden\n${(w[i] ?? "(none)").slice(0, 3000)}\n+++ now\n${(g[i] ?? "(none)").slice(0, 3000)}`;
    }
    return "";
}

describe("registered scripts match their golden files, parse and pass shellcheck", function () {
    this.timeout(300_000);
    before(requireShellcheck);

    for (const { stack, mode } of STACK_MODES) {
        it(`${stack}, ${mode === "known" ? "known values" : "preview"}: the text of every script is its golden file`, async () => {
            const scripts = registeredScripts(await stackInMode(stack, mode), stack);
            assert.ok(
                scripts.some((s) => s.where.endsWith(".userData")),
                "finds user data",
            );
            assert.ok(
                scripts.some((s) => s.where.includes("command:remote:Command")),
                "finds remote commands",
            );
            assert.ok(
                scripts.some((s) => s.where.includes("command:local:Command")),
                "finds local commands",
            );
            const file = path.join(GOLDEN_DIR, `${stack}.${mode}.golden`);
            const got = render(scripts);
            if (WRITE) {
                fs.mkdirSync(GOLDEN_DIR, { recursive: true });
                fs.writeFileSync(file, got);
                return;
            }
            const want = fs.readFileSync(file, "utf8");
            assert.ok(want.length > 10_000, `${file} is not empty`);
            if (want !== got) assert.fail(firstDifference(want, got));
        });

        it(`${stack}, ${mode === "known" ? "known values" : "preview"}: every script parses (bash -n) and shellcheck reports nothing`, async () => {
            const { checked, findings } = checkScripts(registeredScripts(await stackInMode(stack, mode), stack));
            assert.ok(checked > 20, `checked ${checked} distinct scripts`);
            assert.deepEqual(findings, [], findings.join("\n"));
        });
    }
});
