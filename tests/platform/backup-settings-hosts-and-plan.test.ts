import assert from "node:assert/strict";
import { ConfigError } from "../../ops/config/errors";
import { parseControlPlaneConfig, withBackupBucket } from "../../ops/controlplane/config";
import { backupUnits } from "../../ops/controlplane/scripts";
import { parsePlatformConfig } from "../../ops/platform/config";
import { resolveHosts } from "../../ops/shared/hosts";
import { platformUpdatePlan } from "../../ops/platform/plan";
import { platformBackupScripts } from "../../ops/platform/scripts";
import { blessedControlPlane } from "../controlplane/fixtures";
import { haPlatform } from "./fixtures";

describe("backup bucket defaults, host resolution and the platform update plan", () => {
    it("the platform's backup bucket is optional: the scripts then use the stack's backup bucket", () => {
        const input = haPlatform();
        delete input.backup!.bucket;
        const config = parsePlatformConfig(input);
        assert.equal(config.backup?.bucket, undefined);
        assert.equal(config.backup?.periodMinutes, 720);
        const scripts = platformBackupScripts(config, "stack-backups-1a2b3c4d");
        assert.ok(scripts.every((s) => s.script.includes("readonly bucket='stack-backups-1a2b3c4d'")));
        assert.ok(
            platformBackupScripts(parsePlatformConfig(haPlatform()), "ignored").every((s) => s.script.includes("readonly bucket='koverse-backups'")),
            "a configured bucket wins",
        );
        assert.throws(() => platformBackupScripts(config), /backup\.bucket is not set and no default bucket was given/);
    });

    it("refuses a backup period that cannot keep the latest backup within maxAgeMinutes", () => {
        const input = haPlatform();
        input.backup = { ...input.backup, periodMinutes: 1440, maxAgeMinutes: 1440 };
        try {
            parsePlatformConfig(input);
            assert.fail("expected a ConfigError");
        } catch (e) {
            assert.ok(e instanceof ConfigError);
            assert.deepEqual(e.problems, [
                {
                    path: "backup.periodMinutes",
                    message:
                        "a backup every 1440 minutes cannot keep the latest one younger than maxAgeMinutes (1440); a restore would refuse it. Use a period below 1440",
                },
            ]);
            assert.match(e.message, /^invalid platform config:\n {2}- backup\.periodMinutes: a backup every 1440 minutes/);
        }
    });

    it("the control plane's backup bucket is optional too; withBackupBucket fills in the stack's", () => {
        const input = blessedControlPlane();
        delete input.backup.bucket;
        const config = parseControlPlaneConfig(input);
        assert.throws(() => backupUnits(config), /backup\.bucket is not set/);
        assert.match(
            backupUnits(withBackupBucket(config, "stack-backups")).service,
            /^Description=dataplat headnode backup to s3:\/\/stack-backups\/us-east-1\/headnode$/m,
        );
        assert.equal(withBackupBucket(parseControlPlaneConfig(blessedControlPlane()), "stack-backups").backup.bucket, "triton-headnode-backups");
    });

    it("resolves each host's image and subnet from the stack defaults, and names a host that cannot be placed", () => {
        const subnets = [
            { id: "subnet-a", availabilityZone: "us-east-1a" },
            { id: "subnet-b", availabilityZone: "us-east-1b" },
            { id: "subnet-b2", availabilityZone: "us-east-1b" },
        ];
        const hosts = [
            { name: "h1", instanceType: "m5.large", availabilityZone: "us-east-1b", generation: 0 },
            { name: "h2", instanceType: "m5.large", availabilityZone: "us-east-1b", generation: 0, subnet: "subnet-b2", image: "ami-own" },
            { name: "h3", instanceType: "m5.large", availabilityZone: "us-east-1c", generation: 0 },
            { name: "h4", instanceType: "m5.large", availabilityZone: "us-east-1a", generation: 0, subnet: "subnet-b" },
            { name: "h5", instanceType: "m5.large", availabilityZone: "us-east-1a", generation: 0, subnet: "subnet-x" },
        ];
        const r = resolveHosts(hosts, { imageId: "ami-default", subnets }, (i) => `platform.hosts[${i}]`);
        assert.deepEqual(
            r.hosts.map((h) => [h.image, h.subnet]),
            [
                ["ami-default", "subnet-b"],
                ["ami-own", "subnet-b2"],
                ["ami-default", "(none)"],
                ["ami-default", "subnet-b"],
                ["ami-default", "subnet-x"],
            ],
        );
        assert.deepEqual(r.problems, [
            { path: "platform.hosts[2].availabilityZone", message: "no subnet of network.subnets is in us-east-1c (zones: us-east-1a, us-east-1b)" },
            { path: "platform.hosts[3].subnet", message: "subnet-b is in us-east-1b, not in the host's availabilityZone us-east-1a" },
            { path: "platform.hosts[4].subnet", message: "subnet-x is not one of network.subnets (subnet-a, subnet-b, subnet-b2)" },
        ]);
    });

    it("plans a first deployment as every host added and every service started, in waves", () => {
        const config = parsePlatformConfig(haPlatform());
        const plan = platformUpdatePlan(undefined, config);
        assert.deepEqual(plan.startOrder[0], [
            "journalnode@master-1",
            "journalnode@master-2",
            "journalnode@master-3",
            "postgresql@master-3",
            "zookeeper@master-1",
            "zookeeper@master-2",
            "zookeeper@master-3",
        ]);
        assert.deepEqual(plan.startOrder.at(-1), ["koverse-webapp@app-1"]);
        assert.equal(plan.hosts.added.length, 7);
        assert.equal(plan.services.start.length, plan.startOrder.flat().length);
    });

    it("plans an update: a new worker's services start, a replaced host's restart on the new machine, a removed service stops, a changed unit starts again", () => {
        const previous = parsePlatformConfig(haPlatform());
        const input = haPlatform();
        input.hosts.push({ name: "worker-4", instanceType: "r5.2xlarge", availabilityZone: "us-east-1a" });
        input.services.datanodes = [...input.services.datanodes, "worker-4"];
        input.hosts.find((h) => h.name === "worker-1")!.generation = 2;
        input.services.kafkaBrokers = ["worker-1", "worker-2"];
        input.units = { "koverse-webapp": "koverse-webapp-v2" };
        const plan = platformUpdatePlan(previous, parsePlatformConfig(input));
        assert.deepEqual(plan.hosts, { added: ["worker-4"], replaced: ["worker-1: generation 0 -> 2"], removed: [] });
        assert.deepEqual(plan.services, {
            start: ["datanode@worker-4"],
            restartOnNewHost: ["datanode@worker-1", "nodemanager@worker-1", "accumulo-tserver@worker-1", "kafka@worker-1"],
            startAgain: ["koverse-webapp@app-1"],
            stop: ["kafka@worker-3"],
        });
    });
});
