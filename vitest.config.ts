import path from "node:path";
import { defineConfig } from "vitest/config";

// The web app's own import alias, for database tests that drive its server actions.
const web = { alias: { "@": path.resolve(import.meta.dirname, "apps/web/src") } };

// Two projects: pure unit tests, and database tests (`*.int.test.ts`) that run against
// PostgreSQL when DATABASE_URL is set and against embedded PGlite otherwise.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/web/src/**/*.test.ts", "apps/web/scripts/**/*.test.ts", "infra/test/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        resolve: web,
        test: {
          name: "db",
          include: ["packages/*/src/**/*.int.test.ts", "packages/*/test/**/*.int.test.ts", "apps/web/src/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
