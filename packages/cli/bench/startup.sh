#!/usr/bin/env bash
# Start-up of the packed CLI, as a pipeline in another repository runs it: the tarball from
# scripts/pack.mjs installed into an empty folder outside the workspace. Prints hyperfine's
# table and the machine's load beside it (the numbers are only comparable at similar load).
# Usage: bash packages/cli/bench/startup.sh [--runs N]
set -euo pipefail
runs=20
[[ "${1:-}" == "--runs" ]] && runs="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install -y hyperfine)" >&2; exit 2; }

tarball="$(node "$here/scripts/pack.mjs")"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "$tarball")
printf "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\nALTER TABLE users DROP COLUMN email;\n" >"$dir/one.sql"
bin="$dir/node_modules/.bin/rollgate"

echo "node $(node --version), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 3 --runs "$runs" -N -i --export-markdown "$dir/table.md" \
  -n "node -e 0 (the floor)" "node -e 0" \
  -n "rollgate --help (packed)" "$bin --help" \
  -n "rollgate lint one.sql (packed)" "$bin lint $dir/one.sql --phase expand" \
  -n "rollgate --help (monorepo, tsx)" "node $here/bin/rollgate.js --help" \
  -n "rollgate lint one.sql (monorepo, tsx)" "node $here/bin/rollgate.js lint $dir/one.sql --phase expand" >&2
cat "$dir/table.md"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tarball: $(du -k "$tarball" | cut -f1) KiB packed, $(du -sk "$dir/node_modules" | cut -f1) KiB installed"
