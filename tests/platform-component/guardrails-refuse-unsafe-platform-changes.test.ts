import assert from "node:assert/strict";
import { deepClone, evaluateDoc, stackDoc } from "../support/graph";

type Doc = { config: Record<string, any> };

function prod(edit: (platform: any, doc: Doc) => void): Doc {
    const doc = deepClone(stackDoc("prod"));
    edit(doc.config["dataplat:platform"], doc);
    return doc;
}
const host = (platform: any, name: string) => platform.hosts.find((h: { name: string }) => h.name === name);

describe("LayeredPlatform guardrails, against the deployed snapshot (evaluateDoc(doc, previousDoc))", () => {
    const deployed = stackDoc("prod");

    it("accepts replacing one worker", async () => {
        const g = await evaluateDoc(
            prod((p) => (host(p, "worker-2").generation = 1)),
            deployed,
            "prod",
        );
        assert.ok(g.resources.length > 100);
    });

    it("refuses replacing two workers of a layer in one update, naming both and what to wait for", async () => {
        const next = prod((p) => {
            host(p, "worker-2").generation = 1;
            host(p, "worker-4").instanceType = "r6i.8xlarge";
        });
        await assert.rejects(
            evaluateDoc(next, deployed, "prod"),
            /Refused by guardrails, nothing was changed:\n {2}- platform \(worker-disruption\): Data Storage Layer: this update would replace or remove 2 worker hosts at once \(worker-2: replaced \(generation 0 -> 1\); worker-4: replaced \(instanceType r6i\.4xlarge -> r6i\.8xlarge\)\); change one worker host per update and wait until HDFS has re-replicated/,
        );
    });

    it("refuses moving the only PostgreSQL off its host (the last instance)", async () => {
        await assert.rejects(
            evaluateDoc(
                prod((p) => (p.services.postgres = "master-1")),
                deployed,
                "prod",
            ),
            /platform \(last-instance\): this update would remove the last PostgreSQL \(postgresql@master-3: no longer runs postgresql\)/,
        );
    });

    it("refuses replacing both NameNode hosts at once (two ZooKeepers, the last NameNode and Accumulo master)", async () => {
        const next = prod((p) => {
            host(p, "master-1").generation = 1;
            host(p, "master-2").generation = 1;
        });
        const error = await evaluateDoc(next, deployed, "prod").then(
            () => assert.fail("expected a refusal"),
            (e: Error) => e.message,
        );
        assert.match(error, /platform \(zookeeper-disruption\): this update would take down 2 ZooKeeper servers at once/);
        assert.match(error, /platform \(last-instance\): this update would remove the last HDFS NameNode/);
        assert.match(error, /platform \(last-instance\): this update would remove the last Accumulo Master/);
    });

    it("sees a change of the stack's default image as the replacement of every host using it", async () => {
        const next = prod((_p, doc) => (doc.config["dataplat:hosts"].imageId = "ami-0fedcba9876543210"));
        await assert.rejects(
            evaluateDoc(next, deployed, "prod"),
            /platform \(worker-disruption\): Data Storage Layer: this update would replace or remove 4 worker hosts/,
        );
    });

    it("refuses a ZooKeeper ensemble below 3 or even in prod as a config error, before any resource", async () => {
        await assert.rejects(
            evaluateDoc(
                prod((p) => (p.services.zookeeper = ["master-1", "master-2"])),
                undefined,
                "prod",
            ),
            /Invalid stack configuration \(dataplat:\*\), nothing was deployed:\n {2}- platform\.services\.zookeeper: ZooKeeper has 2 servers in prod; place it on at least 3 hosts/,
        );
        await assert.rejects(
            evaluateDoc(
                prod((p) => (p.services.zookeeper = ["master-1", "master-2", "master-3", "app-1"])),
                undefined,
                "prod",
            ),
            /platform\.services\.zookeeper: ZooKeeper has 4 servers in prod; an even ensemble/,
        );
    });

    it("refuses a prod platform without the run book's backups", async () => {
        await assert.rejects(
            evaluateDoc(
                prod((p) => delete p.backup),
                undefined,
                "prod",
            ),
            /- platform\.backup: prod needs the run book's backups/,
        );
    });

    it("refuses a host whose zone has no subnet, or a subnet outside the stack's subnets", async () => {
        await assert.rejects(
            evaluateDoc(
                prod((p) => (host(p, "app-1").availabilityZone = "us-west-2d")),
                undefined,
                "prod",
            ),
            /- platform\.hosts\[7\]\.availabilityZone: no subnet of network\.subnets is in us-west-2d \(zones: us-west-2a, us-west-2b, us-west-2c\)/,
        );
        await assert.rejects(
            evaluateDoc(
                prod((p) => (host(p, "app-1").subnet = "subnet-0a1b2c3d4e5f60711")),
                undefined,
                "prod",
            ),
            /- platform\.hosts\[7\]\.subnet: subnet-0a1b2c3d4e5f60711 is in us-west-2a, not in the host's availabilityZone us-west-2b/,
        );
    });

    it("refuses a platform without the SSH key, naming sshPrivateKey", async () => {
        const doc = prod((_p, d) => delete d.config["dataplat:sshPrivateKey"]);
        await assert.rejects(
            evaluateDoc(doc, undefined, "prod"),
            /- sshPrivateKey: required by [^\n]*platform[^\n]*pulumi config set --secret dataplat:sshPrivateKey/,
        );
    });
});
