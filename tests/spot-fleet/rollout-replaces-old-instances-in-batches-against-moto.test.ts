/**
 * Issue 11, points 6 and 3, against moto's EC2 server (tests/peers/moto): the rollout terminates fleet
 * instances still on the old launch template version batch by batch, waits for the capacity to come back
 * on the new version, fails closed when it does not, and terminates nothing it cannot account for; `mix`
 * shows a running mix over the share cap.
 *
 * moto serves CreateFleet, DescribeFleets, DescribeFleetInstances, DescribeInstances and TerminateInstances,
 * but (a) does not tag instances a fleet launches with EC2's aws:ec2launchtemplate:id/version and
 * aws:ec2:fleet-id, and (b) does not replace terminated instances as a `maintain` fleet does. Two named
 * stand-ins play those parts: `tagLikeEc2FleetLaunch` and `MaintainFleetStandIn`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import {
    CreateFleetCommand,
    CreateLaunchTemplateCommand,
    CreateLaunchTemplateVersionCommand,
    CreateTagsCommand,
    DescribeInstancesCommand,
    EC2Client,
    RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { ec2FleetApi, FleetApi, rollout } from "../../cli/spot";
import type { FleetInstance } from "../../ops/spot/rollout";
import { MotoPeer, startMoto } from "../peers/moto/harness";
import { repoRoot } from "../support/repo";

const IMAGE = "ami-12c6146b";

/** Stand-in for EC2: the tags EC2 puts on every instance an EC2 Fleet launches from a launch template. */
async function tagLikeEc2FleetLaunch(client: EC2Client, ids: string[], templateId: string, version: string, fleetId: string) {
    await client.send(
        new CreateTagsCommand({
            Resources: ids,
            Tags: [
                { Key: "aws:ec2launchtemplate:id", Value: templateId },
                { Key: "aws:ec2launchtemplate:version", Value: version },
                { Key: "aws:ec2:fleet-id", Value: fleetId },
            ],
        }),
    );
}

async function instancesOf(client: EC2Client, ids: string[]): Promise<FleetInstance[]> {
    if (ids.length === 0) return [];
    const out = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    return (out.Reservations ?? []).flatMap((r) =>
        (r.Instances ?? []).map((i) => {
            const tag = (k: string) => i.Tags?.find((t) => t.Key === k)?.Value;
            return {
                id: i.InstanceId!,
                type: i.InstanceType!,
                state: i.State!.Name!,
                launchTime: i.LaunchTime!.getTime(),
                templateId: tag("aws:ec2launchtemplate:id"),
                version: tag("aws:ec2launchtemplate:version"),
            };
        }),
    );
}

/**
 * Stand-in for EC2 Fleet's `maintain` behaviour, which moto lacks: `pollsBeforeReplacing` reads after a
 * TerminateInstances, it launches as many instances of the same types from the fleet's template ($Latest,
 * i.e. the new version; moto tags those with the template id and version itself) and lists them as fleet
 * instances. Everything else goes to moto through the real SDK-backed FleetApi.
 */
class MaintainFleetStandIn implements FleetApi {
    readonly events: string[] = [];
    private readonly launched: string[] = [];
    private pending: { types: string[]; polls: number } | undefined;
    constructor(
        private readonly real: FleetApi,
        private readonly client: EC2Client,
        private readonly templateId: string,
        private readonly fleetId: string,
        private readonly pollsBeforeReplacing = 2,
    ) {}
    describeFleet(fleetId: string) {
        return this.real.describeFleet(fleetId);
    }
    async fleetInstances(fleetId: string) {
        if (this.pending && --this.pending.polls <= 0) {
            const types = this.pending.types;
            this.pending = undefined;
            for (const type of types) {
                const r = await this.client.send(
                    new RunInstancesCommand({
                        MinCount: 1,
                        MaxCount: 1,
                        InstanceType: type as any,
                        LaunchTemplate: { LaunchTemplateId: this.templateId, Version: "$Latest" },
                    }),
                );
                const id = r.Instances![0].InstanceId!;
                await this.client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "aws:ec2:fleet-id", Value: this.fleetId }] }));
                this.launched.push(id);
            }
            this.events.push(`launch ${types.length}`);
        }
        return [...(await this.real.fleetInstances(fleetId)), ...(await instancesOf(this.client, this.launched))];
    }
    async terminate(ids: readonly string[]) {
        const before = await this.fleetInstances(this.fleetId);
        await this.real.terminate(ids);
        this.events.push(`terminate ${ids.length}`);
        this.pending = { types: ids.map((id) => before.find((i) => i.id === id)!.type), polls: this.pollsBeforeReplacing };
    }
}

describe("spot fleet rollout against moto's EC2", function () {
    this.timeout(120000);
    let moto: MotoPeer;
    let client: EC2Client;
    const cli = (args: string[]) =>
        spawnSync(process.execPath, [path.join(repoRoot(), "dist", "cli", "spot.js"), ...args], {
            env: { ...moto.env, AWS_REGION: "us-east-1" },
            encoding: "utf8",
            cwd: repoRoot(),
            timeout: 60000,
        });

    before(async () => {
        moto = await startMoto();
        client = new EC2Client({ region: "us-east-1", endpoint: moto.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    });
    after(async () => moto?.stop());

    /** A maintain fleet of `units` (c5.xlarge weighs 4) launched on version 1, then version 2 created. */
    async function fleetOnVersion1(name: string, units: number, tag = true) {
        const lt = await client.send(
            new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: IMAGE, InstanceType: "c5.xlarge" } }),
        );
        const templateId = lt.LaunchTemplate!.LaunchTemplateId!;
        const f = await client.send(
            new CreateFleetCommand({
                Type: "maintain",
                TargetCapacitySpecification: { TotalTargetCapacity: units, DefaultTargetCapacityType: "spot" },
                SpotOptions: { AllocationStrategy: "price-capacity-optimized" },
                LaunchTemplateConfigs: [
                    {
                        LaunchTemplateSpecification: { LaunchTemplateId: templateId, Version: "$Latest" },
                        Overrides: [
                            { InstanceType: "c5.xlarge", WeightedCapacity: 4 },
                            { InstanceType: "c5.2xlarge", WeightedCapacity: 8 },
                        ],
                    },
                ],
            }),
        );
        const fleetId = f.FleetId!;
        const ids = (await ec2FleetApi(client).fleetInstances(fleetId)).map((i) => i.id);
        if (tag) await tagLikeEc2FleetLaunch(client, ids, templateId, "1", fleetId);
        await client.send(
            new CreateLaunchTemplateVersionCommand({
                LaunchTemplateId: templateId,
                LaunchTemplateData: { ImageId: IMAGE, InstanceType: "c5.xlarge", UserData: Buffer.from("v2").toString("base64") },
            }),
        );
        // Oldest launch first, then by id: the order the rollout must replace them in.
        const launched = await instancesOf(client, ids);
        const order = launched.sort((a, b) => a.launchTime - b.launchTime || (a.id < b.id ? -1 : 1)).map((i) => i.id);
        return { templateId, fleetId, ids: order };
    }

    it("replaces the old instances oldest first in batches of batchSize, each after the previous batch's capacity came back on version 2", async () => {
        const { templateId, fleetId, ids } = await fleetOnVersion1("roll", 20);
        assert.equal(ids.length, 5);
        const api = new MaintainFleetStandIn(ec2FleetApi(client), client, templateId, fleetId);
        const lines: string[] = [];
        const report = await rollout(api, {
            fleetId,
            templateId,
            version: "2",
            batchSize: 2,
            pauseSeconds: 0,
            timeoutSeconds: 30,
            pollSeconds: 0.01,
            shareCap: 0.7,
            log: (l) => lines.push(l),
        });
        assert.deepEqual(
            report.batches.map((b) => b.length),
            [2, 2, 1],
        );
        assert.deepEqual(report.batches.flat(), ids);
        assert.deepEqual(api.events, ["terminate 2", "launch 2", "terminate 2", "launch 2", "terminate 1", "launch 1"]);
        const after = await api.fleetInstances(fleetId);
        assert.deepEqual(
            (await instancesOf(client, ids)).map((i) => i.state),
            Array(5).fill("terminated"),
        );
        const running = after.filter((i) => i.state === "running");
        assert.equal(running.length, 5);
        assert.ok(running.every((i) => i.version === "2" && i.templateId === templateId));
        assert.ok(lines.some((l) => /^batch 1 \(5 instances left on other versions\): terminating 2/.test(l)));
        assert.ok(
            lines.some((l) => /^batch 1: 12\/20 units back/.test(l)),
            lines.join("\n"),
        );
        assert.ok(
            lines.some((l) => /^batch 1: 20\/20 units back \(2 new on version 2\)/.test(l)),
            lines.join("\n"),
        );
        // The running mix against the share cap: moto put everything on one type.
        assert.deepEqual(
            report.mix.types.map((t) => [t.type, t.share, t.over]),
            [["c5.xlarge", 1, true]],
        );
    });

    it("fails closed (exit 4) when capacity does not come back within the timeout, after terminating only the first batch", async () => {
        const { templateId, fleetId, ids } = await fleetOnVersion1("stuck", 16);
        const r = cli([
            "rollout",
            "--fleet-id",
            fleetId,
            "--launch-template-id",
            templateId,
            "--version",
            "2",
            "--batch-size",
            "3",
            "--timeout",
            "2",
            "--poll-seconds",
            "0.2",
        ]);
        assert.equal(r.status, 4, r.stderr);
        assert.match(r.stderr, /batch 1: capacity did not come back within 2s \(4\/16 units back/);
        assert.equal(r.stdout, "");
        const states = await instancesOf(client, ids);
        assert.deepEqual(
            states
                .filter((i) => i.state === "terminated")
                .map((i) => i.id)
                .sort(),
            ids.slice(0, 3).sort(),
        );
        assert.equal(states.filter((i) => i.state === "running").length, 1);
    });

    it("refuses (exit 3) and terminates nothing when an instance cannot be accounted for, or the fleet still launches the old version", async () => {
        const untagged = await fleetOnVersion1("untagged", 8, false);
        const r = cli(["rollout", "--fleet-id", untagged.fleetId, "--launch-template-id", untagged.templateId, "--version", "2", "--timeout", "5"]);
        assert.equal(r.status, 3, r.stderr);
        assert.match(r.stderr, /cannot account for i-[0-9a-f]+ \(no aws:ec2launchtemplate:id\/version tags\)/);
        assert.ok((await instancesOf(client, untagged.ids)).every((i) => i.state === "running"));
        const tagged = await fleetOnVersion1("ahead", 8);
        const ahead = cli(["rollout", "--fleet-id", tagged.fleetId, "--launch-template-id", tagged.templateId, "--version", "3", "--timeout", "5"]);
        assert.equal(ahead.status, 3, ahead.stderr);
        assert.match(ahead.stderr, /launches lt-[0-9a-f]+ version 2, not lt-[0-9a-f]+ version 3: a replacement would come back on the old version/);
        assert.ok((await instancesOf(client, tagged.ids)).every((i) => i.state === "running"));
    });

    it("mix shows the running mix against the share cap and exits 3 when EC2 put a type over it", async () => {
        const { fleetId } = await fleetOnVersion1("mix", 12);
        const r = cli(["mix", "--fleet-id", fleetId, "--share-cap", "0.7"]);
        assert.equal(r.status, 3, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.deepEqual(out.types, [{ type: "c5.xlarge", units: 12, share: 1, over: true }]);
        assert.match(r.stderr, /over the share cap 0\.7: c5\.xlarge 100% \(EC2 does not enforce maxPercentPerType\)/);
        assert.equal(cli(["mix", "--fleet-id", fleetId]).status, 0);
    });

    it("exits 64 on usage errors, naming the flag", () => {
        const r = cli(["rollout", "--fleet-id", "fleet-0123456789", "--version", "x"]);
        assert.equal(r.status, 64);
        assert.match(r.stderr, /--version: "x" is not a launch template version number/);
        assert.equal(cli(["rollout", "--fleet-id", "fleet-0123456789", "--launch-template-id", "lt-0123456789abcdef0"]).status, 64);
        assert.equal(cli(["drain"]).status, 64);
    });
});
