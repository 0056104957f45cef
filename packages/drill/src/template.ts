import { createHash, randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { PGlite, type Extensions } from "@electric-sql/pglite";

// Every drill database starts as a copy of one freshly initialised cluster. `initdb` is most
// of a fresh PGlite's start (two WASM instances, seconds of CPU, hundreds of MB); loading its
// result from a tarball skips it. The tarball is kept in memory for the process and on disk
// (`~/.cache/rollgate`) across runs, keyed by PGlite's version, with its SHA-256 in front so a
// torn or tampered file is rebuilt, never loaded.

/** The embedded server's settings: PGlite's own, with a buffer pool that fits a 50-row database
 * (PostgreSQL's 128 MB default is touched at start and would be most of the drill's memory). */
export const DRILL_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];
/** initdb's: 1 MB WAL segments instead of 16 MB, a quarter less to copy at every start and backup. */
const INITDB_PARAMS = ["--wal-segsize=1"];

export interface TemplateOptions {
  /** Where the tarball is kept across runs; null keeps it in memory only. */
  cacheDir?: string | null;
}

const TEMPLATE = Symbol.for("rollgate.drillTemplate");
const memory = globalThis as typeof globalThis & { [TEMPLATE]?: Promise<Blob> };

/** A new in-memory PostgreSQL, as initdb leaves it. */
export async function freshDrillDatabase(options: TemplateOptions & { extensions?: Extensions } = {}): Promise<PGlite> {
  const template = await drillTemplate(options);
  return PGlite.create({
    loadDataDir: template,
    startParams: DRILL_START_PARAMS,
    ...(options.extensions ? { extensions: options.extensions } : {}),
  });
}

/** The initialised cluster as a gzip tarball: from memory, else the disk cache, else initdb. */
export function drillTemplate(options: TemplateOptions = {}): Promise<Blob> {
  memory[TEMPLATE] ??= loadOrBuild(options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir).catch(
    (error: unknown) => {
      memory[TEMPLATE] = undefined;
      throw error;
    },
  );
  return memory[TEMPLATE];
}

/** Forgets the in-memory copy (tests; the disk cache stays). */
export function forgetDrillTemplate(): void {
  memory[TEMPLATE] = undefined;
}

export function defaultCacheDir(): string {
  return path.join(os.homedir(), ".cache", "rollgate");
}

async function loadOrBuild(cacheDir: string | null): Promise<Blob> {
  const file = cacheDir ? cacheFile(cacheDir) : null;
  if (file) {
    const cached = await readFile(file).catch(() => null);
    if (cached && cached.length > 32 && sha256(cached.subarray(32)).equals(cached.subarray(0, 32)))
      return gzipBlob(cached.subarray(32));
  }
  const db = await PGlite.create({ startParams: DRILL_START_PARAMS, initDbStartParams: INITDB_PARAMS });
  let tarball: Buffer;
  try {
    tarball = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer());
  } finally {
    await db.close();
  }
  // The cache is a convenience: a read-only home (a container) just means initdb next time too.
  if (file) {
    const partial = `${file}.${randomUUID()}.partial`;
    await mkdir(path.dirname(file), { recursive: true })
      .then(() => writeFile(partial, Buffer.concat([sha256(tarball), tarball])))
      .then(() => rename(partial, file))
      // Clusters of other PGlite versions (an upgrade) would only take up room.
      .then(() => readdir(path.dirname(file)))
      .then((names) =>
        Promise.all(
          names
            .filter((n) => /^drill-template-.*\.bin$/.test(n) && n !== path.basename(file))
            .map((n) => rm(path.join(path.dirname(file), n), { force: true })),
        ),
      )
      .catch(() => rm(partial, { force: true }));
  }
  return gzipBlob(tarball);
}

/** `drill-template-pglite-<version>-<initdb's flags>.bin`; null when PGlite's version cannot be read (no disk cache then). */
function cacheFile(cacheDir: string): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
    const manifest = createRequire(entry)("../package.json") as { version?: unknown };
    const flags = createHash("sha256").update(INITDB_PARAMS.join(" ")).digest("hex").slice(0, 8);
    return typeof manifest.version === "string"
      ? path.join(cacheDir, `drill-template-pglite-${manifest.version}-${flags}.bin`)
      : null;
  } catch {
    return null;
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest();
// PGlite gunzips a loaded tarball when its type says so. (A copy: the DOM's BlobPart refuses a
// view that might be on a SharedArrayBuffer, and the web app type-checks with the DOM's types.)
const gzipBlob = (bytes: Uint8Array) => new Blob([Uint8Array.from(bytes)], { type: "application/x-gzip" });
