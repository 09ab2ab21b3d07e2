#!/usr/bin/env bash
# Installs supervisor (PyPI's `supervisor`: supervisord and supervisorctl) into a venv under ~/.cache/dataplat for
# the emergency tests, which start their own supervisord with stand-in programs (tests/peers/supervisor/harness.ts).
# supervisord and supervisorctl are linked into /usr/local/bin, where a host's login shell finds them (the scripts
# run `supervisorctl` over ssh, as on the runbook's hosts). Idempotent: an existing venv with a working supervisord
# is kept.
set -euo pipefail
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
venv="${DATAPLAT_SUPERVISOR_VENV:-$HOME/.cache/dataplat/supervisor-venv}"
link() { for b in supervisord supervisorctl; do as_root ln -sfn "$venv/bin/$b" "/usr/local/bin/$b"; done; }
if [[ -x "$venv/bin/supervisord" ]] && "$venv/bin/supervisord" --version >/dev/null 2>&1; then
  link
  echo "supervisor $("$venv/bin/supervisord" --version) is already installed in $venv" >&2
  exit 0
fi
python=$(command -v python3.11 || command -v python3) || { echo "python3 is not installed" >&2; exit 1; }
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet 'supervisor>=4.2,<5'
link
echo "installed supervisor $("$venv/bin/supervisord" --version) in $venv" >&2
