import type { ControlPlaneConfigInput } from "../../ops/controlplane/config";

/** A blessed control plane: each essential on the headnode and two compute nodes, three zones. */
export function blessedControlPlane(): ControlPlaneConfigInput {
    return {
        headnode: { name: "headnode", instanceType: "m5.2xlarge", availabilityZone: "us-east-1a", generation: 3 },
        computeNodes: [
            { name: "cn-1", instanceType: "m5.2xlarge", availabilityZone: "us-east-1b" },
            { name: "cn-2", instanceType: "m5.2xlarge", availabilityZone: "us-east-1c" },
            { name: "cn-3", instanceType: "m5.2xlarge", availabilityZone: "us-east-1c" },
        ],
        essentials: {
            binder: { hosts: ["headnode", "cn-1", "cn-2"] },
            manatee: { hosts: ["headnode", "cn-1", "cn-2"] },
            moray: { hosts: ["headnode", "cn-1", "cn-2"] },
        },
        backup: { periodMinutes: 60, bucket: "triton-headnode-backups", prefix: "us-east-1/headnode" },
    };
}
