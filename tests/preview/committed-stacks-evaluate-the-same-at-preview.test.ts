// Both committed stacks evaluated as a first real `pulumi preview` would run them (dry run, every id, ARN,
// IP, generated name, random value and command output unknown) and with every value known: the program
// registers the same resources, under the same names, parents, options and explicit dependencies, with
// the same inputs wherever the preview knows them. So no code path depends on a computed value being
// known: whatever decides what to register reads config, never an apply() on a provider's output.

import assert from "node:assert/strict";
import { StackGraph, UNKNOWN } from "../../stacks/offline/evaluate";
import { stackDoc } from "../support/graph";
import { attempt, previewMismatches, unknownPaths } from "./support";

for (const stack of ["prod", "staging"] as const) {
    describe(`${stack} stack at preview (every computed value unknown) and with known values`, function () {
        this.timeout(120_000);
        let preview: StackGraph;
        let known: StackGraph;

        before(async () => {
            const [p, k] = await Promise.all([attempt(stackDoc(stack), "preview", undefined, stack), attempt(stackDoc(stack), "known", undefined, stack)]);
            if (p.error) throw p.error;
            if (k.error) throw k.error;
            preview = p.graph!;
            known = k.graph!;
        });

        it("completes at preview and registers every resource, under the same URNs", () => {
            assert.ok(preview.resources.length > 100, `${preview.resources.length} resources`);
            assert.deepEqual(
                preview.resources.map((r) => r.urn),
                known.resources.map((r) => r.urn),
            );
        });

        it("gives each resource the same parent, options and explicit dependsOn", () => {
            const byUrn = new Map(known.resources.map((r) => [r.urn, r]));
            for (const r of preview.resources) {
                const k = byUrn.get(r.urn)!;
                assert.deepEqual(
                    { parent: r.parent, options: r.options, explicitDependsOn: r.explicitDependsOn },
                    { parent: k.parent, options: k.options, explicitDependsOn: k.explicitDependsOn },
                    r.urn,
                );
            }
        });

        it("gives every input the preview knows the value it has with everything known", () => {
            const byUrn = new Map(known.resources.map((r) => [r.urn, r]));
            const mismatches = preview.resources.flatMap((r) => previewMismatches(r.inputs, byUrn.get(r.urn)!.inputs).map((m) => `${r.urn}: ${m}`));
            assert.deepEqual(mismatches, []);
        });

        it("really runs as a first preview: computed values are unknown, not undefined, and never mock values", () => {
            const text = JSON.stringify(preview);
            assert.ok(!/"10\.1\d\d\.1\d\d\.1\d\d"/.test(text), "no mock private IP");
            assert.ok(!text.includes("arn:aws:mock:"), "no mock ARN");
            assert.ok(!text.includes("offline-"), "no generated password or secret placeholder in plaintext");
            const unknownInputs = preview.resources.flatMap((r) => unknownPaths(r.inputs).map((p) => `${r.type}.${p}`));
            // Provider-computed values that other resources consume: instance profiles, security group ids,
            // bucket names (RandomId), instance addresses.
            for (const expected of [
                "aws:ec2/instance:Instance.iamInstanceProfile",
                "aws:ec2/instance:Instance.vpcSecurityGroupIds[0]",
                "aws:s3/bucket:Bucket.bucket",
                "aws:iam/rolePolicy:RolePolicy.policy",
            ]) {
                assert.ok(unknownInputs.includes(expected), `${expected} is unknown at preview`);
            }
            // Outputs: an instance's address is unknown; whatever the preview knows is what `up` would output.
            const outputs = preview.outputs as any;
            for (const ip of Object.values(outputs.hostIps)) assert.equal(ip, UNKNOWN);
            assert.deepEqual(previewMismatches(preview.outputs, known.outputs), []);
            assert.deepEqual(Object.keys(preview.outputs).sort(), Object.keys(known.outputs).sort());
        });

        it("knows at preview what config decides: instance types, AMIs, rule ports, command scripts with no address", () => {
            for (const r of preview.resources.filter((x) => x.type === "aws:ec2/instance:Instance")) {
                assert.notEqual(r.inputs.instanceType, UNKNOWN, r.name);
                assert.notEqual(r.inputs.ami, UNKNOWN, r.name);
            }
            for (const r of preview.resources.filter((x) => x.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
                assert.equal(typeof r.inputs.fromPort, "number", r.name);
                assert.ok(r.inputs.cidrIpv4 !== undefined || r.inputs.cidrIpv6 !== undefined || r.inputs.referencedSecurityGroupId === UNKNOWN, r.name);
            }
        });
    });
}
