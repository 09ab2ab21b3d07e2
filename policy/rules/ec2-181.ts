/** EC2.181: launch templates encrypt every EBS volume they attach. */
import { isTrue } from "../aws";
import { resourceRule } from "../control";

export const ec2_181 = resourceRule(
    {
        id: "EC2.181",
        title: "EC2 launch templates should enable encryption for attached EBS volumes",
        severity: "medium",
        enforcementLevel: "mandatory",
        remediation: 'set ebs.encrypted: "true" on every block device mapping of the launch template',
    },
    {
        "aws:ec2/launchTemplate:LaunchTemplate": (p) =>
            ((p.blockDeviceMappings ?? []) as { deviceName?: string; ebs?: { encrypted?: unknown } }[])
                .filter((m) => m.ebs !== undefined && !isTrue(m.ebs.encrypted))
                .map((m) => `block device ${m.deviceName ?? "(unnamed)"} is not encrypted`),
    },
);
