/**
 * `npm run plan`'s text, checked against what the evaluated graphs hold: for both committed stacks (a first
 * deployment) and for the pull-request changes reviewers see (a search node replacement, an origin add, a spot
 * budget change, a platform worker replacement), the steps the plan prints are the engine's steps between the
 * two graphs, in the engine's order, and the resource counts are the engine's.
 */
import assert from "node:assert/strict";
import type { Step } from "../../ops/engine/steps";
import { sectionOf } from "../../ops/plan/document";
import { entryFor } from "../../ops/provider/replacement";
import { renderMarkdown, renderText, commentMarker } from "../../ops/plan/render";
import { buildPlan } from "../../ops/plan/document";
import type { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, stackDoc } from "../support/graph";
import { editedProd, evaluateChange, type Evaluated } from "./support";

const INSTANCE = "aws:ec2/instance:Instance";
const FLEET = "aws:ec2/fleet:Fleet";

/** Index of the first step matching, failing with the steps when there is none. */
function at(steps: readonly Step[], what: string, pred: (s: Step) => boolean): number {
    const i = steps.findIndex(pred);
    assert.ok(
        i >= 0,
        `no step ${what} among: ${steps
            .filter((s) => s.op !== "same")
            .map((s) => `${s.op} ${s.name}`)
            .join(", ")}`,
    );
    return i;
}
const lineIndex = (text: string, re: RegExp): number => {
    const i = text.split("\n").findIndex((l) => re.test(l));
    assert.ok(i >= 0, `no line ${re} in:\n${text}`);
    return i;
};
const changing = (e: Evaluated) => e.update.steps.filter((s) => s.op !== "same");

for (const stack of ["prod", "staging"] as const) {
    describe(`plan: the committed ${stack} stack file as a first deployment`, () => {
        let g: StackGraph;
        let text: string;
        before(async () => {
            g = await committedStack(stack);
            text = renderText(buildPlan({ stack, next: g }));
        });

        it("lists every section the program planned, and counts every resource it registered as created", () => {
            const doc = buildPlan({ stack, next: g });
            assert.equal(doc.change, "initial deployment");
            assert.deepEqual(doc.sections.map((s) => s.key).sort(), Object.keys(g.outputs.plan as object).sort());
            // Components are not counted; the StackReference is a read, not a create.
            const customs = g.resources.filter((r) => !["component", "read"].includes(entryFor(r.type).kind)).length;
            assert.ok(customs > 100);
            const created = doc.resources.reduce((n, r) => n + r.created, 0);
            assert.equal(created, customs);
            assert.ok(doc.resources.every((r) => r.replaced + r.updated + r.deleted === 0));
            assert.match(text, new RegExp(`^resources: ${customs} created$`, "m"));
        });

        it("joins one search node per search instance the graph holds, each before the cluster is ready", () => {
            const searchInstances = g.resources.filter(
                (r) => r.type === INSTANCE && sectionOf(r.urn, new Map(g.resources.map((x) => [x.urn, x]))) === "search",
            );
            const joins = text.split("\n").filter((l) => /^\s+\d+\. join \S+-g0: create the /.test(l));
            assert.equal(joins.length, searchInstances.length);
            for (const j of joins) {
                const node = j.match(/join (\S+)-g0:/)![1];
                assert.ok(
                    searchInstances.some((r) => r.name.includes(`-search-${node}-g0-`)),
                    `${node} has an instance`,
                );
            }
        });

        it("starts the platform in the layered waves the program registered: every service command once, after the commands it depends on", () => {
            const commands = new Map(Object.entries((g.outputs.platform as { serviceCommands: Record<string, string> }).serviceCommands));
            const waveOf = new Map<string, number>();
            for (const l of text.split("\n")) {
                const m = l.match(/^\s+\d+\. wave (\d+): start (.*)$/);
                if (m) for (const id of m[2].split(/, | and /)) waveOf.set(id, Number(m[1]));
            }
            assert.deepEqual([...waveOf.keys()].sort(), [...commands.keys()].sort());
            const byName = new Map(g.resources.filter((r) => r.type === "command:remote:Command").map((r) => [r.name, r]));
            const idOfUrn = new Map([...commands].map(([id, name]) => [byName.get(name)!.urn, id]));
            for (const [id, name] of commands) {
                for (const dep of byName.get(name)!.dependsOn.filter((u) => idOfUrn.has(u))) {
                    assert.ok(waveOf.get(idOfUrn.get(dep)!)! < waveOf.get(id)!, `${idOfUrn.get(dep)} starts before ${id}`);
                }
            }
        });

        it("the Markdown is the pull-request comment: the stack's marker first, then the same sections", () => {
            const mdText = renderMarkdown(buildPlan({ stack, next: g }));
            assert.equal(mdText.split("\n")[0], commentMarker(stack));
            assert.match(mdText, new RegExp(`^## Plan for stack \`${stack}\`: initial deployment`, "m"));
            assert.doesNotMatch(mdText, /<stack backup bucket>/, "placeholders are escaped, not swallowed as HTML");
            for (const s of buildPlan({ stack, next: g }).sections) assert.match(mdText, new RegExp(`^### \\d+\\. ${s.title.replace(/[()]/g, "\\$&")} `, "m"));
        });
    });
}

describe("plan: pull-request changes of prod, against the engine's steps between the two graphs", function () {
    this.timeout(120_000);
    const base = stackDoc("prod");

    it("a search node replacement: join the new node, then drain, terminate and undrain the old one, as the engine creates then deletes", async () => {
        const e = await evaluateChange(base, editedProd("search node replacement"));
        const text = renderText(e.doc);
        const steps = changing(e);
        const created = at(steps, "create spot-3-g1 instance", (s) => s.op === "create" && s.type === INSTANCE && /-search-spot-3-g1-/.test(s.name));
        const deleted = at(steps, "delete spot-3-g0 instance", (s) => s.op === "delete" && s.type === INSTANCE && /-search-spot-3-g0-/.test(s.name));
        assert.ok(created < deleted);
        const join = lineIndex(text, /^\s+1\. join spot-3-g1: create the spot node \(r6id\.2xlarge, spot\)/);
        const drain = lineIndex(text, /^\s+2\. drain spot-3-g0 \(replaced: .*\): exclude the node, wait until it holds no shard copy \(timeout 172800s\)$/);
        const terminate = lineIndex(text, /^\s+3\. terminate spot-3-g0$/);
        const undrain = lineIndex(text, /^\s+4\. undrain spot-3-g0: remove its exclusion, restore zone=spot$/);
        assert.ok(join < drain && drain < terminate && terminate < undrain);
        // The drain command is the old instance's, deleted with it at the end of the update.
        at(steps, "delete spot-3-g0 drain", (s) => s.op === "delete" && /-search-spot-3-g0-.*-drain$/.test(s.name));
        // The search section comes first: the engine's first changing step is the new node's.
        assert.equal(e.doc.sections[0].key, "search");
        assert.equal(sectionOf(steps.find((s) => s.type !== "dataplat:compute:Host")!.urn, new Map(e.next.resources.map((r) => [r.urn, r]))), "search");
        assert.deepEqual(
            e.doc.sections[0].resources.find((r) => r.kind === INSTANCE),
            { kind: INSTANCE, created: 1, replaced: 0, updated: 0, deleted: 1 },
        );
        // No other instance changes.
        assert.deepEqual(steps.filter((s) => s.type === INSTANCE).length, 2);
    });

    it("an origin add: add origin4 with its weight, roll out to every origin then repair in the engine's order, with the moved fraction", async () => {
        const e = await evaluateChange(base, editedProd("origin add"));
        const text = renderText(e.doc);
        assert.match(text, /^\s+1\. add kraken-origin-master05-sjc1 as origin4 \(weight 15000\)$/m);
        const steps = changing(e);
        const rollouts = steps.filter((s) => /-rollout$/.test(s.name)).map((s) => s.name.match(/origin-(kraken-origin-\S+)-rollout$/)![1]);
        const repairs = steps.filter((s) => /origin-repair-\d+-/.test(s.name)).map((s) => s.name.match(/repair-\d+-(\S+)$/)![1]);
        assert.equal(rollouts.length, 5);
        assert.equal(repairs.length, 5);
        assert.ok(
            steps.findIndex((s) => /-rollout$/.test(s.name)) >
                at(steps, "create master05 instance", (s) => s.op === "create" && s.type === INSTANCE && /master05/.test(s.name)),
        );
        const rolloutLine = text.split("\n")[lineIndex(text, /roll the hashstate out to /)];
        const printedRollouts = [...rolloutLine.matchAll(/(kraken-origin-\S+) \(origin\d\)/g)].map((m) => m[1]);
        assert.deepEqual(printedRollouts, rollouts, "rollouts printed in the engine's order");
        const repairLine = text.split("\n")[lineIndex(text, /then repair, in this order: /)];
        assert.deepEqual(
            [...repairLine.matchAll(/(kraken-origin-\S+) POST \/repair/g)].map((m) => m[1]),
            repairs,
            "repairs printed in the engine's order",
        );
        const moved = (e.next.outputs.plan as { origin: { movedFraction: number } }).origin.movedFraction;
        assert.match(text, new RegExp(`${(moved * 100).toFixed(1).replace(".", "\\.")}% of replica slots move`));
        assert.equal(e.doc.sections[0].key, "origin");
    });

    it("a spot budget change: the fleet's target moves in place, as the Fleet inputs say, with spend against the new budget", async () => {
        const e = await evaluateChange(base, editedProd("spot budget change"));
        const text = renderText(e.doc);
        const target = (g: StackGraph) =>
            ((g.resources.find((r) => r.type === FLEET) as GraphResource).inputs.targetCapacitySpecification as { totalTargetCapacity: number })
                .totalTargetCapacity;
        assert.ok(target(e.next) < target(e.previous));
        assert.match(text, new RegExp(`fleet etl: target ${target(e.previous)} -> ${target(e.next)} units: .*; \\$[0-9.]+/h of the \\$0\\.3/h budget`));
        const fleetSteps = changing(e)
            .filter((s) => s.type === FLEET)
            .map((s) => s.op);
        assert.deepEqual(fleetSteps, ["update"]);
        assert.deepEqual(
            e.doc.resources.find((r) => r.kind === FLEET),
            { kind: FLEET, created: 0, replaced: 0, updated: 1, deleted: 0 },
        );
        assert.ok(
            e.doc.resources.every((r) => r.created + r.replaced + r.deleted === 0),
            "nothing but updates",
        );
    });

    it("a platform worker replacement: the new machine first, its services in their waves, the old copies and machine at the end", async () => {
        const e = await evaluateChange(base, editedProd("platform worker replacement"));
        const text = renderText(e.doc);
        const steps = e.update.steps;
        const idx = (op: string, suffix: string) => at(steps, `${op} ${suffix}`, (s) => s.op === op && s.name === `activedata-platform-${suffix}`);
        assert.ok(idx("create-replacement", "worker-3") < idx("create-replacement", "worker-3-datanode"));
        assert.ok(idx("create-replacement", "worker-3-datanode") < idx("create-replacement", "worker-3-accumulo-tserver"));
        assert.ok(idx("create-replacement", "worker-3-datanode") < idx("create-replacement", "worker-3-nodemanager"));
        for (const svc of ["datanode", "nodemanager", "accumulo-tserver"])
            assert.ok(idx("delete-replaced", `worker-3-${svc}`) < idx("delete-replaced", "worker-3"));
        const replace = lineIndex(text, /^\s+1\. replace host worker-3: generation 0 -> 1: create the new machine first$/);
        const wave1 = lineIndex(text, /^\s+2\. wave 1: start datanode@worker-3 on the new machine$/);
        const wave2 = lineIndex(text, /^\s+3\. wave 2: start accumulo-tserver@worker-3 and nodemanager@worker-3 on the new machine$/);
        const end = lineIndex(text, /at the end of the update: stop the old machine's copies of .*, then delete the old machine$/);
        assert.ok(replace < wave1 && wave1 < wave2 && wave2 < end);
        assert.equal(e.doc.sections[0].key, "platform");
        assert.deepEqual(e.doc.sections[0].resources, [
            { kind: INSTANCE, created: 0, replaced: 1, updated: 0, deleted: 0 },
            { kind: "command:remote:Command", created: 0, replaced: 3, updated: 0, deleted: 0 },
        ]);
    });
});
