#!/usr/bin/env bash
# Installs the real Kraken origin the origin-cluster tests run against (tests/peers/kraken/harness.ts):
#   - Kraken's origin and its testfs storage backend, built from the Go module proxy: a wrapper module that
#     requires github.com/uber/kraken at the version in ./VERSION and builds github.com/uber/kraken/origin
#     and github.com/uber/kraken/tools/bin/testfs (cgo: sqlite3 needs gcc);
#   - Debian's nginx-light (Kraken's origin runs /usr/sbin/nginx itself, in front of its blob server).
# Idempotent. Everything is cached under ${XDG_CACHE_HOME:-~/.cache}/dataplat/kraken: the module cache, the
# build cache and the binaries keyed by Kraken version and Go version, so a second install only checks.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(tr -d '[:space:]' < "$here/VERSION")"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dataplat/kraken"
go_bin="${DATAPLAT_GO:-$(command -v go || echo /usr/local/go/bin/go)}"
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

missing=()
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v gcc >/dev/null || missing+=(gcc)
command -v curl >/dev/null || missing+=(curl)
command -v unshare >/dev/null && command -v nsenter >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
if (( ${#missing[@]} > 0 )); then
  if [[ $EUID -ne 0 ]] && ! sudo -n true 2>/dev/null; then
    echo "kraken peer: missing ${missing[*]}; run this as root (it installs them with apt-get) or install them yourself" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    echo "kraken peer: apt-get update (${missing[*]} not in the package lists yet)" >&2
    as_root apt-get update -qq
  fi
  echo "kraken peer: apt-get install ${missing[*]}" >&2
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x "$go_bin" ]]; then
  echo "kraken peer: no Go toolchain (looked for go on PATH and /usr/local/go/bin/go; set DATAPLAT_GO)" >&2
  exit 1
fi
go_version="$("$go_bin" env GOVERSION)"
bin="$cache/bin/kraken-$version-$go_version"
if [[ -x "$bin/kraken-origin" && -x "$bin/kraken-testfs" ]]; then
  echo "kraken peer: Kraken $version ($go_version) already built in $bin" >&2
  exit 0
fi

start=$SECONDS
mod="$cache/module-$version"
mkdir -p "$mod" "$cache/gomod" "$cache/gocache" "$bin.tmp"
cat > "$mod/go.mod" <<GOMOD
module dataplat.local/krakenpeer

go 1.22

require github.com/uber/kraken $version
GOMOD
cat > "$mod/tools.go" <<'GOFILE'
//go:build tools

// Package tools pins the Kraken commands the tests build.
package tools

import (
	_ "github.com/uber/kraken/origin"
	_ "github.com/uber/kraken/tools/bin/testfs"
)
GOFILE
export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS=-mod=mod CGO_ENABLED=1 GOTOOLCHAIN=local
cd "$mod"
echo "kraken peer: resolving github.com/uber/kraken@$version through the Go module proxy" >&2
"$go_bin" mod tidy >/dev/null 2>&1 || "$go_bin" get "github.com/uber/kraken@$version"
echo "kraken peer: building Kraken's origin and testfs ($go_version; cold builds take about 2 minutes on 2 cores)" >&2
"$go_bin" build -o "$bin.tmp/kraken-origin" github.com/uber/kraken/origin 2> >(grep -v -e 'sqlite3' -e '^ *|' -e 'warning:' -e 'note:' -e '^#' >&2 || true)
"$go_bin" build -o "$bin.tmp/kraken-testfs" github.com/uber/kraken/tools/bin/testfs
rm -rf "$bin"
mv "$bin.tmp" "$bin"
echo "kraken peer: Kraken $version built in $bin in $((SECONDS - start))s" >&2
