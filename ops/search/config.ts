// A search node's first-boot script (its user data), as searchNodeSpecs (ops/search/specs.ts) renders it. The
// schema, node roles, opensearch.yml, layout, identity and specs live in their own files next to this one.

import { SEARCH_RESTART_HELPER } from "./commands";
import { HEAP_TAG, UserDataFormat } from "./boot";
import { DATA_VOLUME_DEVICE, engineLayout } from "./layout";
import type { SearchNodeRole } from "./nodes";
import type { SearchClusterConfig } from "./schema";

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
 */
export function renderNodeUserData(
  c: SearchClusterConfig,
  node: { nodeName: string; role: SearchNodeRole; yml: string; dataVolume: boolean; heap: UserDataFormat; security?: string },
): string {
  const l = engineLayout(c);
  if (node.yml.split("\n").includes("DATAPLAT_EOF")) throw new Error("rendered config contains the heredoc terminator");
  const volume = node.dataVolume
    ? [
        "# Data volume (encrypted EBS): the first EBS disk that is not the root disk, formatted once, mounted by label.",
        'root_src="$(findmnt -no SOURCE /)"',
        'root_disk="$(lsblk -no PKNAME "$root_src" | head -n1)"',
        '[ -n "$root_disk" ] || root_disk="$(basename "$root_src")"',
        'dev=""',
        "for _ in $(seq 1 60); do",
        `  for link in ${DATA_VOLUME_DEVICE} ${DATA_VOLUME_DEVICE.replace("/sd", "/xvd")} /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_*; do`,
        '    [ -b "$link" ] || continue',
        '    case "$link" in *-part*) continue ;; esac',
        '    d="$(readlink -f "$link")"',
        '    [ "$(basename "$d")" = "$root_disk" ] && continue',
        '    dev="$d"; break',
        "  done",
        '  [ -n "$dev" ] && break',
        "  sleep 5",
        "done",
        '[ -n "$dev" ] || { echo "dataplat: data volume not found" >&2; exit 1; }',
        'blkid "$dev" >/dev/null 2>&1 || mkfs.xfs -L dataplat-data "$dev"',
        `mkdir -p ${l.dataDir}`,
        `grep -q '^LABEL=dataplat-data ' /etc/fstab || echo 'LABEL=dataplat-data ${l.dataDir} xfs defaults,noatime,nofail 0 2' >>/etc/fstab`,
        `mountpoint -q ${l.dataDir} || mount ${l.dataDir}`,
        `chown ${l.user}:${l.user} ${l.dataDir}`,
      ]
    : [];
  const heapFile = `${l.configDir}/jvm.options.d/dataplat-heap.options`;
  return [
    `# dataplat search node ${node.nodeName} (${node.role}) of cluster ${c.clusterName}: runs once, at first boot.`,
    "set -euo pipefail",
    ...volume,
    `install -d -m 0755 ${l.configDir}/jvm.options.d`,
    `cat >${l.configFile} <<'DATAPLAT_EOF'`,
    node.yml.replace(/\n$/, ""),
    "DATAPLAT_EOF",
    `chown root:${l.user} ${l.configFile} && chmod 0640 ${l.configFile}`,
    ...(node.heap === "default-heap"
      ? [
          `if [ ! -f ${heapFile} ]; then`,
          "  mb=\"$(awk '/^MemTotal:/ { m = int($2 / 2048); if (m > 31744) m = 31744; print m }' /proc/meminfo)\"",
          `  printf -- '-Xms%sm\\n-Xmx%sm\\n' "$mb" "$mb" >${heapFile}`,
          "fi",
        ]
      : [
          `# The configured heap: the instance tag ${HEAP_TAG} (IMDSv2, instance metadata tags), set by dataplat.`,
          'heap=""',
          "for _ in $(seq 1 60); do",
          "  token=\"$(curl -fsS -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token || true)\"",
          `  [ -n "$token" ] && heap="$(curl -fsS -m 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/tags/instance/${HEAP_TAG} || true)"`,
          '  [ -n "$heap" ] && break',
          "  sleep 5",
          "done",
          `[[ "$heap" =~ ^[1-9][0-9]*[mg]$ ]] || { echo "dataplat: instance tag ${HEAP_TAG} is missing or not a heap size (got '$heap'): not starting" >&2; exit 1; }`,
          `printf -- '-Xms%s\\n-Xmx%s\\n' "$heap" "$heap" >${heapFile}`,
        ]),
    `cat >${SEARCH_RESTART_HELPER} <<'DATAPLAT_EOF'`,
    "#!/bin/bash",
    `# ${SEARCH_RESTART_HELPER} HEAP: set the JVM heap (e.g. 31g) and restart ${l.service}. Installed by dataplat.`,
    "set -euo pipefail",
    'heap="${1:-}"',
    `[[ "$heap" =~ ^[1-9][0-9]*[mg]$ ]] || { echo "usage: ${SEARCH_RESTART_HELPER} HEAP (e.g. 31g)" >&2; exit 2; }`,
    `printf -- '-Xms%s\\n-Xmx%s\\n' "$heap" "$heap" >${heapFile}`,
    `exec systemctl restart ${l.service}`,
    "DATAPLAT_EOF",
    `chmod 0755 ${SEARCH_RESTART_HELPER}`,
    "echo 'vm.max_map_count=262144' >/etc/sysctl.d/90-dataplat-search.conf",
    "sysctl -q -w vm.max_map_count=262144",
    // admin.tls: the TLS material and security config, fetched over the instance role (ops/search/security.ts).
    ...(node.security !== undefined ? [node.security.replace(/\n$/, "")] : []),
    `systemctl enable --now ${l.service}`,
    "",
  ].join("\n");
}
