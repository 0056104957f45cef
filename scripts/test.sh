#!/usr/bin/env bash
# `npm test`: every check Rollgate has — type-check, lint, unit tests, the database tests on
# embedded PGlite and again on PostgreSQL, the production build and its JavaScript budget, the
# build copied alone as the image runs it, and the browser tests (on PostgreSQL, and the
# UI-to-API journeys again on PGlite) —
# then one closing line `N passed, N failed` over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
source scripts/ensure-postgres.sh
set +e

results="$PWD/.rollgate/test-results"
rm -rf "$results" && mkdir -p "$results"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "==> installing Chromium with apt (Playwright's own download cannot work offline)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! command -v kubectl >/dev/null 2>&1; then
  echo "==> installing kubectl (Debian's kubernetes-client) to render the Kubernetes manifests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null
fi

if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/prometheus-alertmanager ]; then
  echo "==> installing Prometheus and Alertmanager (Debian's packages) for the SLO-source and alerting browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus prometheus-alertmanager >/dev/null
fi

# step NAME REPORT COMMAND…: REPORT is the runner's JSON report name, or - for a check
# that is not a test runner (type-check, lint, build).
step() {
  local name=$1 report=$2; shift 2
  echo; echo "==> $name"
  if "$@"; then echo "passed $report $name" >>"$results/steps"; else echo "failed $report $name" >>"$results/steps"; fi
}
vitest_run() {
  local report=$1; shift
  pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$results/$report.json" "$@"
}
fresh_database() {
  pnpm --silent --filter @rollgate/db exec tsx src/bin/fresh-database.ts "$PG_ADMIN_URL" "$1"
}
# The same database tests, once on embedded PGlite and once on PostgreSQL.
on_pglite() { (unset DATABASE_URL; "$@"); }
on_postgres() {
  [ -n "$1" ] || { echo "PostgreSQL is not available: no database was created" >&2; return 1; }
  (export DATABASE_URL=$1; shift; "$@")
}

step typecheck - pnpm exec turbo run typecheck --output-logs=errors-only
step lint - pnpm exec eslint . --max-warnings 0
step "format (prettier --check; pnpm format fixes it)" - pnpm exec prettier --check --log-level warn .
# Rollgate's own migrations obey the rule it enforces: a destructive statement only in a file
# marked `-- rollgate: contract` (docs/migrations.md).
step "own migrations (rollgate lint --phase from-file)" - node packages/cli/bin/rollgate.js lint --phase from-file packages/db/drizzle/*.sql
# The Drizzle schema and the migrations agree: every migration has its snapshot and
# `drizzle-kit generate` finds nothing to write (docs/migrations.md).
step "schema and migrations agree (pnpm db:check)" - pnpm --silent db:check
step "unit tests" unit vitest_run unit --project unit
step "database tests on PGlite" db-pglite on_pglite vitest_run db-pglite --project db
# pg_stat_statements needs shared_preload_libraries: the `live` project's global setup
# (scripts/stats-cluster.ts) starts a private cluster on port 5440 when none is given.
step "live-database tests (pg_stat_statements, locks)" live on_pglite vitest_run live --project live
TEST_DATABASE_URL=$(fresh_database rollgate_test)
step "database tests on PostgreSQL" db-postgres on_postgres "$TEST_DATABASE_URL" vitest_run db-postgres --project db
step build - pnpm --filter @rollgate/web build
step "first-load JavaScript per route (gzip, 200 KB budget)" - pnpm exec tsx apps/web/scripts/first-load-js.ts --budget-kb 200
# The production image without a container engine: what infra/docker/Dockerfile's runtime stage
# copies (the standalone folder), copied alone into an empty folder outside the workspace; its
# migration Job and its CMD run there, on PostgreSQL and on PGlite, under the API and sign-in smoke journeys.
IMAGE_DATABASE_URL=$(fresh_database rollgate_image)
step "production image alone (standalone folder copied alone, PostgreSQL and PGlite)" image on_postgres "$IMAGE_DATABASE_URL" env PLAYWRIGHT_JSON_OUTPUT_NAME="$results/image.json" pnpm exec playwright test -c e2e/playwright.image.config.ts
E2E_DATABASE_URL=$(fresh_database rollgate_e2e)
step "browser tests on PostgreSQL" e2e on_postgres "$E2E_DATABASE_URL" env PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e.json" pnpm exec playwright test -c e2e/playwright.config.ts
# The journeys that cross from the UI to the API (@pglite) again on embedded PGlite, on a fresh seeded data folder.
E2E_PGLITE_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-e2e-pglite-XXXXXX")
step "browser tests on PGlite" e2e-pglite on_pglite env E2E_PGLITE_DATA_DIR="$E2E_PGLITE_DATA_DIR" PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e-pglite.json" pnpm exec playwright test -c e2e/playwright.pglite.config.ts
rm -rf "$E2E_PGLITE_DATA_DIR"

echo
node scripts/tally.mjs "$results"
