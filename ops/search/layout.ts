// Where the engine's package keeps things on a node, and the device of its data volume: shared by the rendered
// config, the first-boot script and the component. Pure.

import type { SearchClusterConfig } from "./schema";

/** Where the engine's Debian/RPM package keeps things, and its systemd unit. */
export interface EngineLayout {
    service: string;
    user: string;
    configDir: string;
    configFile: string;
    dataDir: string;
    logDir: string;
}

export function engineLayout(c: SearchClusterConfig): EngineLayout {
    const e = c.engine.distribution;
    return {
        service: e,
        user: e,
        configDir: `/etc/${e}`,
        configFile: `/etc/${e}/${e}.yml`,
        dataDir: `/var/lib/${e}`,
        logDir: `/var/log/${e}`,
    };
}

/** Device name of a node's data volume (Nitro instances show it as an NVMe EBS device; the boot script finds it). */
export const DATA_VOLUME_DEVICE = "/dev/sdf";
