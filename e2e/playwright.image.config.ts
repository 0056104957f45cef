import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";
import base from "./playwright.config";
import type { ImageOptions } from "./image/image-fixture";

// The production image without a container engine: the runtime stage of infra/docker/Dockerfile
// copied alone (its COPY lines) into an empty folder outside the workspace, its migration Job and
// its CMD run there with its ENV, once on PostgreSQL (DATABASE_URL) and once on embedded PGlite
// (a temp data folder), and the API and sign-in smoke journeys run against it (image/*.spec.ts).
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.E2E_IMAGE_PORT ?? 3260);

export default defineConfig<ImageOptions>({
  ...base,
  testDir: "image",
  outputDir: path.join(root, "e2e", "artifacts", "test-results-image"),
  reporter: [
    ["list"],
    [
      "json",
      {
        outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? path.join(root, "e2e", "artifacts", "report-image.json"),
      },
    ],
  ],
  webServer: undefined,
  projects: [
    {
      name: "image-postgres",
      use: { ...devices["Desktop Chrome"], database: "postgres", baseURL: `http://127.0.0.1:${port}` },
    },
    {
      name: "image-pglite",
      use: { ...devices["Desktop Chrome"], database: "pglite", baseURL: `http://127.0.0.1:${port + 1}` },
    },
  ],
});
