// Issue 9: random walks over the config edits operators make (bump a generation, change a type or heap, add or
// remove a node or origin, change a weight, a budget or prices, flip decommission), each step evaluated through the
// offline program against the last accepted step's deployed baseline and read through the engine model. As many
// steps as fit in about three minutes, at least 200; the seed is printed so a failure can be replayed
// (WALK_SEED=<seed> npm test). bench/walk/run.ts runs the long walk.

import assert from "node:assert/strict";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, stackDoc } from "../support/graph";
import { EDITS, refusalProblems, stepViolations, walk } from "../support/walk";

describe("random walks over config edits keep the update invariants", function () {
    this.timeout(15 * 60_000);

    it("the invariant checker sees a violation when there is one", async () => {
        const prod = await committedStack("prod");
        const instance = (name: string) =>
            prod.resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.name.startsWith(`activedata-search-${name}-g`))!;
        const without = (urns: string[]): StackGraph => ({ ...prod, resources: prod.resources.filter((r) => !urns.includes(r.urn)) });
        const chain = (name: string) => prod.resources.filter((r) => r.name.startsWith(instance(name).name)).map((r) => r.urn);
        assert.deepEqual(stepViolations(prod, prod), []);
        assert.deepEqual(stepViolations(prod, without(chain("spot-2"))), [], "one data node leaving through its drain is fine");
        assert.match(stepViolations(prod, without([...chain("spot-2"), ...chain("backup-1")])).join("\n"), /2 search data nodes leave in one update/);
        assert.match(stepViolations(prod, without([instance("spot-2").urn])).join("\n"), /leaves but its drain .*spot-2.*-drain stays/);
        // main before issue 9: a type change updated a data node in place (stop/start) and replaced its drain.
        const retyped = (keepReplaceOnChanges: boolean): StackGraph => ({
            ...prod,
            resources: prod.resources.map((r) =>
                r.urn === instance("backup-3").urn
                    ? { ...r, inputs: { ...r.inputs, instanceType: "r6i.4xlarge" }, options: keepReplaceOnChanges ? r.options : {} }
                    : r.type === "command:local:Command" && r.name === `${instance("backup-3").name}-drain`
                      ? { ...r, inputs: { ...r.inputs, triggers: ["backup-3-g0", "a new replacement key"] } }
                      : r,
            ),
        });
        assert.match(stepViolations(prod, retyped(false)).join("\n"), /backup-3.*stopped and started in place/);
        assert.match(stepViolations(prod, retyped(false)).join("\n"), /backup-3.*-drain runs its drain but .*backup-3.* stays/);
        assert.deepEqual(
            stepViolations(prod, retyped(true)).filter((v) => /stopped|leaves but/.test(v)),
            [],
        );
        assert.deepEqual(refusalProblems("Refused by guardrails, nothing was changed:\n  - search: two at once"), []);
        assert.equal(refusalProblems("Refused by guardrails, nothing was changed:\n  - two at once").length, 1);
    });

    it("every accepted step keeps the invariants, every refused step names its path", async () => {
        const seed = Number(process.env.WALK_SEED ?? Date.now() % 2 ** 31);
        const result = await walk({ start: stackDoc("prod"), stack: "prod", seed, minSteps: 200, maxSteps: 100_000, deadline: Date.now() + 3 * 60_000 });
        console.log(`      walk seed ${seed}: ${result.steps} steps, ${result.accepted} accepted, ${result.refused} refused`);
        for (const [label, t] of Object.entries(result.byEdit)) console.log(`        ${label}: ${t.accepted} accepted, ${t.refused} refused`);
        assert.deepEqual(result.violations, [], `seed ${seed}`);
        assert.ok(result.steps >= 200, `${result.steps} steps`);
        // A walk that refused everything would prove nothing.
        assert.ok(result.accepted >= result.steps / 4, `only ${result.accepted} of ${result.steps} steps accepted`);
        assert.ok(Object.keys(result.byEdit).length >= EDITS.length - 1, `edits tried: ${Object.keys(result.byEdit).join(", ")}`);
    });
});
