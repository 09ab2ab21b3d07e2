import assert from "node:assert/strict";
import { parseControlPlaneConfig, type ControlPlaneConfigInput } from "../../ops/controlplane/config";
import { checkControlPlaneUpdate, headnodeReplaced } from "../../ops/controlplane/guardrails";
import { blessedControlPlane } from "./fixtures";

const parse = (edit: (c: ControlPlaneConfigInput) => void = () => undefined) => {
    const input = blessedControlPlane();
    // The fixture's cn-3 shares a zone with cn-2; essentials are on headnode, cn-1, cn-2 (3 zones).
    edit(input);
    return parseControlPlaneConfig(input);
};
const rules = (prev: ReturnType<typeof parse> | undefined, next: ReturnType<typeof parse>, env: "prod" | "staging" = "prod") =>
    checkControlPlaneUpdate(prev, next, env).map((v) => v.rule);

describe("control plane guardrails", () => {
    const deployed = parse();

    it("accepts the blessed config, on the first deployment and unchanged", () => {
        assert.deepEqual(rules(undefined, deployed), []);
        assert.deepEqual(rules(deployed, parse()), []);
    });

    it("refuses a prod control plane that is not blessed, and lets staging run one", () => {
        const single = parse((c) => {
            c.essentials = { binder: { hosts: ["cn-1"] }, manatee: { hosts: ["cn-1"] }, moray: { hosts: ["cn-1"] } };
        });
        assert.deepEqual(rules(undefined, single, "prod"), ["blessed"]);
        assert.deepEqual(rules(undefined, single, "staging"), []);
    });

    it("refuses essentials that run only on the headnode: recovery could check nothing", () => {
        const alone = parse((c) => {
            c.essentials = { binder: { hosts: ["headnode"] }, manatee: { hosts: ["headnode"] }, moray: { hosts: ["headnode"] } };
        });
        const [violation] = checkControlPlaneUpdate(undefined, alone, "staging");
        assert.equal(violation?.rule, "recovery-checks");
        assert.match(violation!.message, /runs only on the headnode headnode; recovery could not check any surviving instance/);
    });

    it("allows one essential host replaced per update, refuses two (the headnode counts)", () => {
        assert.deepEqual(
            rules(
                deployed,
                parse((c) => (c.headnode.generation = 4)),
            ),
            [],
        );
        assert.deepEqual(
            rules(
                deployed,
                parse((c) => (c.computeNodes![0]!.instanceType = "m5.4xlarge")),
            ),
            [],
        );
        const two = checkControlPlaneUpdate(
            deployed,
            parse((c) => {
                c.headnode.generation = 4;
                c.computeNodes![1]!.image = "ami-0123";
            }),
            "prod",
        );
        assert.deepEqual(
            two.map((v) => v.message),
            [
                "this update would replace or remove 2 hosts that carry essentials at once (headnode: replaced (generation 3 -> 4); cn-2: replaced (image (none) -> ami-0123)); with two of three instances gone binder and manatee lose their quorum and headnode recovery cannot trust the cluster. Change one of them per update",
            ],
        );
        // cn-3 carries no essential: replacing it with the headnode is fine.
        assert.deepEqual(
            rules(
                deployed,
                parse((c) => {
                    c.headnode.generation = 4;
                    c.computeNodes![2]!.generation = 1;
                }),
            ),
            [],
        );
    });

    it("refuses a backup edit that would silently replace the headnode, accepts it with a generation bump", () => {
        assert.deepEqual(
            rules(
                deployed,
                parse((c) => (c.backup.periodMinutes = 30)),
            ),
            ["backup-change"],
        );
        assert.deepEqual(
            rules(
                deployed,
                parse((c) => (c.backup.prefix = "elsewhere")),
            ),
            ["backup-change"],
        );
        assert.deepEqual(
            rules(
                deployed,
                parse((c) => {
                    c.backup.periodMinutes = 30;
                    c.headnode.generation = 4;
                }),
            ),
            [],
        );
    });

    it("tells a renamed or replaced headnode from an unchanged one", () => {
        assert.equal(headnodeReplaced(deployed, parse()), undefined);
        assert.equal(
            headnodeReplaced(
                deployed,
                parse((c) => (c.headnode.availabilityZone = "us-east-1b")),
            ),
            "replaced (availabilityZone us-east-1a -> us-east-1b)",
        );
        assert.equal(
            headnodeReplaced(
                deployed,
                parse((c) => {
                    c.headnode.name = "headnode1";
                    c.essentials = {
                        binder: { hosts: ["headnode1", "cn-1", "cn-2"] },
                        manatee: { hosts: ["headnode1", "cn-1", "cn-2"] },
                        moray: { hosts: ["headnode1", "cn-1", "cn-2"] },
                    };
                }),
            ),
            "renamed headnode -> headnode1",
        );
    });
});
