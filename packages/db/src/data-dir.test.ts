import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

// Without ROLLGATE_DATA_DIR, every Rollgate process of one installation must open the same
// embedded database, whichever folder it was started from and wherever it moves to: the image's
// server changes directory to apps/web, its migration Job runs from /app.
const packageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const checkout = path.join(packageDir, "..", "..");
const tsx = path.join(packageDir, "node_modules", ".bin", "tsx");
const envModule = pathToFileURL(path.join(packageDir, "src", "env.ts")).href;
const temp = realpathSync(mkdtempSync(path.join(tmpdir(), "rollgate-data-dir-")));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function file(relative: string, text = "") {
  const target = path.join(temp, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  return target;
}

/** A program at `relative` that prints the absolute folder PGlite would open with no settings. */
function program(relative: string): string {
  return file(
    relative,
    `import path from "node:path";
import { readDbEnv } from ${JSON.stringify(envModule)};
process.stdout.write(path.resolve(readDbEnv({}).ROLLGATE_DATA_DIR));
`,
  );
}

async function dataDirOf(script: string, cwd: string): Promise<string> {
  mkdirSync(cwd, { recursive: true });
  const { stdout } = await promisify(execFile)(tsx, [script], { cwd, env: { PATH: process.env.PATH } });
  return stdout;
}

/** The standalone server's folder as the build assembles it (apps/web of the image's /app). */
function standalone(root: string) {
  file(`${root}/apps/web/server.js`);
  file(`${root}/apps/web/migrate.mjs`);
  file(`${root}/apps/web/drizzle/meta/_journal.json`, "{}");
  return { server: program(`${root}/apps/web/print-server.ts`), migrator: program(`${root}/apps/web/print-job.ts`) };
}

describe("the default embedded data folder", () => {
  it("finding datadir: the image's server (in apps/web) and its migration Job (in /app) open the same folder, from anywhere", async () => {
    const image = standalone("image");
    const expected = path.join(temp, "image", "apps", "web", ".rollgate", "pglite");
    const seen = await Promise.all([
      dataDirOf(image.migrator, path.join(temp, "image")),
      dataDirOf(image.server, path.join(temp, "image", "apps", "web")),
      dataDirOf(image.server, path.join(temp, "elsewhere")),
    ]);
    expect(seen).toEqual([expected, expected, expected]);
  });

  it("finding datadir: in a checkout, pnpm db:migrate (packages/db), the CLI (root) and the built server share the checkout's folder", async () => {
    file("checkout/packages/cli/bin/rollgate.js");
    file("checkout/packages/db/drizzle/meta/_journal.json", "{}");
    const migrate = program("checkout/packages/db/src/bin/print-migrate.ts");
    const cli = program("checkout/packages/cli/print-cli.ts");
    const built = standalone("checkout/apps/web/.next/standalone");
    const expected = path.join(temp, "checkout", ".rollgate", "pglite");
    const seen = await Promise.all([
      dataDirOf(migrate, path.join(temp, "checkout", "packages", "db")),
      dataDirOf(cli, path.join(temp, "checkout")),
      dataDirOf(built.server, path.join(temp, "checkout", "apps", "web", ".next", "standalone", "apps", "web")),
      dataDirOf(built.server, path.join(temp, "elsewhere")),
    ]);
    expect(seen).toEqual([expected, expected, expected, expected]);
  });

  it("finding datadir: a program outside any Rollgate folder (the packed CLI) finds the installation it is run in, else uses its working directory", async () => {
    const packed = program("global/lib/node_modules/rollgate/print-packed.ts");
    standalone("image2");
    const seen = await Promise.all([
      dataDirOf(packed, path.join(temp, "image2", "apps", "web")),
      dataDirOf(packed, path.join(temp, "project")),
    ]);
    expect(seen).toEqual([
      path.join(temp, "image2", "apps", "web", ".rollgate", "pglite"),
      path.join(temp, "project", ".rollgate", "pglite"),
    ]);
  });

  it("finding datadir: this checkout's default is its root's .rollgate/pglite, wherever a command is run", async () => {
    const cli = path.join(checkout, "packages", "cli", "bin", "rollgate.js");
    const { defaultDataDir } = await import("./data-dir.ts");
    for (const cwd of [checkout, packageDir, path.join(checkout, "apps", "web"), tmpdir()])
      expect(defaultDataDir({ program: cli, cwd })).toBe(path.join(checkout, ".rollgate", "pglite"));
  });

  it("finding datadir: ROLLGATE_DATA_DIR, when set, is used as given", async () => {
    const { readDbEnv } = await import("./env.ts");
    expect(readDbEnv({ ROLLGATE_DATA_DIR: "relative/folder" }).ROLLGATE_DATA_DIR).toBe("relative/folder");
    expect(readDbEnv({ ROLLGATE_DATA_DIR: "memory://" }).ROLLGATE_DATA_DIR).toBe("memory://");
  });
});
