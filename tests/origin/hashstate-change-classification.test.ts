import assert from "node:assert/strict";
import fc from "fast-check";
import {
    DEFAULT_ORIGIN_PORT,
    DEFAULT_REPLICAS,
    type Hashstate,
    type HashstateStep,
    applyStep,
    classifyChange,
    hashstateSchema,
    originClusterSchema,
    parseOriginCluster,
    sameHashstate,
    splitIntoSteps,
} from "../../ops/origin/hashstate";

// The runbook's configurations (sjc1).
const sjc1: Hashstate = {
    "kraken-origin-master01-sjc1": { label: "origin0", weight: 30000 },
    "kraken-origin-master02-sjc1": { label: "origin1", weight: 30000 },
    "kraken-origin-master03-sjc1": { label: "origin2", weight: 30000 },
};
const withMaster04: Hashstate = { ...sjc1, "kraken-origin-master04-sjc1": { label: "origin3", weight: 15000 } };
const master03Doubled: Hashstate = { ...sjc1, "kraken-origin-master03-sjc1": { label: "origin2", weight: 60000 } };
// "Replacing a failed node": master05 takes master03's label and weight (60000 after the capacity change).
const master03Replaced: Hashstate = {
    "kraken-origin-master01-sjc1": { label: "origin0", weight: 30000 },
    "kraken-origin-master02-sjc1": { label: "origin1", weight: 30000 },
    "kraken-origin-master05-sjc1": { label: "origin2", weight: 60000 },
};

const stepsOf = (c: ReturnType<typeof classifyChange>) => (c.kind === "refused" ? c.steps : []);

describe("hashstate schema", () => {
    it("accepts the runbook's configuration and fills replicas and port defaults", () => {
        const c = originClusterSchema.parse({ hashstate: sjc1 });
        assert.equal(c.replicas, DEFAULT_REPLICAS);
        assert.equal(c.port, DEFAULT_ORIGIN_PORT);
        assert.deepEqual(c.hashstate, sjc1);
    });

    it("rejects unknown keys at both levels", () => {
        assert.throws(() => originClusterSchema.parse({ hashstate: sjc1, replica: 3 }), /replica/);
        assert.throws(() => hashstateSchema.parse({ h: { label: "origin0", weight: 1, capacity: 2 } }), /capacity/);
    });

    it("rejects empty host names and labels, and non-positive or fractional weights", () => {
        assert.equal(hashstateSchema.safeParse({ "": { label: "a", weight: 1 } }).success, false);
        assert.equal(hashstateSchema.safeParse({ h: { label: "", weight: 1 } }).success, false);
        assert.equal(hashstateSchema.safeParse({ h: { label: "a", weight: 0 } }).success, false);
        assert.equal(hashstateSchema.safeParse({ h: { label: "a", weight: -5 } }).success, false);
        assert.equal(hashstateSchema.safeParse({ h: { label: "a", weight: 1.5 } }).success, false);
        assert.equal(hashstateSchema.safeParse({}).success, false);
    });

    it("rejects a label used by two hosts, naming both and the path", () => {
        const r = hashstateSchema.safeParse({ a: { label: "origin0", weight: 1 }, b: { label: "origin0", weight: 2 } });
        assert.equal(r.success, false);
        const issue = r.error!.issues[0];
        assert.deepEqual(issue.path, ["b", "label"]);
        assert.match(issue.message, /label "origin0" of hashstate\.b is already used by hashstate\.a/);
    });

    it("parses both the stack config section and a bare hashstate map", () => {
        assert.deepEqual(parseOriginCluster({ hashstate: sjc1, replicas: 2, port: 7000 }), { hashstate: sjc1, replicas: 2, port: 7000 });
        assert.deepEqual(parseOriginCluster(sjc1), { hashstate: sjc1, replicas: 3, port: DEFAULT_ORIGIN_PORT });
    });
});

describe("hashstate change classification", () => {
    it("none: the same hosts, labels and weights, in any order", () => {
        const reordered = Object.fromEntries(Object.entries(sjc1).reverse());
        assert.deepEqual(classifyChange(sjc1, reordered), { kind: "none" });
    });

    it("add: the runbook's new 15 TB origin master04", () => {
        assert.deepEqual(classifyChange(sjc1, withMaster04), {
            kind: "add",
            host: "kraken-origin-master04-sjc1",
            label: "origin3",
            weight: 15000,
        });
    });

    it("remove: the reverse", () => {
        assert.deepEqual(classifyChange(withMaster04, sjc1), {
            kind: "remove",
            host: "kraken-origin-master04-sjc1",
            label: "origin3",
            weight: 15000,
        });
    });

    it("reweight: the runbook's capacity change of master03", () => {
        assert.deepEqual(classifyChange(sjc1, master03Doubled), {
            kind: "reweight",
            host: "kraken-origin-master03-sjc1",
            label: "origin2",
            from: 30000,
            to: 60000,
        });
    });

    it("replace-host: the runbook's failed master03 replaced by master05 with the same label and weight", () => {
        assert.deepEqual(classifyChange(master03Doubled, master03Replaced), {
            kind: "replace-host",
            from: "kraken-origin-master03-sjc1",
            to: "kraken-origin-master05-sjc1",
            label: "origin2",
            weight: 60000,
        });
    });

    it("refuses the runbook's replacement example applied to the 30000 configuration: a replacement plus a re-weight", () => {
        const c = classifyChange(sjc1, master03Replaced);
        assert.equal(c.kind, "refused");
        assert.deepEqual(stepsOf(c), [
            { kind: "replace-host", from: "kraken-origin-master03-sjc1", to: "kraken-origin-master05-sjc1", label: "origin2", weight: 30000 },
            { kind: "reweight", host: "kraken-origin-master05-sjc1", label: "origin2", from: 30000, to: 60000 },
        ]);
        assert.match(
            c.kind === "refused" ? c.message : "",
            /1\. replace origin host kraken-origin-master03-sjc1 by kraken-origin-master05-sjc1[^\n]*\n {2}2\. re-weight origin host kraken-origin-master05-sjc1/,
        );
    });

    it("refuses two additions at once and lists them as two steps, in config order", () => {
        const two = { ...withMaster04, "kraken-origin-master06-sjc1": { label: "origin4", weight: 15000 } };
        const c = classifyChange(sjc1, two);
        assert.equal(c.kind, "refused");
        if (c.kind !== "refused") return;
        assert.deepEqual(
            c.steps.map((s) => [s.kind, "host" in s ? s.host : s.to]),
            [
                ["add", "kraken-origin-master04-sjc1"],
                ["add", "kraken-origin-master06-sjc1"],
            ],
        );
        assert.match(c.message, /atomically and incrementally/);
        assert.match(c.message, /2 separate updates/);
        assert.match(c.message, /2 host\(s\) added/);
    });

    it("refuses an addition with a removal: add first, then remove", () => {
        const next = { ...withMaster04 } as Record<string, { label: string; weight: number }>;
        delete next["kraken-origin-master01-sjc1"];
        const c = classifyChange(sjc1, next);
        assert.deepEqual(
            stepsOf(c).map((s) => s.kind),
            ["add", "remove"],
        );
    });

    it("refuses an addition with a re-weight: re-weight first, then add", () => {
        const c = classifyChange(sjc1, { ...master03Doubled, "kraken-origin-master04-sjc1": { label: "origin3", weight: 15000 } });
        assert.deepEqual(
            stepsOf(c).map((s) => s.kind),
            ["reweight", "add"],
        );
    });

    it("refuses a replacement with an addition", () => {
        const c = classifyChange(master03Doubled, { ...master03Replaced, "kraken-origin-master04-sjc1": { label: "origin3", weight: 15000 } });
        assert.deepEqual(
            stepsOf(c).map((s) => s.kind),
            ["replace-host", "add"],
        );
    });

    it("refuses a label change of an existing host, as a removal and an addition", () => {
        const next = { ...sjc1, "kraken-origin-master03-sjc1": { label: "origin9", weight: 30000 } };
        const c = classifyChange(sjc1, next);
        assert.equal(c.kind, "refused");
        if (c.kind !== "refused") return;
        assert.match(c.reasons.join(" "), /kraken-origin-master03-sjc1 changes label origin2 -> origin9/);
        assert.deepEqual(c.steps, [
            { kind: "remove", host: "kraken-origin-master03-sjc1", label: "origin2", weight: 30000 },
            { kind: "add", host: "kraken-origin-master03-sjc1", label: "origin9", weight: 30000 },
        ]);
    });

    it("refuses two hosts swapping labels, with steps that never hold a label or host twice", () => {
        const next = {
            ...sjc1,
            "kraken-origin-master01-sjc1": { label: "origin1", weight: 30000 },
            "kraken-origin-master02-sjc1": { label: "origin0", weight: 30000 },
        };
        const steps = splitIntoSteps(sjc1, next);
        let state = sjc1;
        for (const s of steps) state = applyStep(state, s);
        assert.ok(sameHashstate(state, next));
        assert.equal(steps.length, 3);
    });

    // Property: any change between two valid hashstates is either one allowed step that reaches the target,
    // or refused with steps that are each allowed, classify as themselves and reach the target in order.
    const hosts = ["h1", "h2", "h3", "h4", "h5", "h6"];
    const labels = ["l1", "l2", "l3", "l4", "l5", "l6"];
    const hashstate = fc
        .tuple(
            fc.subarray(hosts, { minLength: 1 }),
            fc.shuffledSubarray(labels, { minLength: hosts.length, maxLength: hosts.length }),
            fc.array(fc.constantFrom(1, 2, 3), { minLength: hosts.length, maxLength: hosts.length }),
        )
        .map(([hs, ls, ws]) => Object.fromEntries(hs.map((h, i) => [h, { label: ls[i], weight: ws[i] }])) as Hashstate);

    it("every change is one allowed step or a refusal whose steps reach the target one allowed step at a time (property)", () => {
        fc.assert(
            fc.property(hashstate, hashstate, (prev, next) => {
                const c = classifyChange(prev, next);
                if (c.kind === "none") {
                    assert.ok(sameHashstate(prev, next));
                    return;
                }
                const steps: readonly HashstateStep[] = c.kind === "refused" ? c.steps : [c];
                if (c.kind === "refused") assert.ok(steps.length >= 2, c.message);
                let state = prev;
                for (const step of steps) {
                    const after = applyStep(state, step);
                    // Valid, except the one unavoidable case: the only origin changes label, so it leaves and comes back.
                    const onlyOriginRelabelled =
                        Object.keys(after).length === 0 && Object.keys(next).length === 1 && Object.keys(next)[0] === Object.keys(prev)[0];
                    assert.ok(onlyOriginRelabelled || hashstateSchema.safeParse(after).success, "an intermediate hashstate is valid");
                    assert.deepEqual(classifyChange(state, after), step);
                    state = after;
                }
                assert.ok(sameHashstate(state, next));
            }),
            { numRuns: 1000 },
        );
    });
});
