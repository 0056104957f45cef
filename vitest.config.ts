import path from "node:path";
import { defineConfig } from "vitest/config";
import { PGLITE_TEMPLATE } from "./scripts/pglite-template.ts";

// The web app's own import alias, for database tests that drive its server actions.
const web = { alias: { "@": path.resolve(import.meta.dirname, "apps/web/src") } };
// Throwaway PGlite databases start from one dump of initdb's output instead of running it again.
const pgliteTemplate = {
  globalSetup: ["./scripts/pglite-template.ts"],
  env: { ROLLGATE_PGLITE_TEMPLATE: PGLITE_TEMPLATE },
};

// Two projects: pure unit tests, and database tests (`*.int.test.ts`) that run against
// PostgreSQL when DATABASE_URL is set and against embedded PGlite otherwise.
export default defineConfig({
  test: {
    projects: [
      {
        // The alias lets unit tests render the web app's components (they import `@/lib/…`).
        resolve: web,
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/web/src/**/*.test.ts",
            "apps/web/scripts/**/*.test.ts",
            "infra/test/**/*.test.ts",
            "tooling/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/*.live.test.ts", "**/node_modules/**"],
          ...pgliteTemplate,
          // Some start a process, a PGlite cluster or ESLint's whole configuration (1–5 s alone);
          // CI runs this project beside the build and the browsers on two cores, where vitest's
          // 5 s default failed three of them. Speed is measured by the benches, not here.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        resolve: web,
        test: {
          name: "db",
          include: [
            "packages/*/src/**/*.int.test.ts",
            "packages/*/test/**/*.int.test.ts",
            "apps/web/src/**/*.int.test.ts",
          ],
          exclude: ["**/*.live.test.ts", "**/node_modules/**"],
          ...pgliteTemplate,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: web,
        test: {
          // Tests that need the live statistics of a real server (pg_stat_statements) and its
          // locks: `rollgate inspect`, the lock-safe executor, observed manifests.
          name: "live",
          include: ["packages/*/src/**/*.live.test.ts", "apps/web/src/**/*.live.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./scripts/stats-cluster.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
