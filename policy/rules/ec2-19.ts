/** EC2.19: no high-risk port is open to the world (0.0.0.0/0, ::/0). */
import { INGRESS_TYPES, ingressOf, OPEN_CIDRS } from "../aws";
import { resourceRule, type Check } from "../control";

/** The ports Security Hub lists as high risk for this control. */
export const HIGH_RISK_PORTS = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
];

const check: Check = (p, _config, type) =>
    ingressOf(type, p)
        .filter((i) => i.cidrs.some((c) => OPEN_CIDRS.includes(c)) && (i.protocol === "tcp" || i.protocol === "udp" || i.protocol === "-1"))
        .flatMap((i) => {
            const hit = HIGH_RISK_PORTS.filter((port) => port >= i.from && port <= i.to);
            return hit.length
                ? [`high-risk port(s) ${hit.join(", ")} open to the world (${i.protocol === "-1" ? "every protocol" : i.protocol} ${i.from}-${i.to})`]
                : [];
        });

export const ec2_19 = resourceRule(
    {
        id: "EC2.19",
        title: "Security groups should not allow unrestricted access to ports with high risk",
        severity: "critical",
        enforcementLevel: "mandatory",
        remediation: "admit SSH, databases, search and admin ports from named CIDRs (network.operatorCidrs) or security groups only",
    },
    Object.fromEntries(INGRESS_TYPES.map((t) => [t, check])),
);
