import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

// Global setup of the `unit` and `db` test projects: a dump of a fresh PGlite cluster (initdb's
// output, nothing migrated), made once per PGlite version. Every `memory://` database the tests
// open loads it instead of running initdb again (about 4 s of CPU each; the db project opens
// dozens). The path reaches the workers as ROLLGATE_PGLITE_TEMPLATE (vitest.config.ts).

const root = path.join(import.meta.dirname, "..");
// The PGlite the database package opens (the workspace root does not depend on it).
const fromDb = createRequire(path.join(root, "packages", "db", "package.json"));
const entry = fromDb.resolve("@electric-sql/pglite");
let dir = path.dirname(entry);
while (!existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
const { version } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };

export const PGLITE_TEMPLATE = path.join(root, "node_modules", ".cache", "rollgate", `pglite-template-${version}.tar`);

export default async function setup(): Promise<void> {
  if (existsSync(PGLITE_TEMPLATE)) return;
  type Cluster = { dumpDataDir(compression: "none"): Promise<Blob>; close(): Promise<void> };
  const { PGlite } = (await import(pathToFileURL(entry).href)) as {
    PGlite: { create(dataDir: string): Promise<Cluster> };
  };
  const db = await PGlite.create("memory://");
  const dump = Buffer.from(await (await db.dumpDataDir("none")).arrayBuffer());
  await db.close();
  mkdirSync(path.dirname(PGLITE_TEMPLATE), { recursive: true });
  // Written aside and renamed, so a run beside this one never reads half a file.
  const partial = `${PGLITE_TEMPLATE}.${process.pid}`;
  writeFileSync(partial, dump);
  renameSync(partial, PGLITE_TEMPLATE);
}
