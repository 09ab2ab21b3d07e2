/**
 * The rules of a backup unit (ops/platform/backupunit.ts) as plain functions, and their bash
 * renderings in the shell toolkit (ops/platform/bash.ts) run over the same cases: the scripts decide
 * exactly what these functions decide.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import {
    MANIFEST_HEADER,
    candidateOrder,
    formatStamp,
    hostClockSkewed,
    parseStamp,
    readManifest,
    renderManifest,
    unitTimeVerdict,
    type Manifest,
} from "../../ops/platform/backupunit";
import { UNIT_RULE_FUNCTIONS, prelude } from "../../ops/platform/bash";
import { quote as q } from "../../ops/shared/shell";
import { runBash } from "./run-bash";

const STAMP = "20240131T235959.123456789Z-headnode";
const SHA = "a".repeat(64);
const manifest: Manifest = {
    kind: "headnode",
    stamp: STAMP,
    host: "headnode",
    parts: [
        { name: "database.dump", size: 1234, sha256: SHA, lastModified: "2024-02-01T00:00:03Z" },
        { name: "roles.sql", size: 0, sha256: "b".repeat(64), lastModified: "2024-02-01T00:00:04Z" },
    ],
};
const PARTS = ["roles.sql", "database.dump"];

describe("backup unit rules", () => {
    it("stamps carry the time to the nanosecond and the host, and parse back; impossible dates are not stamps", () => {
        assert.deepEqual(parseStamp(STAMP), { text: STAMP, epochSeconds: Date.UTC(2024, 0, 31, 23, 59, 59) / 1000, nanoseconds: 123456789, host: "headnode" });
        for (const bad of [
            "20240131T235959Z",
            "20240131T235959.123Z-headnode",
            "20241331T000000.000000000Z-h",
            "20240230T000000.000000000Z-h",
            "20240131T235959.123456789Z-Head",
            "20240131T235959.123456789Z-",
        ]) {
            assert.equal(parseStamp(bad), undefined, bad);
        }
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: 4_102_444_799 }),
                fc.integer({ min: 0, max: 999_999_999 }),
                fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
                (s, ns, host) => {
                    const p = parseStamp(formatStamp(s, ns, host));
                    assert.deepEqual(p && [p.epochSeconds, p.nanoseconds, p.host], [s, ns, host]);
                },
            ),
        );
    });

    it("a manifest reads back only when complete and for the expected unit", () => {
        const text = renderManifest(manifest);
        assert.deepEqual(readManifest(text, { kind: "headnode", stamp: STAMP, parts: PARTS }), { ok: true, manifest });
        // Every truncation of a manifest is refused (it has no end line, or a wrong count).
        const lines = text.split("\n");
        for (let n = 0; n < lines.length - 2; n++)
            assert.equal(readManifest(lines.slice(0, n).join("\n"), { kind: "headnode", stamp: STAMP, parts: "any" }).ok, false, `first ${n} lines`);
    });

    it("a unit whose stamp runs ahead of S3's LastModified is skewed; age comes from LastModified alone", () => {
        const rules = { maxAgeSeconds: 3600, maxSkewSeconds: 300 };
        const now = 1_000_000;
        assert.equal(unitTimeVerdict(now - 20 * 60, now - 20 * 60, now, rules), "fresh");
        assert.equal(unitTimeVerdict(now + 110 * 60, now - 10 * 60, now, rules), "skewed", "a clock 2 h fast");
        assert.equal(unitTimeVerdict(now - 3 * 3600, now - 10 * 60, now, rules), "fresh", "a slow clock's stamp does not age the unit");
        assert.equal(unitTimeVerdict(now - 3700, now - 3601, now, rules), "too-old");
        assert.equal(unitTimeVerdict(now, now + 301, now, rules), "future");
        assert.equal(hostClockSkewed(100, 110, 420, 300), true);
        assert.equal(hostClockSkewed(100, 110, 410, 300), false);
        assert.equal(hostClockSkewed(7300, 7310, 100, 300), true, "a host 2 h fast");
    });

    it("recovery tries units newest first by S3's LastModified, whatever their stamps say", () => {
        const units = [
            { stamp: "20990101T000000.000000000Z-fast", modifiedSeconds: 100 },
            { stamp: "20240101T000000.000000000Z-ok", modifiedSeconds: 200 },
            { stamp: "not-a-stamp", modifiedSeconds: 300 },
            { stamp: "20240101T000000.000000001Z-ok", modifiedSeconds: 200 },
        ];
        assert.deepEqual(
            candidateOrder(units).map((u) => u.stamp),
            ["20240101T000000.000000001Z-ok", "20240101T000000.000000000Z-ok", "20990101T000000.000000000Z-fast"],
        );
    });

    describe("the bash renderings decide the same as the functions", function () {
        this.timeout(60_000);
        let dir: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "dataplat-rules-"));
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        const run = async (body: string): Promise<string[]> => {
            const result = await runBash(prelude("rules", ["rule twins"]) + UNIT_RULE_FUNCTIONS + body, process.env);
            assert.equal(result.status, 0, result.stderr);
            return result.stdout.trim().split("\n");
        };

        it("unit_time_verdict and host_clock_skewed", async () => {
            const cases = fc.sample(
                fc.tuple(
                    fc.integer({ min: 0, max: 20_000 }),
                    fc.integer({ min: 0, max: 20_000 }),
                    fc.integer({ min: 0, max: 20_000 }),
                    fc.integer({ min: 0, max: 5000 }),
                    fc.integer({ min: 0, max: 600 }),
                ),
                { numRuns: 300, seed: 18 },
            );
            const out = await run(
                cases
                    .map(
                        ([a, b, c, d, e]) =>
                            `echo "$(unit_time_verdict ${a} ${b} ${c} ${d} ${e}) $(if host_clock_skewed ${a} ${b} ${c} ${e}; then echo skewed; else echo agree; fi)"`,
                    )
                    .join("\n") + "\n",
            );
            assert.deepEqual(
                out,
                cases.map(
                    ([a, b, c, d, e]) =>
                        `${unitTimeVerdict(a, b, c, { maxAgeSeconds: d, maxSkewSeconds: e })} ${hostClockSkewed(a, b, c, e) ? "skewed" : "agree"}`,
                ),
            );
        });

        it("stamp_seconds", async () => {
            const stamps = [STAMP, "19700101T000000.000000000Z-a", "20991231T235959.999999999Z-x-1"];
            assert.deepEqual(
                await run(stamps.map((s) => `stamp_seconds ${q(s)}`).join("\n") + "\n"),
                stamps.map((s) => String(parseStamp(s)!.epochSeconds)),
            );
        });

        it("manifest_problem", async () => {
            const good = renderManifest(manifest);
            const variants: [string, string, readonly string[] | "any"][] = [
                [good, STAMP, PARTS],
                [good, STAMP, "any"],
                [good, "20240131T235959.123456788Z-headnode", PARTS],
                [good, STAMP, ["database.dump"]],
                [good.replace("kind headnode", "kind metadata"), STAMP, PARTS],
                [good.replace("host headnode", "host other"), STAMP, PARTS],
                [good.replace("end 2", "end 3"), STAMP, PARTS],
                [good.replace("end 2\n", ""), STAMP, PARTS],
                [`${good}extra\n`, STAMP, PARTS],
                [good.replace("roles.sql", "database.dump"), STAMP, "any"],
                [good.replace("roles.sql", "../escape"), STAMP, "any"],
                [good.replace(SHA, "A".repeat(64)), STAMP, PARTS],
                [good.replace(" 1234 ", " 01234 "), STAMP, PARTS],
                [good.replace(MANIFEST_HEADER, "dataplat-backup-manifest 2"), STAMP, PARTS],
                [`${MANIFEST_HEADER}\nkind headnode\nstamp ${STAMP}\nhost headnode\nend 0\n`, STAMP, "any"],
                ["", STAMP, PARTS],
            ];
            const body =
                variants
                    .map(([text, stamp, parts], i) => {
                        fs.writeFileSync(path.join(dir, `m${i}`), text);
                        const args = parts === "any" ? "'*'" : parts.map(q).join(" ");
                        return `if p=$(manifest_problem ${q(path.join(dir, `m${i}`))} headnode ${q(stamp)} ${args}); then echo ok; else echo "$p"; fi`;
                    })
                    .join("\n") + "\n";
            const expected = variants.map(([text, stamp, parts]) => {
                const r = readManifest(text, { kind: "headnode", stamp, parts });
                return r.ok ? "ok" : r.problem;
            });
            assert.deepEqual(await run(body), expected);
            assert.equal(expected.filter((e) => e === "ok").length, 2);
        });
    });
});
