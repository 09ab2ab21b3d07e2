#!/usr/bin/env bash
# Installs the command-line tools the backup tests use (Debian packages): shellcheck (every registered
# script is checked), faketime (a backup host or recovery host whose clock is off, via libfaketime),
# inotify-tools (a file that changes while tar reads it), jq (the README's quickstart pipes synth to jq). Idempotent: installs only what is missing.
set -euo pipefail
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v faketime >/dev/null || missing+=(faketime)
command -v inotifywait >/dev/null || missing+=(inotify-tools)
command -v jq >/dev/null || missing+=(jq)
if (( ${#missing[@]} == 0 )); then
  echo "shellcheck, faketime, inotify-tools and jq are already installed" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
  echo "apt-get update (${missing[*]} not in the package lists yet)" >&2
  as_root apt-get update
fi
as_root apt-get install -y --no-install-recommends "${missing[@]}"
echo "installed ${missing[*]}" >&2
