// Builds the `rollgate` CLI as a package a pipeline in another repository can install:
// one esbuild bundle (split per command, so `--help` loads almost nothing), the SQL parser's
// WASM beside it, Rollgate's migrations for `token create`, the embedded PostgreSQL for `drill`
// and `token create` as a bundled dependency, no tsx and no workspace links.
// `node packages/cli/scripts/pack.mjs` prints the tarball's path (packages/cli/dist/).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.join(cli, "..", "..");
const out = path.join(cli, "dist");
const stage = path.join(out, "package");
const version = JSON.parse(readFileSync(path.join(cli, "package.json"), "utf8")).version;

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

await build({
  entryPoints: { rollgate: path.join(cli, "src", "cli.ts") },
  outdir: path.join(stage, "dist"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  legalComments: "linked",
  // The embedded database (drill, token create without DATABASE_URL) loads its WASM and data
  // files beside its own modules, so it is not bundled: it ships whole, below.
  external: ["@electric-sql/pglite"],
  // libpg-query's loader is CommonJS and finds its WASM through __dirname; every chunk sits
  // in dist/, beside libpg-query.wasm.
  banner: {
    js: [
      "import { createRequire as __rgRequire } from 'node:module';",
      "import { fileURLToPath as __rgPath } from 'node:url';",
      "import { dirname as __rgDir } from 'node:path';",
      "const require = __rgRequire(import.meta.url);",
      "const __filename = __rgPath(import.meta.url);",
      "const __dirname = __rgDir(__filename);",
    ].join(" "),
  },
  logLevel: "warning",
});

// The parser's WASM, from the very libpg-query the bundle was built with.
const core = createRequire(path.join(root, "packages", "core", "package.json"));
const wasm = path.join(path.dirname(core.resolve("libpg-query")), "libpg-query.wasm");
cpSync(wasm, path.join(stage, "dist", "libpg-query.wasm"));
// migrate.ts looks for `../drizzle` beside its own module, which is dist/.
cpSync(path.join(root, "packages", "db", "drizzle"), path.join(stage, "drizzle"), { recursive: true });
cpSync(path.join(cli, "README.md"), path.join(stage, "README.md"));

// PGlite, the very one the drill was built against, as a bundled dependency: npm installs it
// from the tarball, offline, inside the package (node_modules/@rollgate/cli/node_modules), so
// `drill` and `token create` need nothing installed beside the CLI. Source maps and type
// declarations stay out.
const drill = createRequire(path.join(root, "packages", "drill", "package.json"));
let pglite = path.dirname(drill.resolve("@electric-sql/pglite"));
const isPglite = (dir) =>
  existsSync(path.join(dir, "package.json")) &&
  JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).name === "@electric-sql/pglite";
while (!isPglite(pglite)) pglite = path.dirname(pglite);
const pgliteVersion = JSON.parse(readFileSync(path.join(pglite, "package.json"), "utf8")).version;
cpSync(pglite, path.join(stage, "node_modules", "@electric-sql", "pglite"), {
  recursive: true,
  dereference: true,
  filter: (file) => !/\.(map|d\.ts|d\.cts)$/.test(file),
});

const manifest = {
  name: "@rollgate/cli",
  version,
  description: "The rollgate CLI: lint, send, run and gate rollback-safe PostgreSQL schema changes",
  type: "module",
  bin: { rollgate: "dist/rollgate.mjs" },
  engines: { node: ">=20.19" },
  files: ["dist", "drizzle", "README.md"],
  dependencies: { "@electric-sql/pglite": pgliteVersion },
  bundleDependencies: ["@electric-sql/pglite"],
};
writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

const packed = JSON.parse(
  execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: stage, encoding: "utf8" }),
);
console.log(path.join(out, packed[0].filename));
