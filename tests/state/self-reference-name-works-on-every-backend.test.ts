// The name of the StackReference to the stack itself (ops/state/reference.ts): bare on a self-managed
// backend (both state layouts resolve it to this stack; the legacy layout rejects anything with a '/'),
// fully qualified everywhere else (a bare name on Pulumi Cloud resolves against the default organization).
import assert from "node:assert/strict";
import { DIY_ORGANIZATION, legacyLayoutHint, selfReferenceName } from "../../ops/state/reference";

describe("the stack's reference to itself", () => {
    it('self-managed backend (organization is always "organization"): the bare stack name', () => {
        assert.equal(DIY_ORGANIZATION, "organization");
        assert.equal(selfReferenceName({ organization: "organization", project: "dataplat", stack: "prod" }), "prod");
    });

    it("the bare name is a valid legacy-layout stack name (tokens.ParseStackName: [A-Za-z0-9_.-])", () => {
        for (const stack of ["prod", "staging", "eu_west-1.blue"]) {
            assert.match(selfReferenceName({ organization: "organization", project: "dataplat", stack }), /^[A-Za-z0-9_.-]+$/);
        }
    });

    it("Pulumi Cloud: the stack's own organization, project and stack", () => {
        assert.equal(selfReferenceName({ organization: "acme", project: "dataplat", stack: "prod" }), "acme/dataplat/prod");
    });

    it("a legacy-layout parse error becomes the advice to run pulumi state upgrade; other errors are left alone", () => {
        const engine = "a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character '/' at position 12";
        assert.match(legacyLayoutHint(engine)!, /legacy layout .* run `pulumi state upgrade`/);
        assert.equal(legacyLayoutHint('unknown stack "prod"'), undefined);
    });
});
