/** EC2.25: launch templates assign no public IP to their network interfaces. */
import { isFalse } from "../aws";
import { resourceRule } from "../control";

export const ec2_25 = resourceRule(
    {
        id: "EC2.25",
        title: "Amazon EC2 launch templates should not assign public IPs to network interfaces",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: 'set associatePublicIpAddress: "false" on every network interface of the launch template',
    },
    {
        "aws:ec2/launchTemplate:LaunchTemplate": (p) =>
            ((p.networkInterfaces ?? []) as { deviceIndex?: number; associatePublicIpAddress?: unknown }[])
                .filter((ni) => !isFalse(ni.associatePublicIpAddress))
                .map(
                    (ni) =>
                        `network interface ${ni.deviceIndex ?? 0} may get a public IP (associatePublicIpAddress ${String(ni.associatePublicIpAddress ?? "unset")})`,
                ),
    },
);
