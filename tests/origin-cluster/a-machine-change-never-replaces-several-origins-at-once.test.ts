// hosts.imageId, network.subnets and origin.dataVolumeGiB reach every origin's instance, and the AWS provider
// replaces an instance whose image, subnet or EBS data volume changes (ops/provider/replacement.ts): one such edit
// would give every origin a new, empty machine in one update. Refused, against the origin machines recorded in the
// deployed snapshot; an edit that touches one existing origin (or only new ones) passes.

import assert from "node:assert/strict";
import { machineChangeRefusal, originMachines } from "../../ops/origin/machines";
import { StackGraph } from "../../stacks/offline/evaluate";
import { deepClone, evaluateDoc, ofType, stackDoc } from "../support/graph";

const HOSTS = ["kraken-origin-master01-sjc1", "kraken-origin-master02-sjc1", "kraken-origin-master03-sjc1"];
const C = { instanceType: "i4i.2xlarge", rootVolumeGiB: 50, dataVolumeGiB: 15000 };
const SUBNETS = [{ id: "subnet-a" }, { id: "subnet-b" }, { id: "subnet-c" }];

/** The prod stack with only the foundation and the origin section (the others cost time and are not tested here). */
function originDoc(): { config: Record<string, any> } {
    const doc = stackDoc("prod");
    for (const k of ["dataplat:spotFleets", "dataplat:platform", "dataplat:controlPlane", "dataplat:search"]) delete doc.config[k];
    return doc;
}

describe("origin machines: one update never gives several origins a new machine", function () {
    this.timeout(120_000);

    it("decides from the provider's replacement table: image, subnet and data volume replace; type and root volume do not", () => {
        const before = originMachines(HOSTS, C, "ami-1", SUBNETS);
        assert.equal(machineChangeRefusal(before, originMachines(HOSTS, C, "ami-1", SUBNETS)), undefined);
        assert.match(
            machineChangeRefusal(before, originMachines(HOSTS, C, "ami-2", SUBNETS))!,
            /^hosts\.imageId: this update would give 3 origins a new machine at once/,
        );
        assert.match(machineChangeRefusal(before, originMachines(HOSTS, { ...C, dataVolumeGiB: 16000 }, "ami-1", SUBNETS))!, /^origin\.dataVolumeGiB: /);
        assert.equal(
            machineChangeRefusal(before, originMachines(HOSTS, { ...C, instanceType: "i4i.4xlarge", rootVolumeGiB: 80 }, "ami-1", SUBNETS)),
            undefined,
        );
        // One subnet more moves only the origins whose stable pick changes; a single one may go.
        const moved = Object.entries(originMachines(HOSTS, C, "ami-1", [...SUBNETS, { id: "subnet-d" }])).filter(
            ([h, m]) => m.subnetId !== before[h]!.subnetId,
        );
        const refusal = machineChangeRefusal(before, originMachines(HOSTS, C, "ami-1", [...SUBNETS, { id: "subnet-d" }]));
        assert.equal(refusal === undefined, moved.length <= 1, `${moved.length} origins move: ${refusal}`);
        // New origins are not "replaced": only those in both snapshots count.
        assert.equal(machineChangeRefusal(originMachines(HOSTS.slice(0, 1), C, "ami-1", SUBNETS), originMachines(HOSTS, C, "ami-2", SUBNETS)), undefined);
    });

    it("refuses a new hosts.imageId or origin.dataVolumeGiB before any resource, and names the path", async () => {
        const base = originDoc();
        const deployed: StackGraph = await evaluateDoc(base);
        assert.equal(Object.keys((deployed.outputs.deployed as any).origin.machines).length, 4);
        for (const [edit, path] of [
            [(d: any) => (d.config["dataplat:hosts"].imageId = "ami-0ffffffffffffffff"), "hosts.imageId"],
            [(d: any) => (d.config["dataplat:origin"].dataVolumeGiB = 16000), "origin.dataVolumeGiB"],
        ] as const) {
            const next = deepClone(base);
            edit(next);
            await assert.rejects(evaluateDoc(next, base), (e: Error) => {
                assert.match(e.message, new RegExp(`- ${path.replace(".", "\\.")}: this update would give 4 origins a new machine at once`));
                return true;
            });
        }
    });

    it("a type change passes (an in-place stop/start, see the README) and an added origin passes", async () => {
        const base = originDoc();
        const typed = deepClone(base);
        typed.config["dataplat:origin"].instanceType = "i4i.4xlarge";
        const g = await evaluateDoc(typed, base);
        assert.ok(ofType(g, "aws:ec2/instance:Instance").some((r) => r.name.includes("origin") && r.inputs.instanceType === "i4i.4xlarge"));
    });
});
