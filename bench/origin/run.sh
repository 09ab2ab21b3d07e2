#!/usr/bin/env bash
# Placement throughput of ops/origin (TypeScript) against Kraken's own lib/hrw (Go module github.com/uber/kraken,
# built from bench/origin/go), same machine, same keys; then moved fraction vs theoretical minimum.
# Usage: bench/origin/run.sh [--keys N] [--rounds N] [--moved-keys N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building the Kraken lib/hrw baseline (bench/origin/go)..." >&2
(cd "$here/go" && go build -o "$work/krakenhrw" .)

echo "compiling ops/origin and the benchmark..." >&2
cat > "$work/tsconfig.json" <<JSON
{"extends": "$root/tsconfig.json",
 "compilerOptions": {"outDir": "$work/dist", "rootDir": "$root", "typeRoots": ["$root/node_modules/@types"]},
 "include": ["$root/ops/origin/**/*.ts", "$root/bench/origin/**/*.ts"]}
JSON
node "$root/node_modules/typescript/bin/tsc" -p "$work/tsconfig.json"

vectors="$root/tests/fixtures/kraken-hrw/vectors.json"
args=(--go-bin "$work/krakenhrw")
[ -f "$vectors" ] && args+=(--vectors "$vectors")
node "$work/dist/bench/origin/placement.js" "${args[@]}" "$@"
