#!/usr/bin/env bash
# Installs OpenSSH's server (Debian's openssh-server) for the preflight's SSH tests, which run their own
# sshd -D on a loopback port with a host key and authorized_keys in a temp dir (tests/peers/sshd/harness.ts).
# Only the binary is needed: the package's own service is left stopped. Idempotent.
set -euo pipefail
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
if [[ -x /usr/sbin/sshd ]]; then
  echo "sshd is already installed" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show openssh-server >/dev/null 2>&1; then
  echo "apt-get update (openssh-server not in the package lists yet)" >&2
  as_root apt-get update
fi
# policy-rc.d 101: the package's postinst must not start a system sshd on port 22.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
  trap 'as_root rm -f "$policy"' EXIT
fi
as_root apt-get install -y --no-install-recommends openssh-server openssh-client
/usr/sbin/sshd -V 2>&1 | head -1 >&2 || true
echo "installed openssh-server" >&2
