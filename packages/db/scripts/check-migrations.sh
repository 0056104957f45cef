#!/usr/bin/env bash
# `pnpm db:check`: the Drizzle schema and the committed migrations agree (docs/migrations.md).
# Fails when
# - a migration in the journal has no SQL file or no drizzle-kit snapshot, or the snapshots do
#   not chain (each one's prevId is the previous migration's id);
# - `drizzle-kit check` finds a malformed or colliding snapshot;
# - `drizzle-kit generate`, run on a copy of the folder, would write a migration: the schema
#   declares something the migrations do not create (or the reverse).
set -euo pipefail
cd "$(dirname "$0")/.."

node --input-type=module - <<'JS'
import fs from "node:fs";
const journal = JSON.parse(fs.readFileSync("drizzle/meta/_journal.json", "utf8"));
let prev = "00000000-0000-0000-0000-000000000000";
const problems = [];
for (const { tag } of journal.entries) {
  if (!fs.existsSync(`drizzle/${tag}.sql`)) problems.push(`${tag}: drizzle/${tag}.sql is missing`);
  const file = `drizzle/meta/${tag.split("_")[0]}_snapshot.json`;
  if (!fs.existsSync(file)) {
    problems.push(`${tag}: ${file} is missing (write migrations with \`pnpm db:generate\`, which writes the snapshot too)`);
    continue;
  }
  const snapshot = JSON.parse(fs.readFileSync(file, "utf8"));
  if (snapshot.prevId !== prev) problems.push(`${tag}: ${file} follows ${snapshot.prevId}, not the previous snapshot ${prev}`);
  prev = snapshot.id;
}
for (const file of fs.readdirSync("drizzle/meta")) {
  const m = /^(\d+)_snapshot\.json$/.exec(file);
  if (m && !journal.entries.some((e) => e.tag.split("_")[0] === m[1])) problems.push(`drizzle/meta/${file} belongs to no migration in the journal`);
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${journal.entries.length} migrations, each with its snapshot, in one chain`);
JS

pnpm exec drizzle-kit check --dialect postgresql --out drizzle

copy=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-db-check-XXXXXX")
trap 'rm -rf "$copy"' EXIT
cp -r drizzle/. "$copy"
before=$(ls -R "$copy")
# The options of drizzle.config.ts (drizzle-kit takes no --out beside --config). It prefixes "./"
# to --out: give it a path relative to this folder.
output=$(pnpm exec drizzle-kit generate --dialect postgresql --schema ./src/schema/index.ts --casing snake_case \
  --out "$(realpath --relative-to=. "$copy")" 2>&1 </dev/null) || { echo "$output"; exit 1; }
# Without a terminal drizzle-kit exits 0 on a question (a rename?) having written nothing: only
# its own words count as agreement.
if [ "$(ls -R "$copy")" != "$before" ] || ! grep -q "No schema changes, nothing to migrate" <<<"$output"; then
  grep -v -E '^[a-z_]+ [0-9]+ columns [0-9]+ indexes [0-9]+ fks$' <<<"$output" | tail -n 30
  for f in "$copy"/*.sql; do [ -e "drizzle/$(basename "$f")" ] || { echo "--- drizzle-kit would write $(basename "$f"):"; cat "$f"; echo; }; done
  echo "The Drizzle schema (src/schema) and the migrations (drizzle/) disagree: add the migration (pnpm db:generate) or fix the schema." >&2
  exit 1
fi
echo "drizzle-kit generate: the schema and the migrations agree"
