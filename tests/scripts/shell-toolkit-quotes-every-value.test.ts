// The shell toolkit (ops/shared/shell.ts): every interpolated value reaches bash as the one word it was, whatever it
// holds; the explicit escapes refuse what they cannot write safely; a heredoc's terminator never occurs in its
// content. Checked by running bash itself, over hostile values and generated ones (fast-check).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { arg, comment, heredoc, int, num, quote, raw, sh } from "../../ops/shared/shell";

/** What bash prints for a script (stdout), failing on a non-zero exit. */
function run(script: string): string {
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    if (r.error) throw r.error;
    assert.equal(r.status, 0, `bash exited ${r.status}: ${r.stderr}\n${script}`);
    return r.stdout;
}

/** Each value printed as one argument, NUL-terminated, so word splitting or globbing would show. */
const printed = (values: readonly string[]): string => run(sh`printf '%s\0' ${values}`);

const HOSTILE = [
    "it's",
    "'",
    "''",
    '"$HOME"',
    "$(touch /tmp/dataplat-shell-toolkit-pwned)",
    "`id`",
    "a\nb",
    "\n",
    "back\\slash\\",
    "\\'",
    "*",
    "~",
    "-n",
    "a b\tc",
    "${IFS}",
    "!!",
    "; rm -rf / #",
    "",
    "é ünïcode ✓",
];

describe("shell toolkit: sh quotes every interpolated value", () => {
    it("hostile values reach bash as exactly one word each, and nothing in them runs", () => {
        assert.equal(printed(HOSTILE), HOSTILE.map((v) => `${v}\0`).join(""));
        assert.equal(spawnSync("test", ["-e", "/tmp/dataplat-shell-toolkit-pwned"]).status, 1, "the $(...) value did not run");
    });

    it("any string without NUL round-trips through bash (property)", () => {
        fc.assert(
            fc.property(
                fc.array(
                    fc.string({ unit: "binary" }).map((s) => s.replace(/\0/g, "")),
                    { minLength: 1, maxLength: 5 },
                ),
                (values) => {
                    assert.equal(printed(values), values.map((v) => `${v}\0`).join(""));
                },
            ),
            { numRuns: 150 },
        );
    });

    it("quotes as ops/platform/bash.ts's q did: single quotes, ' as '\\''; numbers quoted too", () => {
        assert.equal(sh`a=${"it's"} b=${5432}`, `a='it'\\''s' b='5432'`);
        assert.equal(quote("x y"), "'x y'");
    });

    it("keeps the template text as written: backslashes stay, \\${ is a bash ${ and \\` a backquote", () => {
        assert.equal(sh`printf '%s\n' \${x:-y} \`date\``, "printf '%s\\n' ${x:-y} `date`");
    });

    it("refuses to interpolate what it cannot quote (undefined, objects)", () => {
        assert.throws(() => sh`echo ${undefined as unknown as string}`, TypeError);
        assert.throws(() => sh`echo ${{} as unknown as string}`, TypeError);
    });
});

describe("shell toolkit: explicit escapes", () => {
    it("raw writes a trusted fragment as it is", () => {
        assert.equal(sh`${raw('log "$x"\n')}done`, 'log "$x"\ndone');
    });

    it("int writes an integer bare and refuses anything else", () => {
        assert.equal(sh`(( x = ${int(300)} + ${int(-2)} ))`, "(( x = 300 + -2 ))");
        for (const bad of [1.5, NaN, Infinity, -Infinity, 2 ** 60, "3" as unknown as number, "1; rm -rf /" as unknown as number]) {
            assert.throws(() => int(bad), RangeError, String(bad));
        }
        fc.assert(
            fc.property(
                fc.double().filter((d) => !Number.isSafeInteger(d)),
                (d) => assert.throws(() => int(d), RangeError),
            ),
        );
    });

    it("num writes a finite number bare and refuses NaN, the infinities and strings", () => {
        assert.equal(sh`sleep ${num(0.1)}; sleep ${num(2)}`, "sleep 0.1; sleep 2");
        for (const bad of [NaN, Infinity, -Infinity, "0.1; id" as unknown as number]) assert.throws(() => num(bad), RangeError, String(bad));
    });

    it("arg writes a plain word bare and quotes anything else, so it stays one word", () => {
        assert.equal(sh`cli ${arg("--node")} ${arg("data-1-g2")} ${arg("a b")}`, "cli --node data-1-g2 'a b'");
        fc.assert(
            fc.property(
                fc.string({ unit: "binary" }).map((s) => s.replace(/\0/g, "")),
                (v) => {
                    assert.equal(run(sh`printf '%s\0' ${arg(v)}`), `${v}\0`);
                },
            ),
            { numRuns: 100 },
        );
    });

    it("comment refuses a newline (it would end the comment and start a command)", () => {
        assert.equal(sh`# ${comment("start unit x")}`, "# start unit x");
        assert.throws(() => comment("x\nrm -rf /"), RangeError);
        assert.throws(() => comment("x\r"), RangeError);
    });
});

describe("shell toolkit: heredoc", () => {
    const content = fc.string({ unit: "binary" }).map((s) => `${s.replace(/\0/g, "")}\n`);

    it("uses the preferred terminator when the content does not hold it", () => {
        assert.equal(
            heredoc((op) => sh`cat > ${"/etc/x"} ${op}`, "a\n"),
            "cat > '/etc/x' <<'DATAPLAT_EOF'\na\nDATAPLAT_EOF\n",
        );
    });

    it("picks another terminator when the content holds it, as a line or anywhere", () => {
        const text = heredoc((op) => sh`cat ${op}`, "DATAPLAT_EOF\nDATAPLAT_EOF_1 x\n");
        assert.equal(text, "cat <<'DATAPLAT_EOF_2'\nDATAPLAT_EOF\nDATAPLAT_EOF_1 x\nDATAPLAT_EOF_2\n");
    });

    it("its terminator never occurs in the content, and bash reads the content back exactly (property)", () => {
        const terminators = fc.constantFrom("DATAPLAT_EOF", "EOF", "X");
        fc.assert(
            fc.property(content, terminators, fc.boolean(), (body, preferred, plant) => {
                const planted = plant ? `${preferred}\n${body}${preferred}_1\n` : body;
                const text = heredoc((op) => sh`cat ${op}`, planted, preferred);
                const terminator = /^cat <<'([^']+)'\n/.exec(text)![1]!;
                assert.ok(!planted.includes(terminator), terminator);
                assert.equal(run(text), planted);
            }),
            { numRuns: 150 },
        );
    });

    it("refuses content without a final newline and a command line of several lines", () => {
        assert.throws(() => heredoc((op) => sh`cat ${op}`, "no newline"), RangeError);
        assert.throws(() => heredoc((op) => `cat ${op}\nrm -rf /`, "x\n"), RangeError);
    });
});
