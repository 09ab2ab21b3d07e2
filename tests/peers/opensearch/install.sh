#!/usr/bin/env bash
# Installs the OpenSearch "integ-test-zip" distribution (no bundled JDK, no plugins, plain HTTP) that the
# search integration tests (tests/search/) and the drain benchmark (bench/search/) run on 127.0.0.1.
#
#   bash tests/peers/opensearch/install.sh        # idempotent; prints the install directory last
#
# - Version: tests/peers/opensearch/VERSION (2.19.x: the newest line that runs on Java 17; 3.x needs Java 21).
#   Override with OPENSEARCH_VERSION=...
# - Download cache: ${XDG_CACHE_HOME:-$HOME/.cache}/dataplat/ (zip + sha512 from Maven Central); a repeated run
#   skips the download, a corrupt/partial zip is fetched again.
# - Java 17, curl, unzip: installed with apt-get when missing and we are root.
# - OpenSearch refuses to run as root. As root the distribution is unpacked to /opt/dataplat/ (readable by the
#   dedicated system user "dataplat-os", created here); the test harness runs the nodes as that user.
#   As a normal user it is unpacked under the cache directory and the nodes run as that user.
# - Then runs install-secure.sh: the distribution with the security plugin for the TLS tests (see that script).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${OPENSEARCH_VERSION:-$(tr -d '[:space:]' < "$here/VERSION")}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dataplat"
run_user="dataplat-os"
base="https://repo1.maven.org/maven2/org/opensearch/distribution/integ-test-zip/opensearch/$version"
zip="$cache/opensearch-integ-test-zip-$version.zip"

if [ "$(id -u)" = 0 ]; then prefix="/opt/dataplat"; else prefix="$cache"; fi
home="$prefix/opensearch-$version"

log() { echo "install.sh: $*" >&2; }

java_major() {
  local j="${1:-java}"
  command -v "$j" >/dev/null 2>&1 || { echo 0; return; }
  "$j" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

# 1. Java 17+, curl, unzip
missing=()
[ "$(java_major)" -ge 17 ] || missing+=(openjdk-17-jre-headless)
for tool in curl unzip; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})"; exit 1
  fi
fi

# 2. Download (cached, checksum-verified)
mkdir -p "$cache"
verify() { [ -s "$zip" ] && [ -s "$zip.sha512" ] && echo "$(cut -d' ' -f1 < "$zip.sha512")  $zip" | sha512sum -c --status -; }
if verify; then
  log "cached: $zip"
else
  log "downloading OpenSearch $version integ-test-zip from Maven Central"
  curl -fsSL --retry 3 -o "$zip.sha512.part" "$base/opensearch-$version.zip.sha512"
  curl -fSL --retry 3 --progress-bar -o "$zip.part" "$base/opensearch-$version.zip"
  mv "$zip.sha512.part" "$zip.sha512"
  mv "$zip.part" "$zip"
  verify || { log "checksum mismatch for $zip"; rm -f "$zip" "$zip.sha512"; exit 1; }
fi

# 3. Unpack (once per version)
if [ -x "$home/bin/opensearch" ] && [ -f "$home/.dataplat-installed" ]; then
  log "already unpacked: $home"
else
  mkdir -p "$prefix"
  tmp="$(mktemp -d "$prefix/.unpack.XXXXXX")"
  unzip -q "$zip" -d "$tmp"
  rm -rf "$home"
  mv "$tmp/opensearch-$version" "$home"
  rm -rf "$tmp"
  touch "$home/.dataplat-installed"
fi

# 4. Dedicated user when root (OpenSearch refuses to run as root)
if [ "$(id -u)" = 0 ]; then
  if ! id -u "$run_user" >/dev/null 2>&1; then
    log "creating system user $run_user"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$run_user"
  fi
  chmod 755 "$prefix"
  chmod -R a+rX "$home"
fi

log "OpenSearch $version ready (java $(java_major))"

# 5. The distribution of the TLS tests: SECURE_VERSION with the security plugin (its own script, its own directory).
#    Skipped when OPENSEARCH_VERSION is overridden (installing another plain version only).
if [ -z "${OPENSEARCH_VERSION:-}" ]; then bash "$here/install-secure.sh" >/dev/null; fi
echo "$home"
