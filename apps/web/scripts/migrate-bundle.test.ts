import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { bundleMigrator } from "./bundle-migrator.mjs";

// The migration Job's command, `node apps/web/migrate.mjs`, run from the standalone folder's root
// (the image's /app) while the server runs in apps/web: bundled as assemble-standalone.mjs
// bundles it (bundle-migrator.mjs), in a folder laid out as the standalone one, with no settings but PATH.
const web = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = realpathSync(mkdtempSync(path.join(tmpdir(), "rollgate-migrate-bundle-")));
const server = path.join(root, "apps", "web");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the standalone migrator", () => {
  it("finding datadir: run from /app, it finds the migrations beside it and migrates the folder the server (in apps/web) opens", async () => {
    mkdirSync(server, { recursive: true });
    cpSync(path.join(web, "..", "..", "packages", "db", "drizzle"), path.join(server, "drizzle"), { recursive: true });
    writeFileSync(path.join(server, "server.js"), "");
    // PGlite stays outside the bundle; the build copies it into the folder, here it is linked.
    symlinkSync(path.join(web, "node_modules"), path.join(server, "node_modules"));
    await bundleMigrator(path.join(server, "migrate.mjs"), { logLevel: "silent" });
    const { stdout } = await promisify(execFile)(process.execPath, ["apps/web/migrate.mjs"], {
      cwd: root,
      env: { PATH: process.env.PATH },
    });
    expect(stdout).toContain("migrations applied (pglite)");
    expect(existsSync(path.join(server, ".rollgate", "pglite", "PG_VERSION"))).toBe(true);
    expect(existsSync(path.join(root, ".rollgate"))).toBe(false);
  }, 60_000);
});
