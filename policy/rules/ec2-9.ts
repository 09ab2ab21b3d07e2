/** EC2.9: instances have no public IPv4 address (associatePublicIpAddress explicitly false). */
import { resourceRule } from "../control";

export const ec2_9 = resourceRule(
    {
        id: "EC2.9",
        title: "Amazon EC2 instances should not have a public IPv4 address",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation:
            "set associatePublicIpAddress: false and serve public traffic through a load balancer, or list the instance in this policy's exemptions with the reason",
    },
    {
        "aws:ec2/instance:Instance": (p) =>
            p.associatePublicIpAddress === false
                ? []
                : [
                      p.associatePublicIpAddress === true
                          ? "the instance gets a public IPv4 address"
                          : "associatePublicIpAddress is unset, so the subnet's default decides whether the instance is public",
                  ],
    },
);
