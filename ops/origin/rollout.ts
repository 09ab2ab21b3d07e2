/**
 * The rolling restart of the runbook ("run a rolling restart through all origin servers to get the
 * configuration picked up"), as the exact script each origin runs: write the new hashstate, restart
 * the origin, and wait until it answers its health check. A timeout or an unhealthy origin exits
 * non-zero, which stops the update before the next origin is touched and before any repair.
 */
import { stringify } from "yaml";
import { heredoc, int, raw, sh } from "../shared/shell";
import type { Hashstate } from "./hashstate";

export interface OriginRolloutOptions {
    readonly hashstate: Hashstate;
    readonly replicas: number;
    readonly port: number;
    /** Where the origin reads its hashstate (rendered as the runbook's `hashstate:` map). */
    readonly configPath: string;
    /** systemd unit of the origin server. */
    readonly serviceName: string;
    /** Path answered with 2xx by a healthy origin. */
    readonly healthPath: string;
    readonly timeoutSeconds: number;
}

/** The hashstate document every origin is given: the same bytes on every origin. */
export function hashstateDocument(hashstate: Hashstate, replicas: number): string {
    return stringify({ hashstate, replicas });
}

const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;
const SAFE_UNIT = /^[A-Za-z0-9@._-]+$/;

export function originRolloutScript(o: OriginRolloutOptions): string {
    if (!SAFE_PATH.test(o.configPath)) throw new Error(`invalid config path ${JSON.stringify(o.configPath)}`);
    if (!SAFE_PATH.test(o.healthPath) && o.healthPath !== "/") throw new Error(`invalid health path ${JSON.stringify(o.healthPath)}`);
    if (!SAFE_UNIT.test(o.serviceName)) throw new Error(`invalid service name ${JSON.stringify(o.serviceName)}`);
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new Error(`invalid port ${o.port}`);
    if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1) throw new Error(`invalid timeout ${o.timeoutSeconds}`);
    const doc = hashstateDocument(o.hashstate, o.replicas);
    const dir = o.configPath.slice(0, o.configPath.lastIndexOf("/")) || "/";
    // The service name and health path are checked above: plain words, written bare inside messages.
    const service = raw(o.serviceName);
    return sh`set -euo pipefail
config=${o.configPath}
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
${raw(heredoc((op) => sh`cat > "$tmp" ${op}`, `${doc.trimEnd()}\n`, "DATAPLAT_HASHSTATE_EOF"))}sudo install -d -m 0755 ${dir}
sudo install -m 0644 "$tmp" "$config"
echo "origin $(hostname): hashstate written to $config; restarting ${service}" >&2
sudo systemctl restart ${o.serviceName}
deadline=$((SECONDS + ${int(o.timeoutSeconds)}))
until curl --silent --fail --max-time 5 -o /dev/null ${`http://127.0.0.1:${o.port}${o.healthPath}`}; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "origin $(hostname): not healthy within ${int(o.timeoutSeconds)}s after the restart; stopping the rollout" >&2
    exit 1
  fi
  echo "origin $(hostname): waiting for ${raw(o.healthPath)} ($((deadline - SECONDS))s left)" >&2
  sleep 2
done
echo "origin $(hostname): healthy" >&2`;
}

// ---------------------------------------------------------------------------
// Released Kraken (origin.kraken: released)

export interface ReleasedRolloutOptions {
    readonly hashstate: Hashstate;
    readonly replicas: number;
    readonly port: number;
    /** The origin this script runs on (a hashstate host): its health is checked at its ring address. */
    readonly host: string;
    /** The file the origin is started with (`--config`). */
    readonly configPath: string;
    /** The rest of the origin's configuration, which the rendered file `extends` (relative: next to it). */
    readonly baseConfig: string;
    readonly serviceName: string;
    readonly healthPath: string;
    readonly timeoutSeconds: number;
}

/**
 * What released Kraken reads for its ring (origin/cmd/config.go, loaded by utils/configutil, which deep-merges
 * the `extends` chain and ignores unknown keys): `cluster.static`, every origin's `host:port` in hashstate
 * order, and `hashring.max_replica`. The same bytes on every origin.
 */
export function clusterDocument(hashstate: Hashstate, replicas: number, port: number, baseConfig: string): string {
    return (
        "# Written by dataplat (origin.kraken: released). Kraken's ring: cluster.static and hashring.max_replica.\n" +
        stringify({ extends: baseConfig, cluster: { static: Object.keys(hashstate).map((h) => `${h}:${port}`) }, hashring: { max_replica: replicas } })
    );
}

const SAFE_CONFIG = /^[A-Za-z0-9._/-]+$/;
const SAFE_HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/**
 * The rolling-restart step on one origin of released Kraken: write the ring file, restart the origin, and wait
 * until it answers its health check at its ring address (`host:port`, the address the other origins use).
 */
export function releasedRolloutScript(o: ReleasedRolloutOptions): string {
    if (!SAFE_PATH.test(o.configPath)) throw new Error(`invalid config path ${JSON.stringify(o.configPath)}`);
    if (!SAFE_CONFIG.test(o.baseConfig)) throw new Error(`invalid base config ${JSON.stringify(o.baseConfig)}`);
    if (!SAFE_PATH.test(o.healthPath) && o.healthPath !== "/") throw new Error(`invalid health path ${JSON.stringify(o.healthPath)}`);
    if (!SAFE_UNIT.test(o.serviceName)) throw new Error(`invalid service name ${JSON.stringify(o.serviceName)}`);
    if (!SAFE_HOST.test(o.host) || o.hashstate[o.host] === undefined) throw new Error(`invalid origin host ${JSON.stringify(o.host)}`);
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new Error(`invalid port ${o.port}`);
    if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1) throw new Error(`invalid timeout ${o.timeoutSeconds}`);
    const doc = clusterDocument(o.hashstate, o.replicas, o.port, o.baseConfig);
    const dir = o.configPath.slice(0, o.configPath.lastIndexOf("/")) || "/";
    // The host, port, service name and health path are checked above: plain words, written bare inside messages.
    const member = raw(`${o.host}:${o.port}`);
    return sh`set -euo pipefail
config=${o.configPath}
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
${raw(heredoc((op) => sh`cat > "$tmp" ${op}`, `${doc.trimEnd()}\n`, "DATAPLAT_CLUSTER_EOF"))}sudo install -d -m 0755 ${dir}
sudo install -m 0644 "$tmp" "$config"
echo "origin ${member}: cluster.static and hashring.max_replica written to $config; restarting ${raw(o.serviceName)}" >&2
sudo systemctl restart ${o.serviceName}
deadline=$((SECONDS + ${int(o.timeoutSeconds)}))
until curl --silent --fail --max-time 5 -o /dev/null ${`http://${member}${o.healthPath}`}; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "origin ${member}: not healthy within ${int(o.timeoutSeconds)}s after the restart; stopping the rollout" >&2
    exit 1
  fi
  echo "origin ${member}: waiting for ${raw(o.healthPath)} ($((deadline - SECONDS))s left)" >&2
  sleep 2
done
echo "origin ${member}: healthy" >&2`;
}

/** The ring file's path: configured, or the target's default. */
export function originConfigPath(target: "released" | "runbook", configured: string | undefined): string {
    return configured ?? (target === "runbook" ? "/etc/kraken/origin/hashstate.yaml" : "/etc/kraken/origin/cluster.yaml");
}
