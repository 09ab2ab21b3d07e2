/**
 * The rolling restart of the runbook ("run a rolling restart through all origin servers to get the
 * configuration picked up"), as the exact script each origin runs: write the new hashstate, restart
 * the origin, and wait until it answers its health check. A timeout or an unhealthy origin exits
 * non-zero, which stops the update before the next origin is touched and before any repair.
 */
import { stringify } from "yaml";
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

const SAFE_PATH = /^\/[A-Za-z0-9._\/-]+$/;
const SAFE_UNIT = /^[A-Za-z0-9@._-]+$/;

export function originRolloutScript(o: OriginRolloutOptions): string {
    if (!SAFE_PATH.test(o.configPath)) throw new Error(`invalid config path ${JSON.stringify(o.configPath)}`);
    if (!SAFE_PATH.test(o.healthPath) && o.healthPath !== "/") throw new Error(`invalid health path ${JSON.stringify(o.healthPath)}`);
    if (!SAFE_UNIT.test(o.serviceName)) throw new Error(`invalid service name ${JSON.stringify(o.serviceName)}`);
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new Error(`invalid port ${o.port}`);
    if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1) throw new Error(`invalid timeout ${o.timeoutSeconds}`);
    const doc = hashstateDocument(o.hashstate, o.replicas);
    if (doc.includes("DATAPLAT_HASHSTATE_EOF")) throw new Error("hashstate contains the heredoc terminator");
    const dir = o.configPath.slice(0, o.configPath.lastIndexOf("/")) || "/";
    return [
        "set -euo pipefail",
        `config='${o.configPath}'`,
        'tmp="$(mktemp)"',
        "trap 'rm -f \"$tmp\"' EXIT",
        "cat > \"$tmp\" <<'DATAPLAT_HASHSTATE_EOF'",
        doc.trimEnd(),
        "DATAPLAT_HASHSTATE_EOF",
        `sudo install -d -m 0755 '${dir}'`,
        'sudo install -m 0644 "$tmp" "$config"',
        `echo "origin $(hostname): hashstate written to $config; restarting ${o.serviceName}" >&2`,
        `sudo systemctl restart '${o.serviceName}'`,
        `deadline=$((SECONDS + ${o.timeoutSeconds}))`,
        `until curl --silent --fail --max-time 5 -o /dev/null 'http://127.0.0.1:${o.port}${o.healthPath}'; do`,
        '  if [ "$SECONDS" -ge "$deadline" ]; then',
        `    echo "origin $(hostname): not healthy within ${o.timeoutSeconds}s after the restart; stopping the rollout" >&2`,
        "    exit 1",
        "  fi",
        `  echo "origin $(hostname): waiting for ${o.healthPath} ($((deadline - SECONDS))s left)" >&2`,
        "  sleep 2",
        "done",
        `echo "origin $(hostname): healthy" >&2`,
    ].join("\n");
}
