/**
 * The repair step for released Kraken (origin.kraken: released), which has no repair endpoint: Kraken removed
 * origin repair in May 2018 ("origin can always refresh data automatically"). It reaches the runbook's end
 * state, every blob on exactly its owners and no stale copy left, with the routes released Kraken has
 * (origin/blobserver/server.go):
 *
 * 1. Inventory. Origins have no route that lists their store, so the blobs come from the namespace's storage
 *    backend listing (`origin.inventory.listUrl`, e.g. Kraken's testfs `GET /list/<root>`; any JSON array of
 *    names whose sha256 hex digests are the blobs). Only blobs of the shards whose owner set changed are
 *    touched: the shard-targeted plan (ShardMovement) decides which.
 * 2. Ring check. `GET /blobs/sha256:<d>/locations` on every origin must name exactly the owners computed here
 *    (members `host:port`, in rank order): the new ring is live everywhere and agrees with our placement.
 * 3. Fill. On each owner that lacks the blob (`HEAD /internal/namespace/<ns>/blobs/sha256:<d>?local=true`
 *    answers 404), `GET /namespace/<ns>/blobs/sha256:<d>` makes it download the blob from the backend and
 *    replicate it to the other owners (blobrefresh + localReplicationHook); poll until it holds it. A 404 (not
 *    in the backend), any other error or a timeout fails the update naming the blob and the origin.
 * 4. Cleanup. Every origin found holding a copy it no longer owns gets `POST /forcecleanup?ttl_hr=<100 years>`:
 *    Kraken deletes the files the origin does not own by its ring (after syncing any pending write-back), and
 *    with that ttl nothing else. Before it, that origin's ring view is checked again; after it, every owner
 *    must still hold the blob and no non-owner may: otherwise the update fails, naming the blob and origin.
 *
 * Pure: the plan and the script text. The script runs where `pulumi up` runs, as a local command.
 */
import { heredoc, int, raw, sh } from "../shared/shell";
import type { Hashstate } from "./hashstate";
import type { ShardMovement } from "./repair";

/** One changed shard: its owners after the change, ranked, and the origins of `next` that held it before and no longer own it. */
export interface FillShard {
    readonly shard: string;
    readonly owners: readonly string[];
    readonly stale: readonly string[];
}

export interface FillPlan {
    readonly shards: readonly FillShard[];
    /** Origins of `next` that lose shards and so will hold stale copies to clean up, in config order. */
    readonly cleanup: readonly string[];
}

/** The fill-and-cleanup plan for released Kraken from the shard movement (computed on the ring Kraken computes). */
export function fillPlan(next: Hashstate, movement: ShardMovement): FillPlan {
    const shards: FillShard[] = [];
    const losing = new Set<string>();
    for (const [shard, { before, after }] of [...movement.changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const stale = before.filter((h) => next[h] !== undefined && !after.includes(h));
        stale.forEach((h) => losing.add(h));
        shards.push({ shard, owners: after, stale });
    }
    return { shards, cleanup: Object.keys(next).filter((h) => losing.has(h)) };
}

/** An origin as the fill script reaches it. */
export interface FillOrigin {
    readonly host: string;
    /** Its ring member address, `host:port`, as Kraken's /locations names it. */
    readonly member: string;
    /** Where to call it, `http://<address>:<port>`. */
    readonly url: string;
}

export interface FillScriptOptions {
    /** Every origin of the new ring, in config order. */
    readonly origins: readonly FillOrigin[];
    readonly plan: FillPlan;
    /** The Kraken namespace whose backend holds the blobs (matched by the origins' `backends[].namespace`). */
    readonly namespace: string;
    /** The backend listing (a JSON array of blob names). */
    readonly listUrl: string;
    /** Limit for filling one blob on one origin, and for the ring to agree, in seconds. */
    readonly timeoutSeconds: number;
}

/** Forcecleanup ttl: 100 years, so only files an origin does not own are deleted, never by age. */
export const CLEANUP_TTL_HOURS = 876000;

const URL_RE = /^https?:\/\/[A-Za-z0-9._~:/?=&%+-]+$/;
const MEMBER_RE = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const NAMESPACE_RE = /^[A-Za-z0-9._/-]+$/;

/** The bash script (read on stdin) that fills and cleans the changed shards. */
export function fillScript(o: FillScriptOptions): string {
    if (!Number.isSafeInteger(o.timeoutSeconds) || o.timeoutSeconds < 1) throw new Error(`invalid timeout ${o.timeoutSeconds}`);
    if (!URL_RE.test(o.listUrl)) throw new Error(`invalid inventory listUrl ${JSON.stringify(o.listUrl)}`);
    if (!NAMESPACE_RE.test(o.namespace)) throw new Error(`invalid namespace ${JSON.stringify(o.namespace)}`);
    const index = new Map(o.origins.map((x, i) => [x.host, i]));
    for (const x of o.origins) {
        if (!MEMBER_RE.test(x.member)) throw new Error(`invalid member ${JSON.stringify(x.member)}`);
        if (!URL_RE.test(x.url)) throw new Error(`invalid origin url ${JSON.stringify(x.url)}`);
    }
    const table = o.plan.shards.map((s) => {
        if (!/^[0-9a-f]{4}$/.test(s.shard)) throw new Error(`invalid shard ${s.shard}`);
        return `${s.shard} ${s.owners
            .map((h) => {
                const i = index.get(h);
                if (i === undefined) throw new Error(`owner ${h} of shard ${s.shard} is not an origin`);
                return i;
            })
            .join(",")}\n`;
    });
    const ns = encodeURIComponent(o.namespace);
    return sh`set -euo pipefail
list_url=${o.listUrl}
ns=${ns}
timeout=${int(o.timeoutSeconds)}
members=(${o.origins.map((x) => x.member)})
urls=(${o.origins.map((x) => x.url)})
declare -A owners=()
${raw(heredoc((op) => sh`while read -r shard idx; do owners[$shard]="$idx"; done ${op}`, table.join(""), "DATAPLAT_SHARDS_EOF"))}work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "origin repair: $*" >&2; exit 1; }
# present <origin index> <digest>: 0 held locally, 1 not held, 2 could not tell
present() {
  local code
  code="$(curl --silent --head --output /dev/null --write-out '%{http_code}' --max-time 30 \
    "\${urls[$1]}/internal/namespace/\${ns}/blobs/sha256:$2?local=true")" || return 2
  case "$code" in 200) return 0 ;; 404) return 1 ;; *) return 2 ;; esac
}
# expect_ring <digest> <expected member list>: every origin's /locations names exactly the expected owners
expect_ring() {
  local d="$1" want="$2" deadline=$((SECONDS + timeout)) i got
  for i in "\${!urls[@]}"; do
    while :; do
      got="$(curl --silent --show-error --fail --max-time 30 --dump-header - --output /dev/null "\${urls[$i]}/blobs/sha256:\${d}/locations" \
        | tr -d '\r' | sed -n 's/^[Oo]rigin-[Ll]ocations: *//p')" || got='(no answer)'
      [ "$got" = "$want" ] && break
      if [ "$SECONDS" -ge "$deadline" ]; then
        fail "blob \${d}: origin \${members[$i]} places it on \${got:-nothing}, expected \${want}: the new ring is not live on every origin; nothing was deleted"
      fi
      echo "origin repair: waiting for \${members[$i]} to place \${d} on \${want} (has \${got:-nothing}; $((deadline - SECONDS))s left)" >&2
      sleep 2
    done
  done
}
# fill <origin index> <digest>: the origin reads the blob from the backend (and replicates it to the other owners)
fill() {
  local i="$1" d="$2" code rc deadline=$((SECONDS + timeout))
  if present "$i" "$d"; then return 0; fi
  rc=0
  code="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 60 "\${urls[$i]}/namespace/\${ns}/blobs/sha256:\${d}")" || rc=$?
  case "$code" in
    200 | 202) ;;
    404) fail "blob \${d} cannot be filled on origin \${members[$i]}: the backend of namespace \${ns} does not have it (HTTP 404)" ;;
    *) fail "blob \${d} cannot be filled on origin \${members[$i]}: GET answered HTTP \${code:-none} (curl exit \${rc})" ;;
  esac
  while :; do
    rc=0
    present "$i" "$d" || rc=$?
    [ "$rc" -eq 0 ] && return 0
    [ "$rc" -eq 2 ] && fail "blob \${d}: cannot tell whether origin \${members[$i]} holds it (HEAD failed); stopping"
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "blob \${d} cannot be filled on origin \${members[$i]}: not there \${timeout}s after the read (backend error? see the origin log)"
    fi
    sleep 1
  done
}

echo "origin repair: listing the blobs of namespace \${ns} (\${list_url})" >&2
curl --silent --show-error --fail --max-time 300 --output "$work/list" "$list_url" || fail "cannot list the blobs at \${list_url}; nothing was filled or deleted"
[ "$(tr -d ' \t\r\n' < "$work/list" | head -c 1)" = '[' ] || fail "the listing at \${list_url} is not a JSON array; nothing was filled or deleted"
{ grep -oE '[0-9a-f]{64}' "$work/list" || true; } | sort -u > "$work/all"
: > "$work/affected"
while read -r d; do
  if [ -n "\${owners[\${d:0:4}]+set}" ]; then echo "$d" >> "$work/affected"; fi
done < "$work/all"
total="$(wc -l < "$work/affected")"
echo "origin repair: $(wc -l < "$work/all") blobs listed, \${total} in the \${#owners[@]} shards whose owners changed" >&2
declare -A dirty=()
n=0
while read -r d; do
  n=$((n + 1))
  IFS=, read -r -a own <<< "\${owners[\${d:0:4}]}"
  want=''
  for i in "\${own[@]}"; do want="\${want:+$want,}\${members[$i]}"; done
  expect_ring "$d" "$want"
  for i in "\${own[@]}"; do fill "$i" "$d"; done
  for i in "\${!urls[@]}"; do
    case ",\${owners[\${d:0:4}]}," in *",$i,"*) continue ;; esac
    rc=0
    present "$i" "$d" || rc=$?
    [ "$rc" -eq 2 ] && fail "blob \${d}: cannot tell whether origin \${members[$i]} holds a stale copy; nothing was deleted"
    if [ "$rc" -eq 0 ]; then dirty[$i]=1; fi
  done
  echo "origin repair: filled \${n}/\${total} \${d} on \${want}" >&2
done < "$work/affected"
for i in "\${!urls[@]}"; do
  [ -n "\${dirty[$i]+set}" ] || continue
  # Its ring view again right before it deletes what it does not own.
  while read -r d; do
    IFS=, read -r -a own <<< "\${owners[\${d:0:4}]}"
    want=''
    for j in "\${own[@]}"; do want="\${want:+$want,}\${members[$j]}"; done
    got="$(curl --silent --show-error --fail --max-time 30 --dump-header - --output /dev/null "\${urls[$i]}/blobs/sha256:\${d}/locations" \
      | tr -d '\r' | sed -n 's/^[Oo]rigin-[Ll]ocations: *//p')" || got='(no answer)'
    [ "$got" = "$want" ] || fail "origin \${members[$i]} places \${d} on \${got:-nothing}, expected \${want}; not cleaning it up"
  done < "$work/affected"
  echo "origin repair: cleaning up stale copies on \${members[$i]} (POST /forcecleanup)" >&2
  curl --silent --show-error --fail --max-time 600 --request POST --output "$work/cleanup" "\${urls[$i]}/forcecleanup?ttl_hr=${int(CLEANUP_TTL_HOURS)}" \
    || fail "cleanup on origin \${members[$i]} failed"
  if ! tr -d ' \n' < "$work/cleanup" | grep -qE '"errors":(null|\[\])'; then
    fail "cleanup on origin \${members[$i]} reported errors: $(cat "$work/cleanup")"
  fi
  echo "origin repair: \${members[$i]} deleted $(grep -oE '[0-9a-f]{64}' "$work/cleanup" | wc -l) stale blob(s)" >&2
done
# The end state, blob by blob: on every owner, on no other origin.
while read -r d; do
  for i in "\${!urls[@]}"; do
    rc=0
    present "$i" "$d" || rc=$?
    [ "$rc" -eq 2 ] && fail "blob \${d}: cannot tell whether origin \${members[$i]} holds it"
    case ",\${owners[\${d:0:4}]}," in
      *",$i,"*) [ "$rc" -eq 0 ] || fail "blob \${d} is missing on its owner \${members[$i]} after the cleanup" ;;
      *) [ "$rc" -eq 1 ] || fail "blob \${d} is still on \${members[$i]}, which does not own it" ;;
    esac
  done
done < "$work/affected"
echo "origin repair: \${total} blob(s) of the changed shards are on exactly their owners" >&2
`;
}
