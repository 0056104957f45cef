// After `next build`: completes the standalone server folder so it runs on its own, copied
// alone (the image copies nothing else): static assets, Rollgate's migrations (the server applies
// them at start), the front and the migrator, and every package kept outside the bundles, whole.
import { builtinModules } from "node:module";
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync } from "node:fs";
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleMigrator } from "./bundle-migrator.mjs";

const web = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.join(web, "..", "..");
const standalone = path.join(web, ".next", "standalone");
const server = path.join(standalone, "apps", "web");
// next.config.ts's serverExternalPackages, as the build recorded them.
const { config } = JSON.parse(readFileSync(path.join(server, ".next", "required-server-files.json"), "utf8"));
/** @type {string[]} */
const externalPackages = config.serverExternalPackages;
cpSync(path.join(web, ".next", "static"), path.join(server, ".next", "static"), { recursive: true });
if (existsSync(path.join(web, "public")))
  cpSync(path.join(web, "public"), path.join(server, "public"), { recursive: true });
cpSync(path.join(web, "..", "..", "packages", "db", "drizzle"), path.join(server, "drizzle"), { recursive: true });
const migrator = await bundleMigrator(path.join(server, "migrate.mjs"), { metafile: true });
// Next's own entry stays as next-server.js (Next.js alone, without the front: the benchmarks
// compare the two); `server.js` becomes Rollgate's entry: machine routes answered directly, the
// rest by Next.js (src/server/front/main.ts). Packages Next keeps outside its bundles stay
// outside this one too, so the process loads one copy of each driver.
const entry = path.join(server, "server.js");
if (readFileSync(entry, "utf8").includes("next/dist/server/lib/start-server"))
  renameSync(entry, path.join(server, "next-server.js"));
const front = await build({
  entryPoints: [path.join(web, "src", "server", "front", "main.ts")],
  outfile: path.join(server, "server.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["react-server"],
  external: ["next", "next-auth", ...externalPackages],
  metafile: true,
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

// Next's file tracing copies only the files of an external package it saw loaded, for the way its
// own bundles load it: not the front's ES-module entries, not a WASM file found at run time
// (libpg-query's), nor the packages only the front imports. Inside the workspace the gaps still
// resolve through the workspace's node_modules; the image, which copies this folder alone, died
// with ERR_MODULE_NOT_FOUND. So each package kept outside the bundles is copied whole, with its
// dependencies, at the same place and through the same pnpm links as in the workspace.
const copied = new Set();
for (const name of externalPackages) if (linkOf(name, web)) copyPackage(name, web);
// Then every package the two bundles import must resolve inside this folder alone (Next itself is
// traced by `next build` for its own server, which the front starts through the same entry).
const missing = [];
for (const [outfile, result] of [
  ["server.js", front],
  ["migrate.mjs", migrator],
])
  for (const output of Object.values(result.metafile.outputs))
    for (const { path: specifier, external } of output.imports) {
      if (!external || specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
      const name = specifier
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/");
      if (!linkOf(name, server, standalone)) missing.push(`${name} (imported by ${outfile})`);
    }
if (missing.length > 0) {
  console.error(
    `the standalone folder is not self-contained: ${[...new Set(missing)].join(", ")} cannot be resolved in it`,
  );
  process.exit(1);
}

/** Where Node finds package `name` from `dir`: the first `node_modules/<name>` up to `top`. */
function linkOf(name, dir, top = root) {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, "node_modules", name);
    if (existsSync(candidate)) return candidate;
    if (d === top || d === path.dirname(d)) return null;
  }
}

/** Copies package `name` as resolved from `dir`, its link, and its dependencies, into the standalone folder. */
function copyPackage(name, dir) {
  const link = linkOf(name, dir);
  if (!link) return; // an optional dependency not installed on this platform
  const real = realpathSync(link);
  for (const p of [link, real])
    if (path.relative(root, p).startsWith("..")) throw new Error(`${name} resolves outside the workspace: ${p}`);
  const target = (p) => path.join(standalone, path.relative(root, p));
  if (link !== real && !lstatSync(target(link), { throwIfNoEntry: false })) {
    mkdirSync(path.dirname(target(link)), { recursive: true });
    // Relative, as pnpm writes them, so the folder can move (an absolute link would point back here).
    symlinkSync(path.relative(path.dirname(link), real), target(link));
  }
  if (copied.has(real)) return;
  copied.add(real);
  // Everything in the package but its own node_modules (pnpm keeps dependencies beside it, as links).
  cpSync(real, target(real), {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => path.relative(real, source).split(path.sep)[0] !== "node_modules",
  });
  const manifest = JSON.parse(readFileSync(path.join(real, "package.json"), "utf8"));
  const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional);
  const dependencies = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}).filter((p) => !optionalPeers.some(([o]) => o === p)),
  ]);
  for (const dependency of dependencies) copyPackage(dependency, real);
}

console.log(`standalone server assembled in ${path.relative(process.cwd(), server)}`);
