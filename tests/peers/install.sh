#!/usr/bin/env bash
# Installs the real peers the integration tests run against (each installer is idempotent and caches
# its downloads under ${XDG_CACHE_HOME:-~/.cache}/dataplat). `npm run peers` calls this.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for installer in "$here"/*/install.sh; do
  [ -e "$installer" ] || continue
  echo "-- $(basename "$(dirname "$installer")")"
  bash "$installer"
done
