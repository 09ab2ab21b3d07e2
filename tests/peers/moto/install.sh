#!/usr/bin/env bash
# Installs moto's S3-compatible server and the aws CLI into a virtualenv cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/dataplat/peers-venv for the integration tests. Idempotent:
# each package is installed only when its command is missing from the venv.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/dataplat/peers-venv"
python=${PYTHON:-python3}
if [[ ! -x "$venv/bin/python" ]]; then
  echo "creating $venv" >&2
  mkdir -p "$(dirname "$venv")"
  if ! "$python" -m venv "$venv"; then
    # Debian's system python needs python3-venv for ensurepip.
    rm -rf "$venv"
    as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends python3-venv
    "$python" -m venv "$venv"
  fi
fi
if [[ ! -x "$venv/bin/moto_server" ]]; then
  echo "pip install moto[server] into $venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]'
fi
if [[ ! -x "$venv/bin/aws" ]]; then
  echo "pip install awscli into $venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check awscli
fi
"$venv/bin/moto_server" --help >/dev/null
"$venv/bin/aws" --version >&2
