// The platform plan (ops/platform/plan.ts platformPlan) called directly: each guardrail fires with its id and
// kind (config problems with their path) and passes without its cause.
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../ops/platform/config";
import { platformPlan, readDeployedPlatform, type PlatformContext } from "../../ops/platform/plan";
import type { ConfigFinding } from "../../ops/shared/findings";
import type { SnapshotRead } from "../../ops/state/snapshot";
import { committedConfig, deepClone, finding, ids, passes } from "../support/plans";

const cfg = committedConfig("prod");
const platform = cfg.platform!;
const prod: PlatformContext = { environment: "prod", imageId: cfg.hosts.imageId, subnets: cfg.network.subnets };
const staging: PlatformContext = { ...prod, environment: "staging" };
const first: SnapshotRead<PlatformConfig> = { kind: "first" };
const edit = (change: (c: PlatformConfig) => void): PlatformConfig => {
    const c = deepClone(platform);
    change(c);
    return c;
};
const plan = (c: PlatformConfig, deployed: SnapshotRead<PlatformConfig> = first, ctx = prod) => platformPlan(c, deployed, ctx);
const deployed: SnapshotRead<PlatformConfig> = { kind: "ok", value: plan(platform).snapshot };
const bump = (...names: string[]) => edit((c) => c.hosts.forEach((h) => names.includes(h.name) && ((h as { generation: number }).generation += 1)));
const path = (findings: readonly ConfigFinding[], id: string) => findings.find((f) => f.id === id)!.path;

describe("platform plan (ops/platform/plan.ts): each guardrail by id and kind", () => {
    it("the committed prod platform: no findings; hosts resolved, report and snapshot", () => {
        const p = plan(platform);
        assert.deepEqual([ids(p.problems), ids(p.refusals)], [[], []]);
        assert.ok(p.plan.hosts.every((h) => h.image === cfg.hosts.imageId && cfg.network.subnets.some((s) => s.id === h.subnet)));
        assert.deepEqual(p.snapshot, p.plan.config);
        assert.match(p.plan.report.backups, /^every 360 minutes to s3:\/\/<stack backup bucket>\/koverse\/prod\//);
        assert.deepEqual(ids(plan(platform, deployed).refusals), []);
    });

    it("platform/host-subnet: a host in a zone without a subnet", () => {
        const p = plan(edit((c) => ((c.hosts[0] as { availabilityZone: string }).availabilityZone = "us-west-2d")));
        finding(p.problems, "platform/host-subnet", "config-problem");
        assert.equal(path(p.problems, "platform/host-subnet"), "platform.hosts[0].availabilityZone");
        passes(plan(platform).problems, "platform/host-subnet");
    });

    it("platform/zookeeper-ensemble: fewer than 3 in prod, not in staging", () => {
        const two = edit((c) => (c.services.zookeeper = ["master-1", "master-2"]));
        const p = plan(two);
        finding(p.problems, "platform/zookeeper-ensemble", "config-problem");
        assert.equal(path(p.problems, "platform/zookeeper-ensemble"), "platform.services.zookeeper");
        passes(plan(two, first, staging).problems, "platform/zookeeper-ensemble");
    });

    it("platform/prod-backup: prod without backups, not staging", () => {
        const none = edit((c) => delete (c as { backup?: unknown }).backup);
        finding(plan(none).problems, "platform/prod-backup", "config-problem");
        passes(plan(none, first, staging).problems, "platform/prod-backup");
    });

    it("platform/placement: a service on a host the platform does not have", () => {
        finding(plan(edit((c) => (c.services.webApp = "app-2"))).problems, "platform/placement", "config-problem");
        passes(plan(platform).problems, "platform/placement");
    });

    it("platform/backup-timer: a backup timer that cannot be built (a period that is not whole minutes)", () => {
        const p = plan(edit((c) => ((c.backup as { periodMinutes: number }).periodMinutes = 1.5)));
        assert.match(finding(p.problems, "platform/backup-timer", "config-problem").message, /^a backup timer cannot be built: /);
        passes(plan(platform).problems, "platform/backup-timer");
    });

    it("platform/deployed-snapshot", () => {
        finding(plan(platform, readDeployedPlatform({ hosts: "x" })).refusals, "platform/deployed-snapshot", "change-refusal");
        passes(plan(platform, readDeployedPlatform(deployed.kind === "ok" ? deployed.value : undefined)).refusals, "platform/deployed-snapshot");
    });

    it("platform/zookeeper-disruption, platform/last-instance, platform/worker-disruption", () => {
        finding(plan(bump("master-1", "master-2"), deployed).refusals, "platform/zookeeper-disruption", "change-refusal");
        passes(plan(bump("master-1"), deployed).refusals, "platform/zookeeper-disruption");
        finding(plan(bump("master-3"), deployed).refusals, "platform/last-instance", "change-refusal");
        passes(plan(bump("master-1"), deployed).refusals, "platform/last-instance");
        const two = plan(bump("worker-1", "worker-2"), deployed).refusals;
        assert.match(finding(two, "platform/worker-disruption", "change-refusal").message, /^platform \(worker-disruption\): /);
        passes(plan(bump("worker-1"), deployed).refusals, "platform/worker-disruption");
    });
});
