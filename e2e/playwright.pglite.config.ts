import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import base, { artifactsDir } from "./playwright.config";

// The demo journeys again on embedded PGlite: the server starts without DATABASE_URL on a
// fresh, seeded data folder, and everything the tests do goes through the UI and the API
// (the server holds the folder's lock, so nothing else may open it). Runs the specs tagged @pglite.
const dataDir = (process.env.E2E_PGLITE_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "rollgate-e2e-pglite-")));
const [oidc, app] = base.webServer as NonNullable<Extract<typeof base.webServer, unknown[]>>;

export default defineConfig({
  ...base,
  outputDir: path.join(artifactsDir, "test-results-pglite"),
  reporter: [
    ["list"],
    ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? path.join(artifactsDir, "report-pglite.json") }],
  ],
  projects: [{ ...base.projects![0]!, name: "chromium-pglite", grep: /@pglite/, grepInvert: undefined }],
  webServer: [oidc!, { ...app!, env: { ...app!.env, DATABASE_URL: "", ROLLGATE_DATA_DIR: dataDir } }],
});
