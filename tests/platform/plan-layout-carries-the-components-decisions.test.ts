// The LayeredPlatform makes no decision: the plan's layout (ops/platform/plan.ts platformLayout) carries the
// order and edges, the scripts, the restore's place and every child's name. Called directly, no program run.
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../ops/platform/config";
import { platformPlan, type PlatformContext } from "../../ops/platform/plan";
import { committedConfig, deepClone } from "../support/plans";

const cfg = committedConfig("prod");
const prod: PlatformContext = { environment: "prod", imageId: cfg.hosts.imageId, subnets: cfg.network.subnets };
const layoutOf = (c: PlatformConfig) => platformPlan(c, { kind: "first" }, prod).plan.layout!;

describe("platform plan layout: what the LayeredPlatform declares, decided before any resource", () => {
    const platform = cfg.platform!;

    it("commands come in start order: every edge points to a command listed earlier", () => {
        const layout = layoutOf(platform);
        const seen = new Set<string>();
        for (const c of layout.commands) {
            for (const d of c.dependsOn) assert.ok(seen.has(d), `${c.id} depends on ${d}, not yet listed`);
            seen.add(c.id);
        }
        for (const t of layout.timers) for (const d of t.dependsOn) assert.ok(seen.has(d), `${t.id} depends on ${d}`);
        assert.ok(
            layout.commands.every((c) => c.kind === "service"),
            "no restore unless platform.backup.restore is set",
        );
        assert.deepEqual(
            layout.hosts.map((h) => h.childName),
            platform.hosts.map((h) => h.name),
        );
    });

    it("with backup.restore: the restore follows PostgreSQL, the Koverse server waits for it, and its script names the bucket", () => {
        const c = deepClone(platform);
        (c as { backup: unknown }).backup = { ...c.backup!, restore: { acceptBackupStamp: "20240131T235959.123456789Z-master-3" } };
        const layout = layoutOf(c);
        const restore = layout.commands.find((x) => x.kind === "restore");
        assert.ok(restore !== undefined && restore.kind === "restore");
        assert.equal(restore.childName, `${c.services.postgres}-metadata-restore`);
        assert.deepEqual(restore.dependsOn, [`postgresql@${c.services.postgres}`]);
        assert.deepEqual(restore.environment, { ACCEPT_BACKUP_STAMP: "20240131T235959.123456789Z-master-3" });
        const server = layout.commands.filter((x) => x.id.startsWith("koverse-server@"));
        assert.ok(server.length > 0 && server.every((s) => s.dependsOn.includes(restore.id)));
        assert.match(restore.create("the-bucket"), /the-bucket/);
        assert.ok(layout.timers.every((t) => t.install("the-bucket").includes("the-bucket")));
    });

    it("a plan with problems carries no layout (the section throws them before any resource)", () => {
        const c = deepClone(platform);
        (c.hosts[0] as { availabilityZone: string }).availabilityZone = "us-west-2d";
        assert.equal(platformPlan(c, { kind: "first" }, prod).plan.layout, undefined);
    });
});
