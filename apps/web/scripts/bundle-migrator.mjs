// The migrator on its own (the Kubernetes migration Job runs `node apps/web/migrate.mjs`): the
// same code the app runs at start, under the same advisory lock. One definition of its bundle
// for the standalone build (assemble-standalone.mjs) and the test that runs it alone.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * Bundles the migrator into `outfile`; PGlite stays outside (the build copies it beside it).
 * @param {string} outfile
 * @param {import("esbuild").BuildOptions} [options] esbuild options to add (metafile, logLevel)
 */
export function bundleMigrator(outfile, options = {}) {
  return build({
    entryPoints: [path.join(root, "packages", "db", "src", "bin", "migrate.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@electric-sql/pglite"],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: "warning",
    ...options,
  });
}
