// After `next build`: completes the standalone server folder so it runs on its own
// (static assets, and Rollgate's migrations, which the server applies at start).
import { cpSync, existsSync, readFileSync, renameSync } from "node:fs";
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const server = path.join(web, ".next", "standalone", "apps", "web");
cpSync(path.join(web, ".next", "static"), path.join(server, ".next", "static"), { recursive: true });
if (existsSync(path.join(web, "public")))
  cpSync(path.join(web, "public"), path.join(server, "public"), { recursive: true });
cpSync(path.join(web, "..", "..", "packages", "db", "drizzle"), path.join(server, "drizzle"), { recursive: true });
// The migrator on its own (the Kubernetes migration Job runs `node apps/web/migrate.mjs`):
// the same code the app runs at start, under the same advisory lock.
await build({
  entryPoints: [path.join(web, "..", "..", "packages", "db", "src", "bin", "migrate.ts")],
  outfile: path.join(server, "migrate.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["@electric-sql/pglite"],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: "warning",
});
// Next's own entry stays as next-server.js (Next.js alone, without the front: the benchmarks
// compare the two); `server.js` becomes Rollgate's entry: machine routes answered directly, the
// rest by Next.js (src/server/front/main.ts). Packages Next keeps outside its bundles stay
// outside this one too, so the process loads one copy of each driver.
const entry = path.join(server, "server.js");
if (readFileSync(entry, "utf8").includes("next/dist/server/lib/start-server"))
  renameSync(entry, path.join(server, "next-server.js"));
await build({
  entryPoints: [path.join(web, "src", "server", "front", "main.ts")],
  outfile: path.join(server, "server.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["react-server"],
  external: ["next", "next-auth", "@electric-sql/pglite", "postgres", "libpg-query", "graphile-worker", "pg", "pino"],
  // next has no exports map: an ES module must name `next/headers.js`, not `next/headers`.
  plugins: [
    {
      name: "next-subpaths",
      setup: (b) => b.onResolve({ filter: /^next\/[^.]+$/ }, (a) => ({ path: `${a.path}.js`, external: true })),
    },
  ],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: "warning",
});
console.log(`standalone server assembled in ${path.relative(process.cwd(), server)}`);
