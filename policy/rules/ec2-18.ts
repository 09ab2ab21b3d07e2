/** EC2.18: ingress open to the world (0.0.0.0/0, ::/0) only on authorized TCP ports. */
import { INGRESS_TYPES, ingressOf, OPEN_CIDRS } from "../aws";
import { resourceRule, type Check } from "../control";

interface Config {
    /** AWS's default parameter: 80 and 443. */
    readonly authorizedTcpPorts?: number[];
}

const check: Check<Config> = (p, config, type) => {
    const authorized = config.authorizedTcpPorts ?? [80, 443];
    return ingressOf(type, p)
        .filter((i) => i.cidrs.some((c) => OPEN_CIDRS.includes(c)))
        .filter((i) => !(i.protocol === "tcp" && i.from === i.to && authorized.includes(i.from)))
        .map(
            (i) =>
                `${i.protocol === "-1" ? "every protocol and port" : `${i.protocol} ${i.from}-${i.to}`} is open to ${i.cidrs.filter((c) => OPEN_CIDRS.includes(c)).join(", ")} (authorized: tcp ${authorized.join(", ")})`,
        );
};

export const ec2_18 = resourceRule<Config>(
    {
        id: "EC2.18",
        title: "Security groups should only allow unrestricted incoming traffic for authorized ports",
        severity: "high",
        enforcementLevel: "mandatory",
        remediation: "admit the world on the authorized ports only; everything else from named CIDRs (network.operatorCidrs) or security groups",
    },
    Object.fromEntries(INGRESS_TYPES.map((t) => [t, check])),
    {
        properties: {
            authorizedTcpPorts: {
                type: "array",
                items: { type: "integer" },
                default: [80, 443],
                description: "TCP ports that may be open to 0.0.0.0/0 and ::/0.",
            },
        },
    },
);
