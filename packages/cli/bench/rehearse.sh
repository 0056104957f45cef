#!/usr/bin/env bash
# `rollgate rehearse` as a whole process (issue 29's acceptance: 2,000 statements against a
# 300-table schema in at most 10 s): the packed CLI from scripts/pack.mjs installed outside the
# workspace, and the workspace's CLI through tsx beside it. Prints hyperfine's table and the
# machine's load (the numbers are only comparable at similar load).
# Usage: bash packages/cli/bench/rehearse.sh [--runs N]
set -euo pipefail
runs=5
[[ "${1:-}" == "--runs" ]] && runs="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install -y hyperfine)" >&2; exit 2; }

tarball="$(node "$here/scripts/pack.mjs")"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "$tarball")
node "$here/bench/rehearse-files.mjs" "$dir/files" >/dev/null
f="$dir/files"
args="rehearse --expand $f/expand.sql --contract $f/contract.sql --migrations $f/migrations --statements $f/statements.sql --format json"
bin="$dir/node_modules/.bin/rollgate"
"$bin" $args >"$dir/report.json" || true
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`verdict ${r.verdict}, exit ${r.exit_code}:`, JSON.stringify(r.counts), `engine ${r.duration_ms} ms`)' "$dir/report.json"

echo "node $(node --version), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# -i: the rehearsal exits 1 (it finds the contract's proofs), which hyperfine counts as a failure.
hyperfine --warmup 1 --runs "$runs" -N -i --export-markdown "$dir/table.md" \
  -n "rollgate rehearse, 2,000 statements, 300 tables (packed)" "$bin $args" \
  -n "rollgate rehearse, 2,000 statements, 300 tables (monorepo, tsx)" "node $here/bin/rollgate.js $args" >&2
cat "$dir/table.md"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
