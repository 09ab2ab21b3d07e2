import assert from "node:assert/strict";
import fc from "fast-check";
import { HEADNODE_HASH_LENGTH, headnodeResourceName } from "../../ops/controlplane/naming";
import { REPLACING_FIELDS, replacementIdentity } from "../../ops/shared/hosts";

const head = {
    name: "headnode",
    instanceType: "m5.2xlarge",
    image: "ami-0123456789abcdef0",
    generation: 3,
    availabilityZone: "us-west-2a",
    subnet: "subnet-0aaa",
};

describe("headnodeResourceName: a new headnode is a new resource name", () => {
    it("is <name>-g<generation>-<8 hex digits>", () => {
        assert.equal(HEADNODE_HASH_LENGTH, 8);
        assert.match(headnodeResourceName(head), /^headnode-g3-[0-9a-f]{8}$/);
    });

    it("is the same for the same fields, whatever their order and whatever else the host object carries", () => {
        const reordered = {
            subnet: head.subnet,
            availabilityZone: head.availabilityZone,
            generation: 3,
            image: head.image,
            instanceType: head.instanceType,
            name: "headnode",
        };
        assert.equal(headnodeResourceName(reordered), headnodeResourceName(head));
        assert.equal(headnodeResourceName({ ...head, extra: "ignored" } as typeof head), headnodeResourceName(head));
    });

    it("changes with each replacing field alone, and with the name; a generation bump keeps the hash of the others", () => {
        const changed: Record<(typeof REPLACING_FIELDS)[number], Partial<typeof head>> = {
            instanceType: { instanceType: "m5.4xlarge" },
            image: { image: "ami-0fedcba9876543210" },
            generation: { generation: 4 },
            availabilityZone: { availabilityZone: "us-west-2b" },
            subnet: { subnet: "subnet-0bbb" },
        };
        assert.deepEqual(Object.keys(changed).sort(), [...REPLACING_FIELDS].sort(), "every replacing field is covered");
        const base = headnodeResourceName(head);
        for (const [field, edit] of Object.entries(changed)) assert.notEqual(headnodeResourceName({ ...head, ...edit }), base, field);
        assert.notEqual(headnodeResourceName({ ...head, name: "hn2" }), base);
        assert.equal(headnodeResourceName({ ...head, generation: 4 }), base.replace("-g3-", "-g4-"));
        assert.notEqual(headnodeResourceName({ ...head, image: undefined }), base, "an unset image differs from any image");
    });

    it("two hosts get the same name exactly when their name and replacement identity are equal", () => {
        const host = fc.record({
            name: fc.constantFrom("headnode", "hn2"),
            instanceType: fc.constantFrom("m5.xlarge", "m5.2xlarge"),
            image: fc.option(fc.constantFrom("ami-1", "ami-2"), { nil: undefined }),
            generation: fc.nat(2),
            availabilityZone: fc.constantFrom("us-west-2a", "us-west-2b"),
            subnet: fc.option(fc.constantFrom("subnet-1", "subnet-2"), { nil: undefined }),
        });
        fc.assert(
            fc.property(host, host, (a, b) => {
                const same = a.name === b.name && replacementIdentity(a) === replacementIdentity(b);
                return (headnodeResourceName(a) === headnodeResourceName(b)) === same;
            }),
            { numRuns: 500 },
        );
    });
});

describe("headnode user data never replaces it under the same name", () => {
    it("the headnode instance ignores user-data changes; compute nodes still replace on them", async () => {
        const { committedStack, ofType } = await import("../support/graph");
        const g = await committedStack("prod");
        const instances = ofType(g, "aws:ec2/instance:Instance").filter((r) => r.name.startsWith("activedata-controlplane-"));
        const head = instances.filter((r) => r.name.includes("-headnode-g"));
        assert.equal(head.length, 1);
        assert.deepEqual(head[0].options.ignoreChanges, ["userData"]);
        assert.equal(head[0].inputs.userDataReplaceOnChange, false);
        for (const cn of instances.filter((r) => !r.name.includes("-headnode-g"))) {
            assert.equal(cn.inputs.userDataReplaceOnChange, true, cn.name);
            assert.equal(cn.options.ignoreChanges, undefined, cn.name);
        }
    });
});
