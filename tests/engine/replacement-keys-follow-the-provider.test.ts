// Issue 9 ("replacement taken from the provider"): every "what replaces this" key the program computes changes exactly
// when the provider would replace what it keys. Search nodes and the headnode are named from their identity; platform
// hosts' commands carry theirs as their first trigger; the fleet's launch template is never replaced. Each edit below
// is one an operator makes, evaluated against the committed prod stack as deployed and judged by the provider's
// replacement table (ops/provider/replacement.ts wouldReplace), not by the program's own idea of it. The random walk
// (tests/walk) applies the same check to every accepted step.

import assert from "node:assert/strict";
import { planUpdate } from "../../ops/engine/steps";
import { wouldReplace } from "../../ops/provider/replacement";
import { GraphResource, StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, evaluateDoc, ofType, stackDoc } from "../support/graph";
import { replacementKeyViolations } from "../support/walk";

const INSTANCE = "aws:ec2/instance:Instance";
type Doc = { config: Record<string, any> };

/** The instance of a host: `<prefix>-<host>` or `<prefix>-<host>-g<generation>-<identity>`. */
function instanceOf(g: StackGraph, suffix: string): GraphResource {
    const found = ofType(g, INSTANCE).filter((r) => r.name.endsWith(`-${suffix}`) || new RegExp(`-${suffix}-g\\d+-[0-9a-f]{8}$`).test(r.name));
    assert.equal(found.length, 1, `one instance for ${suffix}: ${found.map((r) => r.name).join(", ")}`);
    return found[0]!;
}

/** Whether the host's machine is replaced: a new identity (new URN), or the provider replacing it in place. */
function replaced(prev: StackGraph, next: StackGraph, host: string): boolean {
    const [a, b] = [instanceOf(prev, host), instanceOf(next, host)];
    return a.urn !== b.urn || wouldReplace(INSTANCE, a.inputs, b.inputs, b.options).replace;
}

const search = (d: Doc, name: string): any => {
    const s = d.config["dataplat:search"];
    return [s.coordinator, ...s.masters, ...s.backupNodes, ...s.spotNodes].find((n: any) => n?.name === name);
};
const platformHost = (d: Doc, name: string): any => d.config["dataplat:platform"].hosts.find((h: any) => h.name === name);
const controlHost = (d: Doc, name: string): any => {
    const c = d.config["dataplat:controlPlane"];
    return c.headnode.name === name ? c.headnode : c.computeNodes.find((h: any) => h.name === name);
};

interface Case {
    readonly what: string;
    readonly edit: (d: Doc) => void;
    /** The host the edit is about, and whether its machine must be replaced. */
    readonly host: string;
    readonly replaces: boolean;
}

const CASES: readonly Case[] = [
    { what: "search backup-1 generation + 1", edit: (d) => (search(d, "backup-1").generation = 1), host: "backup-1", replaces: true },
    {
        what: "search backup-2 instanceType (same architecture)",
        edit: (d) => (search(d, "backup-2").instanceType = "r6i.8xlarge"),
        host: "backup-2",
        replaces: true,
    },
    { what: "search spot-3 subnet", edit: (d) => (search(d, "spot-3").subnet = ((search(d, "spot-3").subnet ?? 0) + 1) % 3), host: "spot-3", replaces: true },
    { what: "search spot-4 image", edit: (d) => (search(d, "spot-4").image = "ami-0aaaaaaaaaaaaaaa1"), host: "spot-4", replaces: true },
    { what: "search spot-5 heap", edit: (d) => (search(d, "spot-5").heap = "16g"), host: "spot-5", replaces: false },
    { what: "platform worker-2 instanceType", edit: (d) => (platformHost(d, "worker-2").instanceType = "r6i.8xlarge"), host: "worker-2", replaces: true },
    { what: "platform worker-3 generation + 1", edit: (d) => (platformHost(d, "worker-3").generation = 1), host: "worker-3", replaces: true },
    { what: "control-plane headnode instanceType", edit: (d) => (controlHost(d, "headnode").instanceType = "m6i.4xlarge"), host: "headnode", replaces: true },
    { what: "control-plane headnode generation + 1", edit: (d) => (controlHost(d, "headnode").generation = 1), host: "headnode", replaces: true },
    { what: "control-plane cn-3 instanceType", edit: (d) => (controlHost(d, "cn-3").instanceType = "m6i.2xlarge"), host: "cn-3", replaces: true },
    {
        what: "foundation frontend instanceType",
        edit: (d) => (d.config["dataplat:hosts"].frontend.instanceType = "m6i.2xlarge"),
        host: "frontend",
        replaces: false,
    },
];

describe("engine: every replacement key follows the provider's replacement (prod)", function () {
    this.timeout(300_000);
    const prodDoc = stackDoc("prod") as Doc;
    let deployed: StackGraph;

    before(async () => {
        deployed = await evaluateDoc(prodDoc, prodDoc, "prod");
    });

    for (const c of CASES) {
        it(`${c.what}: ${c.replaces ? "replaced, its key changes" : "not replaced, its key stays"}, and no other key disagrees with the provider`, async () => {
            const edited = deepClone(prodDoc);
            c.edit(edited);
            const next = await evaluateDoc(edited, prodDoc, "prod");
            assert.equal(replaced(deployed, next, c.host), c.replaces, `${c.host} replaced`);
            assert.deepEqual(replacementKeyViolations(deployed, next), []);
            // Only the edited host's machine changes hands.
            const others = ofType(deployed, INSTANCE).filter((r) => r.urn !== instanceOf(deployed, c.host).urn);
            const moved = others.filter((r) => {
                const kept = next.resources.find((x) => x.urn === r.urn);
                return kept === undefined || wouldReplace(INSTANCE, r.inputs, kept.inputs, kept.options).replace;
            });
            assert.deepEqual(
                moved.map((r) => r.name),
                [],
            );
        });
    }

    it("every Command carries replaceOnChanges triggers[*] (set by @pulumi/command's SDK): a trigger change replaces it even with an update script", () => {
        const commands = deployed.resources.filter((r) => r.type.startsWith("command:"));
        assert.ok(commands.length > 50);
        const without = commands.filter((r) => !(r.options.replaceOnChanges ?? []).includes("triggers[*]")).map((r) => r.name);
        assert.deepEqual(without, []);
        // The drains declare an update (a no-op) and still go with their trigger: the replacement the keys rely on.
        const drain = commands.find((r) => r.name.endsWith("-drain"))!;
        assert.equal(typeof drain.inputs.update, "string");
        assert.equal(wouldReplace(drain.type, drain.inputs, { ...drain.inputs, triggers: ["another key"] }, drain.options).replace, true);
    });

    it("a foundation host's type change is an in-place stop/start (the docs say so), never a replacement", async () => {
        const edited = deepClone(prodDoc);
        edited.config["dataplat:hosts"].logger.instanceType = "t3.xlarge";
        const next = await evaluateDoc(edited, prodDoc, "prod");
        const step = planUpdate(deployed, next).steps.find((s) => s.urn === instanceOf(deployed, "logger").urn)!;
        assert.equal(step.op, "update");
        assert.equal(step.downtime, true);
    });

    describe("the check sees a key that disagrees with the provider", () => {
        const doctor = (g: StackGraph, f: (r: GraphResource) => GraphResource): StackGraph => ({ ...g, resources: g.resources.map(f) });

        it("an identity-named instance the provider would replace under its old name", () => {
            const urn = instanceOf(deployed, "backup-3").urn;
            const next = doctor(deployed, (r) => (r.urn === urn ? { ...r, inputs: { ...r.inputs, ami: "ami-0ffffffffffffffff" } } : r));
            assert.match(replacementKeyViolations(deployed, next).join("\n"), /backup-3-g0-[0-9a-f]{8} would be replaced under its old name \(ami/);
        });

        it("a new identity with nothing replacing changed (a needless replacement)", () => {
            const old = instanceOf(deployed, "spot-6");
            const renamed = old.name.replace(/-[0-9a-f]{8}$/, "-00000000");
            const next = doctor(deployed, (r) => (r.urn === old.urn ? { ...r, urn: r.urn.replace(old.name, renamed), name: renamed } : r));
            assert.match(replacementKeyViolations(deployed, next).join("\n"), /spot-6-g0-[0-9a-f]{8} -> .*spot-6-g0-00000000: a new identity, but nothing/);
        });

        it("a platform host replaced by the provider while its commands' trigger stays, and a trigger that moves alone", () => {
            const worker = instanceOf(deployed, "worker-1");
            const replacedOnly = doctor(deployed, (r) => (r.urn === worker.urn ? { ...r, inputs: { ...r.inputs, subnetId: "subnet-elsewhere" } } : r));
            assert.match(
                replacementKeyViolations(deployed, replacedOnly).join("\n"),
                /worker-1: its commands' trigger stays but the provider replaces it \(subnetId/,
            );
            const onWorker = (r: GraphResource) => r.type.startsWith("command:") && r.dependsOn.includes(worker.urn);
            const triggerOnly = doctor(deployed, (r) => (onWorker(r) ? { ...r, inputs: { ...r.inputs, triggers: ["another identity"] } } : r));
            assert.match(
                replacementKeyViolations(deployed, triggerOnly).join("\n"),
                /worker-1: its commands' trigger changes but the provider does not replace it/,
            );
        });

        it("a replaced launch template", () => {
            const next = doctor(deployed, (r) => (r.type === "aws:ec2/launchTemplate:LaunchTemplate" ? { ...r, inputs: { ...r.inputs, name: "renamed" } } : r));
            assert.match(replacementKeyViolations(deployed, next).join("\n"), /launch template .* replaced \(name/);
        });
    });
});
