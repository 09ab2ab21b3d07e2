/**
 * The first-boot script of a search node (its user data), written with the shell toolkit (ops/shared/shell.ts).
 * Pure: no I/O. ops/search/config.ts decides what goes in (the rendered opensearch.yml, the layout, the heap format,
 * the TLS fragment); this file only writes it as bash.
 */
import { comment, heredoc, raw, sh } from "../shared/shell";
import { SEARCH_RESTART_HELPER } from "./commands";
import { HEAP_TAG, type UserDataFormat } from "./boot";
import type { EngineLayout } from "./layout";
import type { SearchNodeRole } from "./nodes";

/** Device name of a node's data volume (Nitro instances show it as an NVMe EBS device; the boot script finds it). */
export const DATA_VOLUME_DEVICE = "/dev/sdf";

export interface NodeUserData {
    nodeName: string;
    role: SearchNodeRole;
    /** The rendered opensearch.yml. */
    yml: string;
    dataVolume: boolean;
    heap: UserDataFormat;
    /** The TLS boot fragment (ops/search/security.ts securityBootFragment), when admin.tls is on. */
    security?: string;
}

/**
 * The first-boot script of a node: find and mount the encrypted EBS data volume (formatted once, by label), write
 * the rendered config, the heap, the restart helper that sets a new heap (`SEARCH_RESTART_HELPER HEAP`, run by the
 * node's bounce), vm.max_map_count, then start the engine's unit. The heap is never part of the user data, so
 * changing it restarts the node instead of replacing it (ops/search/boot.ts):
 *  - "heap-from-tag": the configured heap, read from the instance tag HEAP_TAG through IMDSv2 (retried for 5 minutes);
 *    a missing or malformed tag fails the boot before the engine starts (the node never joins, its wait-joined
 *    fails closed) rather than running on a heap nobody configured.
 *  - "default-heap" (nodes deployed before; kept byte for byte): half the memory, at most 31g, unless one was set;
 *    the node's bounce then set the configured heap.
 * The layout's paths and unit come from the engine's distribution (config.ts engineLayout): plain words, written bare.
 */
export function renderNodeUserData(clusterName: string, l: EngineLayout, node: NodeUserData): string {
    for (const v of Object.values(l)) if (!/^[A-Za-z0-9_./-]+$/.test(v)) throw new RangeError(`engine layout value ${JSON.stringify(v)} is not a plain word`);
    const dataDir = raw(l.dataDir);
    const user = raw(l.user);
    const service = raw(l.service);
    const heapFile = raw(`${l.configDir}/jvm.options.d/dataplat-heap.options`);
    const helper = raw(SEARCH_RESTART_HELPER);
    const volume = !node.dataVolume
        ? ""
        : sh`# Data volume (encrypted EBS): the first EBS disk that is not the root disk, formatted once, mounted by label.
root_src="$(findmnt -no SOURCE /)"
root_disk="$(lsblk -no PKNAME "$root_src" | head -n1)"
[ -n "$root_disk" ] || root_disk="$(basename "$root_src")"
dev=""
for _ in $(seq 1 60); do
  for link in ${raw(DATA_VOLUME_DEVICE)} ${raw(DATA_VOLUME_DEVICE.replace("/sd", "/xvd"))} /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_*; do
    [ -b "$link" ] || continue
    case "$link" in *-part*) continue ;; esac
    d="$(readlink -f "$link")"
    [ "$(basename "$d")" = "$root_disk" ] && continue
    dev="$d"; break
  done
  [ -n "$dev" ] && break
  sleep 5
done
[ -n "$dev" ] || { echo "dataplat: data volume not found" >&2; exit 1; }
blkid "$dev" >/dev/null 2>&1 || mkfs.xfs -L dataplat-data "$dev"
mkdir -p ${dataDir}
grep -q '^LABEL=dataplat-data ' /etc/fstab || echo 'LABEL=dataplat-data ${dataDir} xfs defaults,noatime,nofail 0 2' >>/etc/fstab
mountpoint -q ${dataDir} || mount ${dataDir}
chown ${user}:${user} ${dataDir}
`;
    const heap =
        node.heap === "default-heap"
            ? sh`if [ ! -f ${heapFile} ]; then
  mb="$(awk '/^MemTotal:/ { m = int($2 / 2048); if (m > 31744) m = 31744; print m }' /proc/meminfo)"
  printf -- '-Xms%sm\n-Xmx%sm\n' "$mb" "$mb" >${heapFile}
fi
`
            : sh`# The configured heap: the instance tag ${comment(HEAP_TAG)} (IMDSv2, instance metadata tags), set by dataplat.
heap=""
for _ in $(seq 1 60); do
  token="$(curl -fsS -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token || true)"
  [ -n "$token" ] && heap="$(curl -fsS -m 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/tags/instance/${raw(HEAP_TAG)} || true)"
  [ -n "$heap" ] && break
  sleep 5
done
[[ "$heap" =~ ^[1-9][0-9]*[mg]$ ]] || { echo "dataplat: instance tag ${raw(HEAP_TAG)} is missing or not a heap size (got '$heap'): not starting" >&2; exit 1; }
printf -- '-Xms%s\n-Xmx%s\n' "$heap" "$heap" >${heapFile}
`;
    const restartHelper = sh`#!/bin/bash
# ${helper} HEAP: set the JVM heap (e.g. 31g) and restart ${service}. Installed by dataplat.
set -euo pipefail
heap="\${1:-}"
[[ "$heap" =~ ^[1-9][0-9]*[mg]$ ]] || { echo "usage: ${helper} HEAP (e.g. 31g)" >&2; exit 2; }
printf -- '-Xms%s\n-Xmx%s\n' "$heap" "$heap" >${heapFile}
exec systemctl restart ${service}
`;
    // admin.tls: the TLS material and security config, fetched over the instance role (ops/search/security.ts).
    const security = node.security === undefined ? "" : `${node.security.replace(/\n$/, "")}\n`;
    return sh`# ${comment(`dataplat search node ${node.nodeName} (${node.role}) of cluster ${clusterName}: runs once, at first boot.`)}
set -euo pipefail
${raw(volume)}install -d -m 0755 ${raw(l.configDir)}/jvm.options.d
${raw(heredoc((op) => sh`cat >${raw(l.configFile)} ${op}`, `${node.yml.replace(/\n$/, "")}\n`))}chown root:${user} ${raw(l.configFile)} && chmod 0640 ${raw(l.configFile)}
${raw(heap)}${raw(heredoc((op) => sh`cat >${helper} ${op}`, restartHelper))}chmod 0755 ${helper}
echo 'vm.max_map_count=262144' >/etc/sysctl.d/90-dataplat-search.conf
sysctl -q -w vm.max_map_count=262144
${raw(security)}systemctl enable --now ${service}
`;
}
