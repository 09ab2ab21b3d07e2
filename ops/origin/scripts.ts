/**
 * The bash script of one repair step: `repairScript` (see there). Written with the shell toolkit (ops/shared/shell.ts);
 * ops/origin/repair.ts decides which repairs run, in which order.
 */
import { int, raw, sh } from "../shared/shell";
import { DEFAULT_REPAIR_PATH, DEFAULT_SHARD_REPAIR_PATH } from "./repair";

export interface RepairScriptOptions {
    /** Origin host name (or IPv4 address) to call. */
    readonly host: string;
    /** Origin blob server port. */
    readonly port: number;
    /** Full repair path; default `/repair`. Ignored when `shards` is given. */
    readonly path?: string;
    /** Shard ids to repair one by one with `POST <shardPath>/<id>` instead of a full repair. */
    readonly shards?: readonly string[];
    /** Shard repair path prefix; default `/repair/shard`. */
    readonly shardPath?: string;
    /** Limit for each HTTP call, in seconds. */
    readonly timeoutSeconds: number;
    /** How long to keep retrying while the origin refuses connections (e.g. still restarting); default 120. */
    readonly connectRetrySeconds?: number;
}

const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const PATH_RE = /^\/[A-Za-z0-9._~/-]*$/;
const SHARD_RE = /^[0-9a-f]{4}$/;

function positiveInt(name: string, v: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!Number.isSafeInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer in 1..${max}, got ${v}`);
    return v;
}

/**
 * The bash script a command resource runs for one repair step. It calls the
 * origin with curl (`--fail-with-body`, `--max-time`), retries only while the
 * connection is refused (curl exit 7, "couldn't connect") and only for
 * `connectRetrySeconds`, prints progress to stderr, and exits non-zero on any
 * HTTP error or when the origin's answer reports a failed item
 * (`"success":false`, the repairer's per-blob message), so that a failed
 * repair stops the update.
 */
export function repairScript(options: RepairScriptOptions): string {
    const { host, shards } = options;
    if (!HOST_RE.test(host)) throw new Error(`invalid origin host ${JSON.stringify(host)}`);
    const port = positiveInt("port", options.port, 65535);
    const timeout = positiveInt("timeoutSeconds", options.timeoutSeconds);
    const window = positiveInt("connectRetrySeconds", options.connectRetrySeconds ?? 120);
    const path = options.path ?? DEFAULT_REPAIR_PATH;
    const shardPath = (options.shardPath ?? DEFAULT_SHARD_REPAIR_PATH).replace(/\/+$/, "");
    for (const [name, p] of [
        ["path", path],
        ["shardPath", shardPath],
    ]) {
        if (!PATH_RE.test(p)) throw new Error(`invalid ${name} ${JSON.stringify(p)}`);
    }
    for (const s of shards ?? []) {
        if (!SHARD_RE.test(s)) throw new Error(`invalid shard id ${JSON.stringify(s)}: expected 4 lowercase hex digits`);
    }

    const repairs =
        shards === undefined
            ? sh`repair ${path} 1/1
`
            : sh`shards=(${shards.map(raw)})
total=\${#shards[@]}
i=0
for shard in "\${shards[@]}"; do
  i=$((i + 1))
  repair ${`${shardPath}/`}"$shard" "$i/$total"
done
echo "origin repair: \${total} shard(s) repaired on \${host}:\${port}" >&2
`;
    return sh`set -euo pipefail
host=${host}
port=${int(port)}
timeout=${int(timeout)}
connect_window=${int(window)}
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
repair() {
  local path="$1" step="$2" rc code
  local deadline=$((SECONDS + connect_window))
  while :; do
    rc=0
    code="$(curl --silent --show-error --fail-with-body --request POST --max-time "$timeout" --connect-timeout 10 \
      --output "$body" --write-out '%{http_code}' "http://\${host}:\${port}\${path}")" || rc=$?
    if [ "$rc" -eq 7 ] && [ "$SECONDS" -lt "$deadline" ]; then
      echo "origin repair \${step}: \${host}:\${port} refused the connection; retrying for $((deadline - SECONDS))s more" >&2
      sleep 2
      continue
    fi
    break
  done
  if [ "$rc" -ne 0 ]; then
    echo "origin repair \${step}: POST \${path} on \${host}:\${port} failed (curl exit \${rc}, HTTP \${code:-none})" >&2
    cat "$body" >&2 || true
    return 1
  fi
  if grep -q '"success":false' "$body"; then
    echo "origin repair \${step}: POST \${path} on \${host}:\${port} reported failed items:" >&2
    grep '"success":false' "$body" >&2
    return 1
  fi
  echo "origin repair \${step}: POST \${path} on \${host}:\${port} done (HTTP \${code}, $(grep -c . "$body" || true) messages)" >&2
}
${raw(repairs)}`;
}
