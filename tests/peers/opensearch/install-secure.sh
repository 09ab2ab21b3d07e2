#!/usr/bin/env bash
# Installs the OpenSearch distribution that the TLS tests (tests/search/*tls*.test.ts, harness
# tests/search/secure-cluster.ts) run on 127.0.0.1: the integ-test-zip of SECURE_VERSION plus the security plugin
# (org.opensearch.plugin:opensearch-security, zip) from Maven Central, installed with `opensearch-plugin install`.
# Called by install.sh (so `npm run peers` and .ci/run install it too); runs on its own as well:
#
#   bash tests/peers/opensearch/install-secure.sh   # idempotent; prints the install directory last
#
# - Version: tests/peers/opensearch/SECURE_VERSION (override with OPENSEARCH_SECURE_VERSION=...). A plugin must match
#   the engine exactly and the security plugin of the 2.19 line is on Maven Central only as 2.19.4.0, so this is
#   not the VERSION of the plain distribution (install.sh).
# - Download cache: ${XDG_CACHE_HOME:-$HOME/.cache}/dataplat/ (each zip with its .sha512 from Maven Central); a repeated
#   run skips the downloads, a corrupt/partial zip is fetched again.
# - Unpacked to <prefix>/opensearch-<version>-security (prefix /opt/dataplat as root, the cache directory otherwise),
#   readable by the user dataplat-os that install.sh creates; install.sh must have run first (Java 17, curl, unzip).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${OPENSEARCH_SECURE_VERSION:-$(tr -d '[:space:]' < "$here/SECURE_VERSION")}"
plugin_version="$version.0"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/dataplat"
maven="https://repo1.maven.org/maven2/org/opensearch"
engine_url="$maven/distribution/integ-test-zip/opensearch/$version/opensearch-$version.zip"
plugin_url="$maven/plugin/opensearch-security/$plugin_version/opensearch-security-$plugin_version.zip"
engine_zip="$cache/opensearch-integ-test-zip-$version.zip"
plugin_zip="$cache/opensearch-security-$plugin_version.zip"

if [ "$(id -u)" = 0 ]; then prefix="/opt/dataplat"; else prefix="$cache"; fi
home="$prefix/opensearch-$version-security"
marker="$home/.dataplat-installed"

log() { echo "install-secure.sh: $*" >&2; }

for tool in curl unzip sha512sum java; do
  command -v "$tool" >/dev/null 2>&1 || { log "missing: $tool (run tests/peers/opensearch/install.sh first)"; exit 1; }
done

# 1. Downloads (cached, checksum-verified against the .sha512 Maven Central publishes)
verified() { [ -s "$1" ] && [ -s "$1.sha512" ] && echo "$(cut -d' ' -f1 < "$1.sha512")  $1" | sha512sum -c --status -; }
fetch() {
  local url=$1 file=$2
  if verified "$file"; then log "cached: $file"; return; fi
  log "downloading $url"
  curl -fsSL --retry 3 -o "$file.sha512.part" "$url.sha512"
  curl -fSL --retry 3 --progress-bar -o "$file.part" "$url"
  mv "$file.sha512.part" "$file.sha512"
  mv "$file.part" "$file"
  verified "$file" || { log "checksum mismatch for $file"; rm -f "$file" "$file.sha512"; exit 1; }
}
mkdir -p "$cache"
fetch "$engine_url" "$engine_zip"
fetch "$plugin_url" "$plugin_zip"

# 2. Unpack and install the plugin (once per version; the marker names the plugin that was installed)
if [ -x "$home/bin/opensearch" ] && [ "$(cat "$marker" 2>/dev/null)" = "opensearch-security $plugin_version" ]; then
  log "already installed: $home"
else
  mkdir -p "$prefix"
  tmp="$(mktemp -d "$prefix/.unpack.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  unzip -q "$engine_zip" -d "$tmp"
  # The plugin installer runs the engine's launcher scripts, which want a Java home.
  java_home="${OPENSEARCH_JAVA_HOME:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}"
  OPENSEARCH_JAVA_HOME="$java_home" "$tmp/opensearch-$version/bin/opensearch-plugin" install --batch "file://$plugin_zip" >&2
  rm -rf "$home"
  mv "$tmp/opensearch-$version" "$home"
  echo "opensearch-security $plugin_version" >"$marker"
fi

if [ "$(id -u)" = 0 ]; then
  chmod 755 "$prefix"
  chmod -R a+rX "$home"
fi

log "OpenSearch $version with opensearch-security $plugin_version ready"
echo "$home"
