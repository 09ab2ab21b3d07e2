import assert from "node:assert/strict";
import { parsePlatformConfig, unitFor } from "../../ops/platform/config";
import { ConfigError } from "../../ops/config/errors";
import { haPlatform, singleHostPlatform } from "./fixtures";

function problems(input: unknown): readonly string[] {
    try {
        parsePlatformConfig(input);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.lines;
    }
    assert.fail("expected the config to be refused");
}

describe("platform config schema", () => {
    it("parses the HA fixture and fills the defaults", () => {
        const config = parsePlatformConfig(singleHostPlatform());
        assert.equal(config.hosts[0]!.generation, 0);
        assert.deepEqual(config.ssh, { user: "ec2-user", port: 22 });
        assert.equal(parsePlatformConfig(haPlatform()).backup?.metadataDatabase, "koverse");
        assert.equal(parsePlatformConfig(haPlatform()).backup?.maxAgeMinutes, 1440);
    });

    it("names an unknown key, its path and the keys it accepts", () => {
        const input = haPlatform() as unknown as { hosts: Record<string, unknown>[] };
        input.hosts[2]!.instancetype = "m5.large";
        const [problem] = problems(input);
        assert.match(problem!, /^hosts\[2\]: unknown key "instancetype"; expected only: name, instanceType, image, generation, availabilityZone, subnet$/);
    });

    it("names an unknown service", () => {
        const input = haPlatform() as unknown as { services: Record<string, unknown> };
        input.services.hbase = ["master-1"];
        assert.match(problems(input)[0]!, /^services: unknown key "hbase"; expected only: postgres, zookeeper, journalnodes, namenodes/);
    });

    it("names a missing required field and its expected type", () => {
        const input = haPlatform() as unknown as { hosts: Record<string, unknown>[] };
        delete input.hosts[0]!.availabilityZone;
        assert.match(problems(input)[0]!, /^hosts\[0\]\.availabilityZone: .*expected string/);
    });

    it("refuses a negative or fractional generation", () => {
        const input = haPlatform();
        input.hosts[1]!.generation = -1;
        input.hosts[2]!.generation = 1.5;
        assert.deepEqual(problems(input), ["hosts[1].generation: expected a generation >= 0", "hosts[2].generation: expected an integer generation"]);
    });

    it("refuses a placement on an undeclared host, naming the declared ones", () => {
        const input = haPlatform();
        input.services.datanodes = ["worker-1", "worker-9"];
        assert.deepEqual(problems(input), [
            'services.datanodes[1]: unknown host "worker-9" for HDFS DataNode; expected one of the hosts: master-1, master-2, master-3, worker-1, worker-2, worker-3, app-1',
        ]);
    });

    it("refuses duplicate host names and a service placed twice on a host", () => {
        const input = haPlatform();
        input.hosts.push({ name: "worker-1", instanceType: "m5.large", availabilityZone: "us-east-1a" });
        input.services.tabletServers = ["worker-1", "worker-1"];
        assert.deepEqual(problems(input), [
            'hosts[7].name: duplicate host name "worker-1"; host names must be unique',
            'services.tabletServers[1]: Accumulo Tablet Server is placed on "worker-1" twice; expected each host once',
        ]);
    });

    it("allows 1 or 2 NameNodes only", () => {
        const input = haPlatform();
        input.services.namenodes = ["master-1", "master-2", "master-3"];
        assert.deepEqual(problems(input), ["services.namenodes: expected 1 NameNode, or 2 for HA"]);
    });

    it("requires an odd quorum of JournalNodes for HA NameNodes", () => {
        const input = haPlatform();
        input.services.journalnodes = ["master-1", "master-2"];
        assert.match(
            problems(input)[0]!,
            /^services\.journalnodes: HA NameNodes need an odd number \(at least 3\) of HDFS JournalNodes for a write quorum; got 2$/,
        );
        delete input.services.journalnodes;
        assert.match(problems(input)[0]!, /got 0$/);
    });

    it("refuses a host name that cannot name resources", () => {
        const input = haPlatform();
        input.hosts[0]!.name = "Master_1";
        assert.ok(problems(input).some((p) => p.startsWith("hosts[0].name: expected a host name")));
    });

    it("maps services to their systemd units, with overrides", () => {
        const input = haPlatform();
        input.units = { "koverse-server": "koverse-server-custom" };
        const config = parsePlatformConfig(input);
        assert.equal(unitFor(config, "koverse-server"), "koverse-server-custom");
        assert.equal(unitFor(config, "datanode"), "hadoop-hdfs-datanode");
        input.units = { "koverse-server": "bad unit name" };
        assert.deepEqual(problems(input), ["units.koverse-server: expected a systemd unit name"]);
    });
});
