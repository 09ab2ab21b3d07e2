import assert from "node:assert/strict";
import { allEntries, architectureOf, entryFor, inPlaceWithDowntime, isOneTimeSpot, replacingPaths, wouldReplace } from "../../ops/provider/replacement";
import { applyIgnoreChanges, changedPaths, covers } from "../../ops/provider/paths";
import { committedStack } from "../support/graph";

const INSTANCE = "aws:ec2/instance:Instance";
const FLEET = "aws:ec2/fleet:Fleet";

/** An instance's inputs as the program registers them (shape of the evaluated graph). */
const instance = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    ami: "ami-0c2ab3b8efb09f272",
    associatePublicIpAddress: false,
    ebsBlockDevices: [{ deleteOnTermination: true, deviceName: "/dev/sdf", encrypted: true, volumeSize: 1500, volumeType: "gp3" }],
    iamInstanceProfile: "profile-a",
    instanceType: "r6id.2xlarge",
    metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
    rootBlockDevice: { deleteOnTermination: true, encrypted: true, volumeSize: 30, volumeType: "gp3" },
    subnetId: "subnet-0a1b2c3d4e5f60712",
    tags: { Name: "n", tier: "search" },
    userData: "#!/bin/bash\necho g0\n",
    userDataReplaceOnChange: true,
    vpcSecurityGroupIds: ["sg-1"],
    ...over,
});
const spot = { instanceMarketOptions: { marketType: "spot", spotOptions: { instanceInterruptionBehavior: "terminate", spotInstanceType: "one-time" } } };

describe("engine: provider replacement table", () => {
    it("classifies every resource type of both committed stacks", async function () {
        this.timeout(120_000);
        for (const stack of ["prod", "staging"] as const) {
            const g = await committedStack(stack);
            const unclassified: string[] = [];
            for (const t of new Set(g.resources.map((r) => r.type))) {
                try {
                    entryFor(t);
                } catch {
                    unclassified.push(t);
                }
            }
            assert.deepEqual(unclassified, [], `${stack}: unclassified types`);
        }
    });

    it("refuses an unknown type instead of guessing", () => {
        assert.throws(() => entryFor("aws:ec2/volumeAttachment:VolumeAttachment"), /unclassified resource type aws:ec2\/volumeAttachment/);
        assert.throws(() => wouldReplace("aws:rds/instance:Instance", {}, {}), /unclassified/);
    });

    it("every entry names its source and every replacing path parses", () => {
        for (const e of allEntries()) {
            assert.match(e.source, /\//, `${e.type} has a repository path`);
            for (const p of replacingPaths(e.type)) covers(p, p);
        }
    });

    it("instanceType within one architecture: no replacement, a stop/modify/start in place", () => {
        const v = wouldReplace(INSTANCE, instance(), instance({ instanceType: "r6id.4xlarge" }));
        assert.equal(v.replace, false, v.because.join("; "));
        assert.deepEqual(v.changed, ["instanceType"]);
        const d = inPlaceWithDowntime(INSTANCE, instance(), instance({ instanceType: "r6id.4xlarge" }));
        assert.equal(d.downtime, true);
        assert.match(d.because.join(" "), /stopInstance, ModifyInstanceAttribute\(InstanceType\), startInstance/);
        assert.equal(d.failsOnOneTimeSpot, false);
    });

    it("instanceType on a one-time spot instance: in place needs a stop, which EC2 refuses", () => {
        const old = instance(spot);
        const d = inPlaceWithDowntime(INSTANCE, old, { ...old, instanceType: "r6id.4xlarge" });
        assert.equal(isOneTimeSpot(old), true);
        assert.equal(d.downtime, true);
        assert.equal(d.failsOnOneTimeSpot, true);
        assert.equal(wouldReplace(INSTANCE, old, { ...old, instanceType: "r6id.4xlarge" }).replace, false);
    });

    it("instanceType across architectures: the CustomizeDiff forces a replacement", () => {
        assert.equal(architectureOf("r6id.2xlarge"), "x86_64");
        assert.equal(architectureOf("r7gd.2xlarge"), "arm64");
        assert.equal(architectureOf("g5.xlarge"), "x86_64");
        assert.equal(architectureOf("g5g.xlarge"), "arm64");
        assert.equal(architectureOf("t4g.medium"), "arm64");
        const v = wouldReplace(INSTANCE, instance(), instance({ instanceType: "r7gd.2xlarge" }));
        assert.equal(v.replace, true);
        assert.match(v.because.join(" "), /x86_64 -> arm64/);
    });

    it("ami and subnetId force a replacement", () => {
        assert.equal(wouldReplace(INSTANCE, instance(), instance({ ami: "ami-1" })).replace, true);
        assert.equal(wouldReplace(INSTANCE, instance(), instance({ subnetId: "subnet-2" })).replace, true);
        assert.equal(wouldReplace(INSTANCE, instance(), instance({ associatePublicIpAddress: true })).replace, true);
    });

    it("userData replaces only with userDataReplaceOnChange; without it, it is a stop/start update", () => {
        assert.equal(wouldReplace(INSTANCE, instance(), instance({ userData: "#!/bin/bash\necho g1\n" })).replace, true);
        const old = instance({ userDataReplaceOnChange: false });
        const next = { ...old, userData: "#!/bin/bash\necho g1\n" };
        assert.equal(wouldReplace(INSTANCE, old, next).replace, false);
        assert.equal(inPlaceWithDowntime(INSTANCE, old, next).downtime, true);
        // ignoreChanges: ["userData"] (the headnode) hides the change altogether.
        const ignored = wouldReplace(INSTANCE, instance(), instance({ userData: "x" }), { ignoreChanges: ["userData"] });
        assert.deepEqual(ignored, { changed: [], replace: false, because: [] });
    });

    it("root volume size/type are in place without downtime; root encryption replaces", () => {
        const bigger = instance({ rootBlockDevice: { deleteOnTermination: true, encrypted: true, volumeSize: 60, volumeType: "gp3" } });
        assert.equal(wouldReplace(INSTANCE, instance(), bigger).replace, false);
        assert.equal(inPlaceWithDowntime(INSTANCE, instance(), bigger).downtime, false);
        const plain = instance({ rootBlockDevice: { deleteOnTermination: true, encrypted: false, volumeSize: 30, volumeType: "gp3" } });
        assert.equal(wouldReplace(INSTANCE, instance(), plain).replace, true);
    });

    it("every ebsBlockDevices field forces a replacement (size included)", () => {
        const dev = (over: Record<string, unknown>) =>
            instance({
                ebsBlockDevices: [{ deleteOnTermination: true, deviceName: "/dev/sdf", encrypted: true, volumeSize: 1500, volumeType: "gp3", ...over }],
            });
        for (const over of [
            { volumeSize: 2000 },
            { volumeType: "io2" },
            { deviceName: "/dev/sdg" },
            { encrypted: false },
            { deleteOnTermination: false },
            { throughput: 500 },
        ]) {
            const v = wouldReplace(INSTANCE, instance(), dev(over));
            assert.equal(v.replace, true, JSON.stringify(over));
        }
        assert.equal(wouldReplace(INSTANCE, instance(), instance({ ebsBlockDevices: [] })).replace, true);
    });

    it("instanceMarketOptions forces a replacement; metadata, security groups, profile, tags are in place", () => {
        assert.equal(wouldReplace(INSTANCE, instance(), instance(spot)).replace, true);
        assert.equal(
            wouldReplace(
                INSTANCE,
                instance(spot),
                instance({ instanceMarketOptions: { ...spot.instanceMarketOptions, spotOptions: { spotInstanceType: "persistent" } } }),
            ).replace,
            true,
        );
        for (const over of [
            { metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 2, httpTokens: "required" } },
            { vpcSecurityGroupIds: ["sg-1", "sg-2"] },
            { iamInstanceProfile: "profile-b" },
            { tags: { Name: "n2", tier: "search" } },
        ]) {
            const v = wouldReplace(INSTANCE, instance(), instance(over));
            assert.equal(v.replace, false, `${JSON.stringify(over)}: ${v.because}`);
            assert.ok(v.changed.length > 0);
            assert.equal(inPlaceWithDowntime(INSTANCE, instance(), instance(over)).downtime, false);
        }
    });

    it("Optional+Computed replacing inputs: dropping one from the program is not a diff", () => {
        const { subnetId: _s, ...noSubnet } = instance();
        assert.equal(wouldReplace(INSTANCE, instance(), noSubnet).replace, false);
    });

    it("EC2 Fleet: ForceNew fields replace; launch template configs and total capacity modify in place", () => {
        const fleet = {
            excessCapacityTerminationPolicy: "termination",
            launchTemplateConfigs: [
                { launchTemplateSpecification: { launchTemplateId: "lt-1", version: "1" }, overrides: [{ instanceType: "r6id.2xlarge", subnetId: "s1" }] },
            ],
            spotOptions: { allocationStrategy: "price-capacity-optimized", instanceInterruptionBehavior: "terminate", instancePoolsToUseCount: 2 },
            targetCapacitySpecification: { defaultTargetCapacityType: "spot", totalTargetCapacity: 4 },
            terminateInstances: true,
            terminateInstancesWithExpiration: false,
            type: "maintain",
        };
        const replaces = (over: Record<string, unknown>) => wouldReplace(FLEET, fleet, { ...fleet, ...over }).replace;
        assert.equal(replaces({ type: "request" }), true);
        assert.equal(replaces({ terminateInstancesWithExpiration: true }), true);
        assert.equal(replaces({ spotOptions: { ...fleet.spotOptions, allocationStrategy: "capacity-optimized" } }), true);
        assert.equal(replaces({ targetCapacitySpecification: { defaultTargetCapacityType: "on-demand", totalTargetCapacity: 4 } }), true);
        assert.equal(replaces({ targetCapacitySpecification: { defaultTargetCapacityType: "spot", totalTargetCapacity: 6 } }), false);
        assert.equal(
            replaces({
                launchTemplateConfigs: [{ ...fleet.launchTemplateConfigs[0], launchTemplateSpecification: { launchTemplateId: "lt-1", version: "2" } }],
            }),
            false,
        );
        assert.equal(replaces({ terminateInstances: false }), false);
        // The program's ignoreChanges on spotOptions.instancePoolsToUseCount keeps that ForceNew field out of the diff.
        const v = wouldReplace(
            FLEET,
            fleet,
            { ...fleet, spotOptions: { ...fleet.spotOptions, instancePoolsToUseCount: 3 } },
            { ignoreChanges: ["spotOptions.instancePoolsToUseCount"] },
        );
        assert.deepEqual(v, { changed: [], replace: false, because: [] });
    });

    it("Command: only triggers replace; create/update/delete/environment/interpreter/dir are updates", () => {
        for (const t of ["command:local:Command", "command:remote:Command"]) {
            const base = { create: "a", update: "b", delete: "c", environment: { A: "1" }, triggers: ["x", 1] };
            assert.equal(wouldReplace(t, base, { ...base, triggers: ["y", 1] }).replace, true);
            assert.equal(wouldReplace(t, base, { ...base, triggers: ["x", 1, 2] }).replace, true);
            for (const over of [
                { create: "a2" },
                { update: "b2" },
                { delete: "c2" },
                { environment: { A: "2" } },
                { interpreter: ["/bin/bash", "-c"] },
                { dir: "/tmp" },
            ]) {
                const v = wouldReplace(t, base, { ...base, ...over });
                assert.equal(v.replace, false, `${t} ${JSON.stringify(over)}`);
                assert.ok(v.changed.length > 0);
            }
        }
    });

    it("replaceOnChanges adds to the provider: its path must cover a changed path", () => {
        const base = { create: "a", environment: { A: "1", B: "2" } };
        const next = { ...base, environment: { A: "1", B: "3" } };
        assert.equal(wouldReplace("command:local:Command", base, next).replace, false);
        assert.equal(wouldReplace("command:local:Command", base, next, { replaceOnChanges: ["environment.B"] }).replace, true);
        assert.equal(wouldReplace("command:local:Command", base, next, { replaceOnChanges: ["environment.A"] }).replace, false);
        assert.equal(wouldReplace("command:local:Command", base, next, { replaceOnChanges: ["*"] }).replace, true);
    });

    it("component resources never replace, even with replaceOnChanges", () => {
        const v = wouldReplace("dataplat:search:SearchCluster", { a: 1 }, { a: 2 }, { replaceOnChanges: ["*"] });
        assert.equal(v.replace, false);
        assert.deepEqual(v.changed, ["a"]);
    });

    it("paths: leaf diffs, coverage and ignoreChanges behave like Pulumi property paths", () => {
        assert.deepEqual(changedPaths({ a: [1, 2], b: { c: 1 } }, { a: [1, 3, 4], b: { c: 1 } }), ["a[1]", "a[2]"]);
        assert.deepEqual(changedPaths({ x: undefined }, { x: [] }), ["x"]);
        assert.ok(covers("triggers[*]", "triggers[3]"));
        assert.ok(covers("ebsBlockDevices[*].volumeSize", "ebsBlockDevices[0].volumeSize"));
        assert.ok(!covers("ebsBlockDevices[*].volumeSize", "ebsBlockDevices[0].volumeType"));
        assert.ok(!covers("a.b", "a"));
        assert.deepEqual(applyIgnoreChanges({ a: { b: 1, c: 2 } }, { a: { b: 9, c: 9 } }, ["a.b"]), { a: { b: 1, c: 9 } });
        assert.deepEqual(applyIgnoreChanges({ l: [{ v: 1 }, { v: 2 }] }, { l: [{ v: 5 }, { v: 6 }] }, ["l[*].v"]), { l: [{ v: 1 }, { v: 2 }] });
    });
});
