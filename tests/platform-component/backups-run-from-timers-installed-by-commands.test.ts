import assert from "node:assert/strict";
import { layerGraph } from "../../ops/platform/layers";
import { platformBackupScripts } from "../../ops/platform/scripts";
import { backupNeeds, backupTimerInstallScript, backupTimerRemoveScript } from "../../ops/platform/timers";
import { StackGraph } from "../../stacks/offline/evaluate";
import { committedStack, deepClone, evaluateDoc, named, stackDoc } from "../support/graph";
import { changedResources, COMMAND, platformConfigOf, serviceCommandsOf } from "./support";

const BACKUPS = [
    ["master-3", "metadata-backup"],
    ["master-1", "accumulo-export"],
    ["master-1", "addons-backup"],
    ["app-1", "config-backup"],
] as const;

describe("LayeredPlatform backups: systemd timers installed by remote commands, to the stack's backup bucket", () => {
    let g: StackGraph;
    const config = platformConfigOf(stackDoc("prod"));
    before(async () => (g = await committedStack("prod")));

    it("installs each run-book backup on its host, with the exact script, every backup.periodMinutes, to the foundation's backup bucket", () => {
        const bucket = String(named(g, "aws:s3/bucket:Bucket", "activedata-backups").inputs.bucket);
        assert.match(bucket, /^activedata-backups-prod-[0-9a-f]{8}$/);
        const scripts = platformBackupScripts(config, bucket);
        assert.deepEqual(
            scripts.map((s) => [s.host, s.id.split("@")[0]]),
            BACKUPS.map((b) => [...b]),
        );
        for (const s of scripts) {
            const r = named(g, COMMAND, `activedata-platform-${s.host}-${s.id.split("@")[0]}`);
            const install = backupTimerInstallScript(s, 360);
            assert.equal(r.inputs.create, install, s.id);
            assert.equal(r.inputs.update, install, "an edit re-installs in place: no replacement, no window without a timer");
            assert.equal(r.inputs.delete, backupTimerRemoveScript(s));
            assert.ok(install.includes(`readonly bucket='${bucket}'`), "the script names the bucket");
            assert.equal(r.inputs.connection, "[secret]");
        }
    });

    it("a backup is installed after the services it reads and removed before they stop", () => {
        const commands = serviceCommandsOf(g);
        const idOf = new Map([...commands].map(([id, r]) => [r.urn, id]));
        for (const s of platformBackupScripts(config, "any-bucket")) {
            const r = named(g, COMMAND, `activedata-platform-${s.host}-${s.id.split("@")[0]}`);
            assert.deepEqual(r.explicitDependsOn.map((u) => idOf.get(u)).sort(), backupNeeds(layerGraph(config).instances, s), s.id);
        }
        assert.deepEqual(
            named(g, COMMAND, "activedata-platform-master-3-metadata-backup").explicitDependsOn.map((u) => idOf.get(u)),
            ["postgresql@master-3"],
        );
    });

    it("editing the backup settings changes only the backup commands, never a host (no user data involved)", async () => {
        const doc = deepClone(stackDoc("prod"));
        doc.config["dataplat:platform"].backup.periodMinutes = 120;
        const [unchanged, next] = [await evaluateDoc(stackDoc("prod"), stackDoc("prod"), "prod"), await evaluateDoc(doc, stackDoc("prod"), "prod")];
        assert.deepEqual(changedResources(unchanged, next), BACKUPS.map(([h, k]) => `Command::activedata-platform-${h}-${k}`).sort());
        assert.match(String(named(next, COMMAND, "activedata-platform-master-3-metadata-backup").inputs.create), /^OnUnitActiveSec=120min$/m);
    });

    it("a bucket named in platform.backup.bucket replaces the default", async () => {
        const doc = deepClone(stackDoc("prod"));
        doc.config["dataplat:platform"].backup.bucket = "koverse-offsite-backups";
        const next = await evaluateDoc(doc, undefined, "prod");
        const create = String(named(next, COMMAND, "activedata-platform-master-3-metadata-backup").inputs.create);
        assert.ok(create.includes("readonly bucket='koverse-offsite-backups' host_label='master-3' max_skew_seconds=300"));
        assert.ok(create.includes("readonly dir='koverse/prod/postgres/koverse'"));
        assert.ok(!/activedata-backups-prod-/.test(create));
    });

    it("a platform without backups installs no timer (staging keeps its own)", async () => {
        const doc = deepClone(stackDoc("staging"));
        delete doc.config["dataplat:platform"].backup;
        const next = await evaluateDoc(doc, undefined, "staging");
        assert.deepEqual(
            next.resources.filter((r) => r.type === COMMAND && /-(metadata-backup|accumulo-export|addons-backup|config-backup)$/.test(r.name)),
            [],
        );
        const staging = await committedStack("staging");
        assert.equal(staging.resources.filter((r) => r.type === COMMAND && r.name.endsWith("-metadata-backup")).length, 1);
    });
});
