/**
 * The policy pack over the synth graph of both committed stacks, as `pulumi preview --policy-pack ./policy`
 * would run it: zero violations, the exemptions listed (prod's frontend public IP, EC2.9, and nothing else),
 * and every rule looked at the resources it is for (S3.1's account block is not declared by this program).
 */
import assert from "node:assert/strict";
import { policyName } from "../../policy/control";
import { POLICIES } from "../../policy/pack";
import { committedStack } from "../support/graph";
import { runPack, type PackRun } from "./run-pack";

const NOT_DECLARED = [policyName("S3.1")];

for (const stack of ["prod", "staging"] as const) {
    describe(`policy pack over the ${stack} synth graph`, () => {
        let run: PackRun;
        before(async () => {
            run = await runPack((await committedStack(stack)).resources);
        });

        it("reports no violation", () => {
            assert.deepEqual(run.violations, []);
        });

        it(stack === "prod" ? "uses exactly one exemption: EC2.9 for the frontend's public IP, with its reason" : "uses no exemption", () => {
            const used = run.exempted.map((e) => `${e.policy} ${e.resource}: ${e.message.split(". Fix:")[0]}`);
            assert.deepEqual(used, stack === "prod" ? ["fsbp-ec2-9 activedata-frontend: the instance gets a public IPv4 address"] : []);
            for (const e of run.exempted) assert.match(e.reason, /frontendPublicHttps/);
        });

        it("every rule looked at resources of its types (S3.1's account block is not declared)", () => {
            for (const p of POLICIES) {
                if (NOT_DECLARED.includes(p.name)) assert.equal(run.checked[p.name], 0, p.name);
                else assert.ok(run.checked[p.name] > 0, `${p.name} checked no resource`);
            }
        });
    });
}
