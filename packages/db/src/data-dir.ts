import { existsSync, realpathSync } from "node:fs";
import path from "node:path";

/** Where a process runs: its program's file (`process.argv[1]`) and its working directory. */
export interface Whereabouts {
  program?: string;
  cwd: string;
  exists?: (file: string) => boolean;
}

/**
 * The embedded database's folder when ROLLGATE_DATA_DIR is not set, the same for every process
 * of one installation whatever its working directory (the standalone server changes directory to
 * its own folder; the image's migration Job runs from /app; `pnpm db:migrate` runs in packages/db):
 * - in a checkout of Rollgate: `<checkout>/.rollgate/pglite` (what `npm run demo` uses);
 * - in a standalone server folder (the image's /app): `apps/web/.rollgate/pglite`, the folder the
 *   server has always opened;
 * looked for above the program first, then above the working directory (the packed CLI run inside
 * one of them); elsewhere `.rollgate/pglite` in the working directory.
 */
export function defaultDataDir(at: Whereabouts = here()): string {
  const exists = at.exists ?? existsSync;
  for (const start of [at.program ? path.dirname(path.resolve(at.cwd, at.program)) : undefined, at.cwd]) {
    const home = start && installation(path.resolve(at.cwd, start), exists);
    if (home) return path.join(home, ".rollgate", "pglite");
  }
  return path.resolve(at.cwd, ".rollgate", "pglite");
}

/** The checkout of Rollgate `start` is in, else the standalone server folder it is in or above. */
function installation(start: string, exists: (file: string) => boolean): string | undefined {
  const ancestors = [start];
  for (let d = start; d !== path.dirname(d); d = path.dirname(d)) ancestors.push(path.dirname(d));
  const journal = (dir: string) => exists(path.join(dir, "drizzle", "meta", "_journal.json"));
  const checkout = (dir: string) =>
    journal(path.join(dir, "packages", "db")) && exists(path.join(dir, "packages", "cli", "bin", "rollgate.js"));
  const server = (dir: string) =>
    journal(dir) && exists(path.join(dir, "server.js")) && exists(path.join(dir, "migrate.mjs"));
  return ancestors.find(checkout) ?? ancestors.flatMap((d) => [d, path.join(d, "apps", "web")]).find(server);
}

let cached: { key: string; dir: string } | undefined;

function here(): Whereabouts {
  const cwd = process.cwd();
  let program = process.argv[1];
  if (program) {
    try {
      program = realpathSync(program);
    } catch {
      // A program name that is not a file (node -e, a REPL): the working directory decides.
      program = undefined;
    }
  }
  return { program, cwd };
}

/** `defaultDataDir()` for this process, looked up once per program and working directory. */
export function processDefaultDataDir(): string {
  const key = `${process.argv[1] ?? ""}\0${process.cwd()}`;
  if (cached?.key !== key) cached = { key, dir: defaultDataDir(here()) };
  return cached.dir;
}
