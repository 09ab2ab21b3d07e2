#!/usr/bin/env bash
# Installs actionlint (a Go module) for tests/preflight, which lints .github/workflows with it. Uses the Go
# toolchain on PATH or /usr/local/go/bin/go; installs into $(go env GOPATH)/bin (usually ~/go/bin), where the
# test looks. Idempotent.
set -euo pipefail
version=v1.7.12
if command -v actionlint >/dev/null 2>&1 || [[ -x "${GOBIN:-$HOME/go/bin}/actionlint" ]]; then
  echo "actionlint is already installed" >&2
  exit 0
fi
go=$(command -v go || true)
if [[ -z $go && -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go; fi
if [[ -z $go ]]; then
  echo "actionlint needs Go to install: install Go (https://go.dev/dl/), then run this again" >&2
  exit 1
fi
"$go" install "github.com/rhysd/actionlint/cmd/actionlint@$version"
echo "installed actionlint $version into $("$go" env GOPATH)/bin" >&2
