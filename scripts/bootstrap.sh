# Sourced by demo.sh and test.sh: makes pnpm and the locked dependencies available on a
# machine that has only Node and npm.
set -euo pipefail
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
PNPM_VERSION=10.34.9

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "==> installing pnpm $PNPM_VERSION (corepack cannot verify registry signatures here)"
  npm install --global --silent "pnpm@$PNPM_VERSION"
fi

echo "==> installing dependencies from the lockfile"
pnpm install --frozen-lockfile --reporter=silent
