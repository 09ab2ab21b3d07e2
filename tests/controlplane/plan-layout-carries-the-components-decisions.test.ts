// The ControlPlane makes no decision: the plan's layout (ops/controlplane/plan.ts controlPlaneLayout) carries the
// headnode's name, every host's user data and the recovery command's scripts. Called directly, no program run.
import assert from "node:assert/strict";
import type { ControlPlaneConfig } from "../../ops/controlplane/config";
import { controlPlanePlan, type ControlPlaneContext } from "../../ops/controlplane/plan";
import { headnodeResourceName } from "../../ops/controlplane/naming";
import { BACKUP_READY_MARKER, firstHeadnodeScript } from "../../ops/controlplane/scripts";
import type { SnapshotRead } from "../../ops/state/snapshot";
import { committedConfig, deepClone } from "../support/plans";

const cfg = committedConfig("prod");
const controlPlane = cfg.controlPlane!;
const prod: ControlPlaneContext = { environment: "prod", imageId: cfg.hosts.imageId, subnets: cfg.network.subnets };
const plan = (c: ControlPlaneConfig, deployed: SnapshotRead<ControlPlaneConfig> = { kind: "first" }) => controlPlanePlan(c, deployed, prod);

describe("control plane plan layout: what the ControlPlane declares, decided before any resource", () => {
    const first = plan(controlPlane);
    const update = plan(controlPlane, { kind: "ok", value: first.snapshot });

    it("names: the headnode by its replacement identity, its recovery after it, compute nodes by name", () => {
        const layout = first.plan.layout!;
        assert.equal(layout.headnode.childName, headnodeResourceName(first.plan.headnode));
        assert.equal(layout.recovery.childName, `${layout.headnode.childName}-recovery`);
        assert.deepEqual(
            layout.computeNodes.map((n) => n.childName),
            controlPlane.computeNodes.map((n) => n.name),
        );
        assert.ok(layout.computeNodes.every((n) => n.userData.startsWith(`# dataplat control plane host ${n.host.name}: `)));
    });

    it("the first deployment only enables backups (a fixed script); an update recovers from the bucket at the compute nodes' addresses", () => {
        assert.equal(first.plan.layout!.recovery.create, firstHeadnodeScript(BACKUP_READY_MARKER));
        const create = update.plan.layout!.recovery.create;
        assert.ok(typeof create === "function");
        const ips = Object.fromEntries(controlPlane.computeNodes.map((n, i) => [n.name, `192.0.2.${i + 10}`]));
        const script = create("the-backup-bucket", ips);
        assert.match(script, /the-backup-bucket/);
        assert.ok(
            Object.values(ips).some((ip) => script.includes(ip)),
            "an essential is checked at a compute node's address",
        );
        assert.match(first.plan.layout!.headnode.userData("the-backup-bucket"), /the-backup-bucket/);
    });

    it("acceptBackupStamp reaches the recovery's environment; a plan with problems carries no layout", () => {
        assert.equal(first.plan.layout!.recovery.environment, undefined);
        const c = deepClone(controlPlane);
        (c as { recovery: unknown }).recovery = { ...c.recovery, acceptBackupStamp: "20240131T235959.123456789Z-headnode" };
        assert.deepEqual(plan(c).plan.layout!.recovery.environment, { ACCEPT_BACKUP_STAMP: "20240131T235959.123456789Z-headnode" });
        const stray = deepClone(controlPlane);
        Object.values(stray.essentials).forEach((e) => ((e as { hosts: string[] }).hosts = ["nowhere"]));
        assert.ok(plan(stray).problems.length > 0);
        assert.equal(plan(stray).plan.layout, undefined);
    });
});
