import assert from "node:assert/strict";
import { parseControlPlaneConfig } from "../../ops/controlplane/config";
import { ConfigError } from "../../ops/config/errors";
import { blessedControlPlane } from "./fixtures";

function problems(input: unknown): readonly string[] {
    try {
        parseControlPlaneConfig(input);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.lines;
    }
    assert.fail("expected the config to be refused");
}

describe("control plane config schema", () => {
    it("fills the defaults: essential ports, database, image store, generation", () => {
        const config = parseControlPlaneConfig(blessedControlPlane());
        assert.deepEqual([config.essentials.binder.port, config.essentials.manatee.port, config.essentials.moray.port], [2181, 5432, 2020]);
        assert.deepEqual(config.backup.database, { name: "moray", port: 5432, user: "postgres" });
        assert.equal(config.backup.imageStoreDir, "/var/imgapi/images");
        assert.equal(config.computeNodes[0]!.generation, 0);
        assert.equal(config.headnode.generation, 3);
    });

    it("names an unknown key with the keys it accepts", () => {
        const input = blessedControlPlane() as unknown as { backup: Record<string, unknown> };
        input.backup.periodMinuets = 30;
        assert.deepEqual(problems(input), [
            'backup: unknown key "periodMinuets"; expected only: periodMinutes, bucket, prefix, imageStoreDir, database, maxClockSkewSeconds',
        ]);
    });

    it("requires the backup period, in whole positive minutes", () => {
        const input = blessedControlPlane();
        input.backup.periodMinutes = 0;
        assert.deepEqual(problems(input), ["backup.periodMinutes: expected minutes > 0"]);
        input.backup.periodMinutes = 7.5;
        assert.deepEqual(problems(input), ["backup.periodMinutes: expected whole minutes"]);
    });

    it("refuses an essential placed on an unknown host or twice on one host", () => {
        const input = blessedControlPlane();
        input.essentials.binder.hosts = ["headnode", "cn-9", "headnode"];
        assert.deepEqual(problems(input), [
            'essentials.binder.hosts[1]: unknown host "cn-9" for binder (ZooKeeper); expected the headnode or a compute node: headnode, cn-1, cn-2, cn-3',
            'essentials.binder.hosts[2]: binder (ZooKeeper) is placed on "headnode" twice; expected each host once',
        ]);
    });

    it("refuses a compute node named like the headnode", () => {
        const input = blessedControlPlane();
        input.computeNodes![1]!.name = "headnode";
        assert.ok(problems(input).includes('computeNodes[1].name: duplicate host name "headnode"; the headnode and compute nodes need unique names'));
    });

    it("refuses a bucket name and a key prefix that S3 would not take as meant", () => {
        const input = blessedControlPlane();
        input.backup.bucket = "Bad_Bucket";
        input.backup.prefix = "/leading/slash/";
        assert.deepEqual(problems(input), [
            "backup.bucket: expected an S3 bucket name",
            "backup.prefix: expected a key prefix such as koverse/prod (no leading or trailing '/')",
        ]);
    });
});
