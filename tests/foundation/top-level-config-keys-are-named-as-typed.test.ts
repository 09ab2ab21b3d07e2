/**
 * Typos at the top of the stack file get messages as good as the nested ones (issue 19): an unknown
 * `dataplat:*` key gets a "did you mean" and the keys there are, and a key under a misspelt namespace
 * (`datapalt:prefix`) is reported as itself, not as the `prefix` it left missing. Other programs'
 * namespaces (`aws:`, `pulumi:`) stay untouched.
 */
import assert from "node:assert/strict";
import { ConfigError, suggest } from "../../ops/config/errors";
import { parseStackConfig } from "../../ops/config/parse";
import { deepClone, rawFromDoc, stackDoc } from "../support/graph";

type Cfg = Record<string, any>;

function problemsAfter(edit: (c: Cfg) => void): { path: string; message: string }[] {
    const doc = deepClone(stackDoc("prod"));
    edit(doc.config);
    const raw = rawFromDoc(doc);
    try {
        parseStackConfig(raw.config, new Set(raw.secretKeys));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${(e as Error).stack}`);
        return [...e.problems];
    }
    return [];
}

/** Moves a key of the prod stack file to another name, as a typo would. */
const rename = (from: string, to: string) => (c: Cfg) => {
    c[to] = c[from];
    delete c[from];
};

describe("top-level config keys: typos are named as typed", () => {
    describe("an unknown dataplat:* key gets a 'did you mean' and the keys there are", () => {
        const cases: { typed: string; meant: string }[] = [
            { typed: "alerts", meant: "alerting" },
            { typed: "alert", meant: "alerting" },
            { typed: "netwrok", meant: "network" },
            { typed: "spotFleet", meant: "spotFleets" },
            { typed: "Search", meant: "search" },
            { typed: "controlplane", meant: "controlPlane" },
        ];
        for (const { typed, meant } of cases) {
            it(`dataplat:${typed} -> dataplat:${meant}`, () => {
                const problems = problemsAfter(rename(`dataplat:${meant}`, `dataplat:${typed}`));
                const p = problems.find((x) => x.path === typed);
                assert.ok(p, `a problem at ${typed}: ${JSON.stringify(problems)}`);
                assert.match(p.message, new RegExp(`unknown key dataplat:${typed} \\(did you mean 'dataplat:${meant}'\\?\\)`));
                assert.match(p.message, /expected one of: dataplat:environment, dataplat:prefix, /);
            });
        }

        it("a key near nothing gets the list but no guess", () => {
            const problems = problemsAfter((c) => (c["dataplat:kubernetes"] = "{}"));
            assert.equal(problems.length, 1);
            assert.match(problems[0].message, /^unknown key dataplat:kubernetes; expected one of: /);
            assert.doesNotMatch(problems[0].message, /did you mean/);
        });
    });

    describe("a misspelt namespace is reported as itself", () => {
        for (const namespace of ["datapalt", "dataplta", "DataPlat", "dataplt"]) {
            it(`${namespace}:prefix is an unknown namespace, not a missing prefix`, () => {
                const problems = problemsAfter(rename("dataplat:prefix", `${namespace}:prefix`));
                assert.deepEqual(
                    problems.map((p) => p.path),
                    [`${namespace}:prefix`],
                    JSON.stringify(problems),
                );
                assert.match(problems[0].message, new RegExp(`unknown namespace '${namespace}' \\(did you mean 'dataplat:prefix'\\?\\)`));
            });
        }

        it("a misspelt namespace next to the right key is still reported (the key would be ignored)", () => {
            const problems = problemsAfter((c) => (c["datapalt:search"] = "{}"));
            assert.deepEqual(
                problems.map((p) => p.path),
                ["datapalt:search"],
            );
        });

        it("other programs' namespaces are left alone", () => {
            const problems = problemsAfter((c) => {
                c["aws:profile"] = "ops";
                c["pulumi:tags"] = "{}";
                c["tls:foo"] = "bar";
            });
            assert.deepEqual(problems, []);
        });

        it("the committed stack files have no such problem", () => {
            assert.deepEqual(
                problemsAfter(() => undefined),
                [],
            );
        });
    });

    describe("suggest", () => {
        it("keeps the edit-distance guess and adds the shared-start one", () => {
            assert.equal(suggest("instancetype", ["instanceType", "imageId"]), "instanceType");
            assert.equal(suggest("alerts", ["alerting", "buckets"]), "alerting");
            assert.equal(suggest("instance", ["instanceType", "imageId"]), "instanceType");
        });

        it("guesses nothing when the shared start is ambiguous or short", () => {
            assert.equal(suggest("spots", ["spotFleets", "spotNodes"]), undefined);
            assert.equal(suggest("zz", ["alerting"]), undefined);
            assert.equal(suggest("aws", ["dataplat"]), undefined);
            assert.equal(suggest("pulumi", ["dataplat"]), undefined);
        });
    });
});
