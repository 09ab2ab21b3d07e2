#!/usr/bin/env bash
# Installs the real peers the integration tests run against (each installer is idempotent and caches
# its downloads under ${XDG_CACHE_HOME:-~/.cache}/dataplat). `npm run peers` calls this.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck: every script the program registers must pass it (tests/scripts).
if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "-- shellcheck (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  else
    echo "shellcheck is missing: install it (apt-get install shellcheck) and run this again" >&2
    exit 1
  fi
fi
for installer in "$here"/*/install.sh; do
  [ -e "$installer" ] || continue
  echo "-- $(basename "$(dirname "$installer")")"
  bash "$installer"
done
