import assert from "node:assert/strict";
import { parsePlatformConfig, type PlatformConfig, type PlatformConfigInput } from "../../ops/platform/config";
import { checkPlatformUpdate, hostChanges, type GuardrailRule } from "../../ops/platform/guardrails";
import { haPlatform, singleHostPlatform } from "./fixtures";

type Edit = (input: PlatformConfigInput) => void;

function edited(...edits: Edit[]): PlatformConfig {
    const input = haPlatform();
    for (const edit of edits) edit(input);
    return parsePlatformConfig(input);
}

const bump =
    (host: string): Edit =>
    (input) => {
        const h = input.hosts.find((x) => x.name === host)!;
        h.generation = (h.generation ?? 0) + 1;
    };
const retype =
    (host: string, instanceType: string): Edit =>
    (input) => {
        input.hosts.find((x) => x.name === host)!.instanceType = instanceType;
    };
const addHost =
    (name: string): Edit =>
    (input) => {
        input.hosts.push({ name, instanceType: "r5.2xlarge", availabilityZone: "us-east-1a" });
    };
const removeHostEverywhere =
    (host: string): Edit =>
    (input) => {
        input.hosts = input.hosts.filter((h) => h.name !== host);
        for (const [key, value] of Object.entries(input.services)) {
            if (Array.isArray(value)) (input.services as Record<string, unknown>)[key] = value.filter((h) => h !== host);
        }
    };

const previous = edited();
/** `before: null` is a first deploy. */
const rules = (next: PlatformConfig, environment: "prod" | "staging" = "prod", before: PlatformConfig | null = previous): GuardrailRule[] =>
    checkPlatformUpdate(before ?? undefined, next, environment).map((v) => v.rule);
const messages = (next: PlatformConfig, before: PlatformConfig = previous) => checkPlatformUpdate(before, next, "prod").map((v) => v.message);

describe("platform update guardrails", () => {
    it("accepts an unchanged config and the addition of workers", () => {
        assert.deepEqual(rules(previous), []);
        assert.deepEqual(
            rules(
                edited(addHost("worker-4"), (i) => {
                    i.services.datanodes.push("worker-4");
                    i.services.tabletServers.push("worker-4");
                }),
            ),
            [],
        );
    });

    describe("ZooKeeper ensemble", () => {
        const withZooKeeper =
            (hosts: string[]): Edit =>
            (i) => {
                i.services.zookeeper = hosts;
            };
        it("refuses fewer than 3 servers in prod", () => {
            assert.deepEqual(rules(edited(withZooKeeper(["master-1"])), "prod", null), ["zookeeper-ensemble"]);
            const [message] = checkPlatformUpdate(undefined, edited(withZooKeeper(["master-1", "master-2"])), "prod").map((v) => v.message);
            assert.match(message!, /ZooKeeper has 2 servers in prod; place it on at least 3 hosts/);
        });
        it("refuses an even number of servers in prod", () => {
            const four = edited(addHost("zk-4"), withZooKeeper(["master-1", "master-2", "master-3", "zk-4"]));
            const [message] = checkPlatformUpdate(undefined, four, "prod").map((v) => v.message);
            assert.match(message!, /ZooKeeper has 4 servers in prod; .* Use 3 or 5 hosts/);
        });
        it("accepts 3 or 5 servers in prod, and a single server in staging", () => {
            assert.deepEqual(rules(previous, "prod", null), []);
            assert.deepEqual(
                rules(edited(addHost("zk-4"), addHost("zk-5"), withZooKeeper(["master-1", "master-2", "master-3", "zk-4", "zk-5"])), "prod", null),
                [],
            );
            assert.deepEqual(rules(parsePlatformConfig(singleHostPlatform()), "staging", null), []);
        });
        it("refuses taking down more than one ZooKeeper server in one update", () => {
            assert.deepEqual(
                rules(edited(bump("master-3"))).filter((r) => r === "zookeeper-disruption"),
                [],
            );
            const next = edited(bump("master-1"), bump("master-3"));
            assert.ok(rules(next).includes("zookeeper-disruption"));
            assert.ok(
                messages(next).some((m) => /take down 2 ZooKeeper servers at once \(master-1: replaced \(generation 0 -> 1\); master-3: replaced/.test(m)),
            );
        });
    });

    describe("last instance of a single point of failure", () => {
        it("refuses moving PostgreSQL to another host in one update", () => {
            const next = edited((i) => {
                i.services.postgres = "master-1";
            });
            assert.deepEqual(rules(next), ["last-instance"]);
            assert.match(
                messages(next)[0]!,
                /remove the last PostgreSQL \(postgresql@master-3: no longer runs postgresql\): the Koverse metadata database lives only there; restore the latest pg_dump backup/,
            );
        });
        it("refuses replacing the PostgreSQL host", () => {
            const next = edited(retype("master-3", "m5.2xlarge"));
            assert.ok(rules(next).includes("last-instance"));
            assert.ok(messages(next).some((m) => /last PostgreSQL \(postgresql@master-3: replaced \(instanceType m5.xlarge -> m5.2xlarge\)\)/.test(m)));
        });
        it("accepts replacing one NameNode of an HA pair, refuses replacing both", () => {
            assert.deepEqual(
                rules(edited(bump("master-1"))).filter((r) => r === "last-instance"),
                [],
            );
            const both = edited(bump("master-1"), bump("master-2"));
            assert.ok(messages(both).some((m) => /last HDFS NameNode \(namenode@master-1: replaced .*; namenode@master-2: replaced/.test(m)));
            assert.ok(messages(both).some((m) => /last Accumulo Master/.test(m)));
        });
        it("refuses removing the only NameNode's host", () => {
            const before = parsePlatformConfig(singleHostPlatform());
            const input = singleHostPlatform();
            input.hosts[0]!.image = "ami-new";
            const next = parsePlatformConfig(input);
            assert.deepEqual(
                checkPlatformUpdate(before, next, "staging")
                    .filter((v) => v.rule === "last-instance")
                    .map((v) => v.message.split(" (")[0]),
                [
                    "this update would remove the last PostgreSQL",
                    "this update would remove the last HDFS NameNode",
                    "this update would remove the last Accumulo Master",
                ],
            );
        });
        it("refuses moving every Accumulo master off its hosts", () => {
            const next = edited((i) => {
                i.services.accumuloMasters = ["master-3"];
            });
            assert.deepEqual(rules(next), ["last-instance"]);
            assert.match(
                messages(next)[0]!,
                /last Accumulo Master \(accumulo-master@master-1: no longer runs accumulo-master; accumulo-master@master-2: no longer runs accumulo-master\)/,
            );
        });
    });

    describe("worker disruption per layer", () => {
        it("accepts replacing one worker host", () => {
            assert.deepEqual(rules(edited(bump("worker-1"))), []);
            assert.deepEqual(rules(edited(retype("worker-2", "r5.4xlarge"))), []);
        });
        it("refuses replacing two worker hosts at once, in each layer they serve", () => {
            const next = edited(bump("worker-1"), retype("worker-2", "r5.4xlarge"));
            assert.deepEqual(rules(next), ["worker-disruption", "worker-disruption"]);
            const [storage, services] = messages(next);
            assert.match(
                storage!,
                /^Data Storage Layer: this update would replace or remove 2 worker hosts at once \(worker-1: replaced \(generation 0 -> 1\); worker-2: replaced \(instanceType r5.2xlarge -> r5.4xlarge\)\); change one worker host per update and wait until HDFS has re-replicated/,
            );
            assert.match(services!, /^Data Services Layer: .*2 worker hosts/);
        });
        it("refuses removing two worker hosts at once", () => {
            const next = edited(removeHostEverywhere("worker-2"), removeHostEverywhere("worker-3"));
            assert.deepEqual(rules(next), ["worker-disruption", "worker-disruption"]);
            assert.match(messages(next)[0]!, /worker-2: removed; worker-3: removed/);
        });
        it("counts a worker service taken off a host that stays", () => {
            const next = edited((i) => {
                i.services.tabletServers = ["worker-2", "worker-3"];
                i.services.nodemanagers = ["worker-1", "worker-3"];
            });
            assert.deepEqual(rules(next), ["worker-disruption"]);
            assert.match(messages(next)[0]!, /^Data Services Layer: .*\(worker-1: no longer runs accumulo-tserver; worker-2: no longer runs nodemanager\)/);
        });
        it("counts a host serving several workers of a layer once", () => {
            const next = edited((i) => {
                i.services.tabletServers = ["worker-2", "worker-3"];
                i.services.nodemanagers = ["worker-2", "worker-3"];
                i.services.kafkaBrokers = ["worker-2", "worker-3"];
            });
            assert.deepEqual(rules(next), []);
        });
    });

    it("reports which fields replace a host", () => {
        const changes = hostChanges(
            previous,
            edited(bump("worker-1"), retype("worker-1", "r5.4xlarge"), removeHostEverywhere("app-1"), (i) => {
                i.hosts.push({ name: "app-1", instanceType: "m5.large", availabilityZone: "us-east-1b" });
            }),
        );
        assert.deepEqual(Object.fromEntries(changes), {
            "worker-1": { kind: "replaced", changes: ["instanceType r5.2xlarge -> r5.4xlarge", "generation 0 -> 1"] },
            "app-1": { kind: "replaced", changes: ["availabilityZone us-east-1a -> us-east-1b"] },
        });
    });
});
