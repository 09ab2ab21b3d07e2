/**
 * RFD 67's "blessed" configuration: every HA essential (binder, manatee, moray) runs three
 * instances, on three distinct hosts, in three distinct availability zones, so that losing any one
 * server - the headnode included - leaves a quorum. A prod control plane that is not blessed is
 * refused; staging may run single instances (the problems are still reported).
 */
import type { Environment } from "../shared/hosts";
import { ESSENTIALS, ESSENTIAL_SPECS, controlPlaneHosts, type ControlPlaneConfig } from "./config";

export const BLESSED_INSTANCES = 3;

export interface BlessedReport {
    /** Every essential meets the blessed placement. */
    readonly blessed: boolean;
    /** The config may be deployed in this environment. */
    readonly accepted: boolean;
    readonly problems: readonly string[];
    readonly message: string;
}

export function blessedCheck(config: ControlPlaneConfig, environment: Environment): BlessedReport {
    const hosts = controlPlaneHosts(config);
    const problems: string[] = [];
    for (const name of ESSENTIALS) {
        const { title } = ESSENTIAL_SPECS[name];
        const placed = [...new Set(config.essentials[name].hosts)];
        if (placed.length < BLESSED_INSTANCES) {
            problems.push(
                `${title} runs on ${placed.length} host${placed.length === 1 ? "" : "s"} (${placed.join(", ")}); blessed needs ${BLESSED_INSTANCES} distinct hosts in essentials.${name}.hosts`,
            );
        }
        const zones = [...new Set(placed.map((h) => hosts.get(h)?.availabilityZone ?? "(unknown host)"))].sort();
        if (zones.length < BLESSED_INSTANCES) {
            problems.push(
                `${title} spans ${zones.length} availability zone${zones.length === 1 ? "" : "s"} (${zones.join(", ")}); blessed needs its hosts in ${BLESSED_INSTANCES} distinct availability zones`,
            );
        }
    }
    const blessed = problems.length === 0;
    const accepted = blessed || environment !== "prod";
    const message = blessed
        ? "blessed: binder, manatee and moray each run on 3 hosts in 3 availability zones"
        : accepted
          ? `not blessed (allowed in ${environment}): ${problems.join("; ")}`
          : `refusing a prod control plane that is not blessed: ${problems.join("; ")}. Losing the headnode or one zone could lose quorum; place each essential on 3 hosts in 3 availability zones`;
    return { blessed, accepted, problems, message };
}
