// The control plane's plan (ops/controlplane/plan.ts controlPlanePlan) called directly: each guardrail fires
// with its id and kind (config problems with their path) and passes without its cause.
import assert from "node:assert/strict";
import type { ControlPlaneConfig } from "../../ops/controlplane/config";
import { controlPlanePlan, readDeployedControlPlane, type ControlPlaneContext } from "../../ops/controlplane/plan";
import type { SnapshotRead } from "../../ops/state/snapshot";
import { committedConfig, deepClone, finding, ids, passes } from "../support/plans";

const cfg = committedConfig("prod");
const controlPlane = cfg.controlPlane!;
const prod: ControlPlaneContext = { environment: "prod", imageId: cfg.hosts.imageId, subnets: cfg.network.subnets };
const staging: ControlPlaneContext = { ...prod, environment: "staging" };
const first: SnapshotRead<ControlPlaneConfig> = { kind: "first" };
const edit = (change: (c: ControlPlaneConfig) => void): ControlPlaneConfig => {
    const c = deepClone(controlPlane);
    change(c);
    return c;
};
const plan = (c: ControlPlaneConfig, deployed: SnapshotRead<ControlPlaneConfig> = first, ctx = prod) => controlPlanePlan(c, deployed, ctx);
const deployed: SnapshotRead<ControlPlaneConfig> = { kind: "ok", value: plan(controlPlane).snapshot };
const generation = (h: { generation: number }) => (h.generation += 1);
const bump = (...names: string[]) => edit((c) => c.computeNodes.forEach((h) => names.includes(h.name) && generation(h as { generation: number })));
const essentialsOn = (...hosts: string[]) => edit((c) => Object.values(c.essentials).forEach((e) => (e.hosts = hosts)));

describe("control plane plan (ops/controlplane/plan.ts): each guardrail by id and kind", () => {
    it("the committed prod control plane: no findings; nothing to recover on the first update, recovery after", () => {
        const p = plan(controlPlane);
        assert.deepEqual([ids(p.problems), ids(p.refusals)], [[], []]);
        assert.equal(p.plan.recover, false);
        assert.match(p.plan.report.headnode, /^first headnode headnode: /);
        const again = plan(controlPlane, deployed);
        assert.deepEqual([ids(again.refusals), again.plan.recover, again.plan.report.headnode], [[], true, "headnode unchanged"]);
    });

    it("controlplane/host-subnet", () => {
        const p = plan(edit((c) => ((c.headnode as { availabilityZone: string }).availabilityZone = "us-west-2d")));
        assert.equal((finding(p.problems, "controlplane/host-subnet", "config-problem") as { path?: string }).path, "controlPlane.headnode.availabilityZone");
        passes(plan(controlPlane).problems, "controlplane/host-subnet");
    });

    it("controlplane/blessed: prod only", () => {
        finding(plan(essentialsOn("headnode", "cn-1")).problems, "controlplane/blessed", "config-problem");
        passes(plan(essentialsOn("headnode", "cn-1"), first, staging).problems, "controlplane/blessed");
    });

    it("controlplane/recovery-checks: every essential only on the headnode", () => {
        finding(plan(essentialsOn("headnode"), first, staging).problems, "controlplane/recovery-checks", "config-problem");
        passes(plan(essentialsOn("headnode", "cn-1"), first, staging).problems, "controlplane/recovery-checks");
    });

    it("controlplane/essential-host: an essential on a host that is neither the headnode nor a compute node", () => {
        finding(plan(essentialsOn("headnode", "cn-9"), first, staging).problems, "controlplane/essential-host", "config-problem");
        passes(plan(controlPlane).problems, "controlplane/essential-host");
    });

    it("controlplane/backup-script: a backup timer that cannot be built (a period that is not whole minutes)", () => {
        const p = plan(edit((c) => ((c.backup as { periodMinutes: number }).periodMinutes = 1.5)));
        assert.match(
            finding(p.problems, "controlplane/backup-script", "config-problem").message,
            /^the headnode's backup or recovery script cannot be built: /,
        );
        passes(plan(controlPlane).problems, "controlplane/backup-script");
    });

    it("controlplane/deployed-snapshot", () => {
        finding(plan(controlPlane, readDeployedControlPlane({ headnode: 1 })).refusals, "controlplane/deployed-snapshot", "change-refusal");
        passes(plan(controlPlane, readDeployedControlPlane(plan(controlPlane).snapshot)).refusals, "controlplane/deployed-snapshot");
    });

    it("controlplane/essential-disruption: two hosts carrying essentials at once", () => {
        finding(plan(bump("cn-1", "cn-2"), deployed).refusals, "controlplane/essential-disruption", "change-refusal");
        passes(plan(bump("cn-1"), deployed).refusals, "controlplane/essential-disruption");
    });

    it("controlplane/backup-change: a backup edit must confirm the headnode's replacement", () => {
        const edited = edit((c) => ((c.backup as { periodMinutes: number }).periodMinutes = 30));
        finding(plan(edited, deployed).refusals, "controlplane/backup-change", "change-refusal");
        const confirmed = deepClone(edited);
        generation(confirmed.headnode as { generation: number });
        passes(plan(confirmed, deployed).refusals, "controlplane/backup-change");
    });
});
