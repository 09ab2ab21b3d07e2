#!/usr/bin/env bash
# Installs PostgreSQL (Debian package `postgresql`) for the integration tests. Idempotent: does
# nothing when a server (initdb) is already installed. The tests start their own throwaway cluster
# (see harness.ts); they do not use the package's default cluster.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "postgresql is already installed: $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -1)" >&2
  exit 0
fi
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show postgresql >/dev/null 2>&1; then
  echo "apt-get update (postgresql is not in the package lists yet)" >&2
  as_root apt-get update
fi
as_root apt-get install -y --no-install-recommends postgresql
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || { echo "postgresql installed but no initdb found" >&2; exit 1; }
echo "postgresql installed" >&2
