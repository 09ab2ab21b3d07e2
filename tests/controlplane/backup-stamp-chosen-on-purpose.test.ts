/**
 * Issue 18 point 6: an operator restores one backup unit on purpose through config
 * (controlPlane.recovery.acceptBackupStamp, platform.backup.restore.acceptBackupStamp). A malformed
 * stamp is a config error before the first resource, in a real preview and with known values; a
 * valid one reaches the recovery (restore) command through its environment, nowhere else.
 */
import assert from "node:assert/strict";
import { metadataRestoreScript, RESTORE_UPDATE_SCRIPT } from "../../ops/platform/scripts";
import { attempt, beyondSelfReference, MODES, type Doc } from "../preview/support";
import { deepClone, depNames, evaluateDoc, named, stackDoc } from "../support/graph";
import { COMMAND, INSTANCE } from "../platform-component/support";

const STAMP = "20240131T235959.123456789Z-headnode";

function prod(edit: (c: Record<string, any>) => void): Doc {
    const doc = deepClone(stackDoc("prod"));
    edit(doc.config);
    return doc;
}

describe("choosing a backup unit on purpose (acceptBackupStamp)", function () {
    this.timeout(300_000);

    for (const [what, edit, path] of [
        [
            "controlPlane.recovery.acceptBackupStamp",
            (c: Record<string, any>) => (c["dataplat:controlPlane"].recovery = { acceptBackupStamp: "20240131T235959Z" }),
            /controlPlane\.recovery\.acceptBackupStamp: expected a backup stamp such as 20240131T235959\.123456789Z-headnode/,
        ],
        [
            "platform.backup.restore.acceptBackupStamp",
            (c: Record<string, any>) => (c["dataplat:platform"].backup.restore = { acceptBackupStamp: "20241331T000000.000000000Z-master-3" }),
            /platform\.backup\.restore\.acceptBackupStamp: expected a backup stamp/,
        ],
    ] as const) {
        for (const mode of MODES) {
            it(`a malformed ${what} is refused before the first resource (${mode})`, async () => {
                const a = await attempt(prod(edit), mode);
                assert.ok(a.error, "expected a config error");
                assert.match(a.error.message, /Invalid stack configuration \(dataplat:\*\), nothing was deployed/);
                assert.match(a.error.message, path);
                assert.deepEqual(beyondSelfReference(a.registered), []);
            });
        }
    }

    it("the headnode's recovery command gets ACCEPT_BACKUP_STAMP in its environment, and only when the key is set", async () => {
        const deployed = stackDoc("prod");
        const bump = (c: Record<string, any>) => (c["dataplat:controlPlane"].headnode.generation = 1);
        const accepted = await evaluateDoc(
            prod((c) => {
                bump(c);
                c["dataplat:controlPlane"].recovery = { acceptBackupStamp: STAMP };
            }),
            deployed,
            "prod",
        );
        const plain = await evaluateDoc(prod(bump), deployed, "prod");
        const instance = accepted.resources.find((r) => r.type === INSTANCE && /^activedata-controlplane-headnode-g1-/.test(r.name))!;
        const recovery = `${instance.name}-recovery`;
        assert.deepEqual(named(accepted, COMMAND, recovery).inputs.environment, { ACCEPT_BACKUP_STAMP: STAMP });
        assert.equal(named(plain, COMMAND, recovery).inputs.environment, undefined);
        assert.match(
            (accepted.outputs.plan as any).controlPlane.headnode,
            new RegExp(`exactly backup unit ${STAMP.replace(/\./g, "\\.")} \\(controlPlane\\.recovery\\.acceptBackupStamp\\)`),
        );
    });

    it("platform.backup.restore registers the metadata restore on the PostgreSQL host, after PostgreSQL and before the Koverse server, with the stamp in its environment", async () => {
        const graph = await evaluateDoc(
            prod((c) => (c["dataplat:platform"].backup.restore = { acceptBackupStamp: "20240131T235959.123456789Z-master-3" })),
            undefined,
            "prod",
        );
        const restore = named(graph, COMMAND, "activedata-platform-master-3-metadata-restore");
        assert.deepEqual(restore.inputs.environment, { ACCEPT_BACKUP_STAMP: "20240131T235959.123456789Z-master-3" });
        assert.equal(restore.inputs.update, RESTORE_UPDATE_SCRIPT);
        const bucket = String(named(graph, "aws:s3/bucket:Bucket", "activedata-backups").inputs.bucket);
        assert.equal(
            restore.inputs.create,
            metadataRestoreScript(
                { bucket, prefix: "koverse/prod", maxClockSkewSeconds: 300 },
                { host: "127.0.0.1", port: 5432, user: "postgres", database: "koverse" },
                1440,
                undefined,
                "20240131T235959.123456789Z-master-3",
            ),
        );
        assert.ok(depNames(graph, restore).includes("activedata-platform-master-3-postgresql"), "after PostgreSQL started");
        assert.ok(!depNames(graph, restore).some((d) => d.endsWith("-koverse-server")));
        assert.ok(depNames(graph, named(graph, COMMAND, "activedata-platform-app-1-koverse-server")).includes("activedata-platform-master-3-metadata-restore"));
        const without = await evaluateDoc(stackDoc("prod"), undefined, "prod");
        assert.equal(
            without.resources.some((r) => r.name.endsWith("-metadata-restore")),
            false,
        );
    });
});
