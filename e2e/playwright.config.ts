import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";
import { SERVER_NODE_ARGS } from "./support/app-server.ts";

// Browser tests drive Debian's Chromium (Playwright's own download cannot work offline)
// against the built standalone server on the database in DATABASE_URL, seeded first.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.E2E_PORT ?? 3210);
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3290);
// The tests create API tokens in the database, so they share the server's secret key; the
// same for the session secret (a second server in a test signs cookies with it) and the metrics token.
process.env.ROLLGATE_SECRET_KEY ??= "e2e-only-secret-key-not-for-production";
export const NEXTAUTH_SECRET = (process.env.NEXTAUTH_SECRET ??= "e2e-only-nextauth-secret-not-for-production");
export const METRICS_TOKEN = (process.env.ROLLGATE_METRICS_TOKEN ??= "e2e-only-metrics-token-for-prometheus");
export const artifactsDir = path.join(root, "e2e", "artifacts");

export default defineConfig({
  testDir: "tests",
  outputDir: path.join(artifactsDir, "test-results"),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [
    ["list"],
    ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? path.join(artifactsDir, "report.json") }],
  ],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // Journeys tagged @pglite run in their own pass on embedded PGlite (playwright.pglite.config.ts).
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] }, grepInvert: /@pglite/ }],
  webServer: [
    {
      // A real OpenID provider for sign-in tests.
      command: `pnpm exec tsx e2e/support/oidc-server.ts`,
      cwd: root,
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: { OIDC_PORT: String(oidcPort), APP_URL: `http://127.0.0.1:${port}` },
    },
    {
      command: `pnpm --silent db:seed --if-empty && node ${SERVER_NODE_ARGS.join(" ")} apps/web/.next/standalone/apps/web/server.js`,
      cwd: root,
      url: `http://127.0.0.1:${port}/api/ready`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: {
        HOSTNAME: "127.0.0.1",
        PORT: String(port),
        NODE_ENV: "production",
        ROLLGATE_RATE_LIMIT_PER_MINUTE: "100000",
        // Every answer under /api is checked against the schema its endpoint declares (server/api/serve.ts).
        ROLLGATE_CHECK_ANSWERS: "1",
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        NEXTAUTH_SECRET,
        ROLLGATE_METRICS_TOKEN: METRICS_TOKEN,
        ROLLGATE_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
        ROLLGATE_OIDC_CLIENT_ID: "rollgate-e2e",
        ROLLGATE_OIDC_CLIENT_SECRET: "rollgate-e2e-client-secret",
        ROLLGATE_OIDC_NAME: "Test SSO",
        ROLLGATE_CREDENTIALS_LOGIN: "1",
        ROLLGATE_ADMIN_EMAILS: "first.admin@example.com",
        // The specs' fake Prometheus, GitHub and webhook receivers listen on 127.0.0.1.
        ROLLGATE_ALLOW_PRIVATE_DESTINATIONS: "1",
      },
    },
  ],
});
