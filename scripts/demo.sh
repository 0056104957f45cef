#!/usr/bin/env bash
# `npm run demo`: the dashboard with demo data on embedded PGlite (no database server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
unset DATABASE_URL
export ROLLGATE_DATA_DIR="${ROLLGATE_DATA_DIR:-$PWD/.rollgate/pglite}"

echo "==> seeding demo data into $ROLLGATE_DATA_DIR (kept if already there)"
pnpm --silent db:seed --if-empty
echo "==> building the dashboard"
pnpm --filter @rollgate/web build >/dev/null
# The demo keeps the development key for webhook secrets and signs sessions with a key kept
# in the data folder; never do this in production.
export ROLLGATE_ALLOW_DEV_SECRET_KEY=1
secret_file=.rollgate/nextauth-secret
[ -s "$secret_file" ] || node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" >"$secret_file"
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-$(cat "$secret_file")}"
export NEXTAUTH_URL="${NEXTAUTH_URL:-http://127.0.0.1:${PORT:-3000}}"
export ROLLGATE_CREDENTIALS_LOGIN="${ROLLGATE_CREDENTIALS_LOGIN:-1}"
# The overview as a read-only wallboard without sign-in; everything else still needs it.
export ROLLGATE_PUBLIC_WALLBOARD="${ROLLGATE_PUBLIC_WALLBOARD:-1}"
echo "==> Rollgate is starting on http://127.0.0.1:${PORT:-3000}"
HOSTNAME=127.0.0.1 PORT="${PORT:-3000}" exec node --max-old-space-size=384 --max-semi-space-size=32 --v8-pool-size=1 apps/web/.next/standalone/apps/web/server.js
