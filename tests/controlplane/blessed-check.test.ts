import assert from "node:assert/strict";
import { blessedCheck } from "../../ops/controlplane/blessed";
import { parseControlPlaneConfig, type ControlPlaneConfigInput } from "../../ops/controlplane/config";
import { blessedControlPlane } from "./fixtures";

function variant(edit: (input: ControlPlaneConfigInput) => void) {
    const input = blessedControlPlane();
    edit(input);
    return parseControlPlaneConfig(input);
}

describe("blessed check of the control plane essentials", () => {
    it("blesses three instances of each essential on three hosts in three zones, in prod", () => {
        const report = blessedCheck(parseControlPlaneConfig(blessedControlPlane()), "prod");
        assert.deepEqual({ blessed: report.blessed, accepted: report.accepted, problems: report.problems }, { blessed: true, accepted: true, problems: [] });
    });

    it("refuses prod when an essential runs on fewer than three hosts, naming it", () => {
        const report = blessedCheck(
            variant((i) => {
                i.essentials.manatee.hosts = ["headnode", "cn-1"];
            }),
            "prod",
        );
        assert.equal(report.blessed, false);
        assert.equal(report.accepted, false);
        assert.deepEqual(report.problems, [
            "manatee (PostgreSQL) runs on 2 hosts (headnode, cn-1); blessed needs 3 distinct hosts in essentials.manatee.hosts",
            "manatee (PostgreSQL) spans 2 availability zones (us-east-1a, us-east-1b); blessed needs its hosts in 3 distinct availability zones",
        ]);
        assert.match(report.message, /^refusing a prod control plane that is not blessed: manatee \(PostgreSQL\) runs on 2 hosts/);
    });

    it("refuses prod when three hosts share two availability zones", () => {
        const report = blessedCheck(
            variant((i) => {
                i.essentials.moray.hosts = ["headnode", "cn-2", "cn-3"];
            }),
            "prod",
        );
        assert.equal(report.accepted, false);
        assert.deepEqual(report.problems, [
            "moray spans 2 availability zones (us-east-1a, us-east-1c); blessed needs its hosts in 3 distinct availability zones",
        ]);
    });

    it("accepts more than three instances when they span three zones", () => {
        const report = blessedCheck(
            variant((i) => {
                i.essentials.binder.hosts = ["headnode", "cn-1", "cn-2", "cn-3"];
            }),
            "prod",
        );
        assert.equal(report.blessed, true);
    });

    it("lets staging run single instances, reporting that it is not blessed", () => {
        const config = variant((i) => {
            i.computeNodes = [];
            i.essentials = { binder: { hosts: ["headnode"] }, manatee: { hosts: ["headnode"] }, moray: { hosts: ["headnode"] } };
        });
        const staging = blessedCheck(config, "staging");
        assert.equal(staging.blessed, false);
        assert.equal(staging.accepted, true);
        assert.equal(staging.problems.length, 6);
        assert.match(staging.message, /^not blessed \(allowed in staging\)/);
        assert.equal(blessedCheck(config, "prod").accepted, false);
    });
});
