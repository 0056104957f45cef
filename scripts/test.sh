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
# that is not a test runner (type-check, lint, build). Steps run in lanes side by side, so each
# writes to its own log, printed whole when it finishes (one at a time); its duration is kept
# for the table at the end.
mkdir -p "$results/logs"
step() {
  local name=$1 report=$2; shift 2
  local log="$results/logs/$(tr -c 'a-zA-Z0-9\n' - <<<"$name" | tr -s - | cut -c1-60 | sed 's/-$//').log"
  local started=$SECONDS status
  if "$@" >"$log" 2>&1 </dev/null; then status=passed; else status=failed; fi
  local took=$((SECONDS - started))
  (
    flock 9
    echo; echo "==> $name ($status, $(duration $took))"
    cat "$log"
    echo "$status $report $name" >>"$results/steps"
    printf '%s\t%s\t%s\n' "$took" "$status" "$name" >>"$results/durations"
  ) 9>>"$results/print.lock"
  [ $status = passed ]
}
duration() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
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
# playwright_run REPORT PORT CONFIG ARGS…: one Playwright run with its own report, its own
# output folder and its own ports (the app on PORT, the OpenID provider on PORT+80; specs' extra
# servers take free ports), so runs can go side by side.
playwright_run() {
  local report=$1 port=$2 config=$3; shift 3
  env E2E_PORT="$port" E2E_OIDC_PORT=$((port + 80)) PLAYWRIGHT_JSON_OUTPUT_NAME="$results/$report.json" \
    pnpm exec playwright test -c "$config" --output "e2e/artifacts/test-results-$report" "$@"
}
e2e_port=${E2E_PORT:-3210}

TEST_DATABASE_URL=$(fresh_database rollgate_test)
IMAGE_DATABASE_URL=$(fresh_database rollgate_image)
E2E_DATABASE_URL_1=$(fresh_database rollgate_e2e)
E2E_DATABASE_URL_2=$(fresh_database rollgate_e2e_2)
# The PGlite pass's fresh data folder (playwright.pglite.config.ts seeds it).
export E2E_PGLITE_DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rollgate-e2e-pglite-XXXXXX")
started_all=$SECONDS
echo "==> every step runs in one of three lanes side by side; each step's output follows when it ends"

# Lane 1: the static checks.
checks() {
  step lint - pnpm exec eslint . --max-warnings 0
  step "format (prettier --check; pnpm format fixes it)" - pnpm exec prettier --check --log-level warn .
  # Rollgate's own migrations obey the rule it enforces: a destructive statement only in a file
  # marked `-- rollgate: contract` (docs/migrations.md).
  step "own migrations (rollgate lint --phase from-file)" - node packages/cli/bin/rollgate.js lint --phase from-file packages/db/drizzle/*.sql
  # The Drizzle schema and the migrations agree: every migration has its snapshot and
  # `drizzle-kit generate` finds nothing to write (docs/migrations.md).
  step "schema and migrations agree (pnpm db:check)" - pnpm --silent db:check
  # The web app's type-check reads the route types `next build` writes into .next (and rewrites
  # while it builds): it waits for the build.
  while [ ! -e "$results/build.done" ]; do sleep 1; done
  step typecheck - pnpm exec turbo run typecheck --output-logs=errors-only
}

# Lane 2: every vitest project (unit, database on PGlite and on PostgreSQL, live database).
vitests() {
  step "unit tests" unit vitest_run unit --project unit
  step "database tests on PGlite" db-pglite on_pglite vitest_run db-pglite --project db
  # pg_stat_statements needs shared_preload_libraries: the `live` project's global setup
  # (scripts/stats-cluster.ts) starts a private cluster on port 5440 when none is given.
  step "live-database tests (pg_stat_statements, locks)" live on_pglite vitest_run live --project live
  step "database tests on PostgreSQL" db-postgres on_postgres "$TEST_DATABASE_URL" vitest_run db-postgres --project db
}

# Lane 3: the build, then the browser tests against it. The PostgreSQL pass is split in two
# halves (Playwright's --shard, by file), each with its own server, database and ports, side by
# side; the production image and the PGlite pass follow the first half.
browsers() {
  step build - pnpm --filter @rollgate/web build
  local built=$?
  touch "$results/build.done"
  [ $built = 0 ] || return
  step "first-load JavaScript per route (gzip, 200 KB budget)" - pnpm exec tsx apps/web/scripts/first-load-js.ts --budget-kb 200
  {
    step "browser tests on PostgreSQL (1/2)" e2e-1 on_postgres "$E2E_DATABASE_URL_1" playwright_run e2e-1 "$e2e_port" e2e/playwright.config.ts --shard=1/2
    # The production image without a container engine: what infra/docker/Dockerfile's runtime stage
    # copies (the standalone folder), copied alone into an empty folder outside the workspace; its
    # migration Job and its CMD run there, on PostgreSQL and on PGlite, under the API and sign-in smoke journeys.
    step "production image alone (standalone folder copied alone, PostgreSQL and PGlite)" image on_postgres "$IMAGE_DATABASE_URL" env PLAYWRIGHT_JSON_OUTPUT_NAME="$results/image.json" pnpm exec playwright test -c e2e/playwright.image.config.ts
    # The journeys that cross from the UI to the API (@pglite) again on embedded PGlite, on a fresh seeded data folder.
    step "browser tests on PGlite" e2e-pglite on_pglite playwright_run e2e-pglite $((e2e_port + 60)) e2e/playwright.pglite.config.ts
  } &
  step "browser tests on PostgreSQL (2/2)" e2e-2 on_postgres "$E2E_DATABASE_URL_2" playwright_run e2e-2 $((e2e_port + 30)) e2e/playwright.config.ts --shard=2/2
  wait
}

checks &
vitests &
browsers &
wait
rm -rf "$E2E_PGLITE_DATA_DIR"

echo
echo "Durations (the lanes run side by side; wall time $(duration $((SECONDS - started_all))))"
sort -rn "$results/durations" | while IFS=$'\t' read -r took status name; do
  printf '  %6s  %-7s %s\n' "$(duration "$took")" "$status" "$name"
done
echo
node scripts/tally.mjs "$results"
