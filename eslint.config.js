import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";
import noImportCycle from "./tooling/eslint/no-import-cycle.js";

const root = import.meta.dirname;
// Every tsconfig, so imports resolve as TypeScript resolves them (workspace packages, `@/`).
const project = ["tsconfig.json", "apps/*/tsconfig.json", "packages/*/tsconfig.json", "e2e/tsconfig.json"];
const web = (folder) => path.join(root, "apps/web/src", folder);

// The web app's client modules: a file that declares "use client", or one that builds on TanStack
// Query (the client fetchers in lib/). Found anew on every run, so a new one is covered at once.
// Pages under app/ are left out: server code never imports app/ at all (below), and their
// folder names ([service]) would read as globs.
const clientModules = ["components", "lib"]
  .flatMap((folder) =>
    readdirSync(web(folder), { recursive: true, encoding: "utf8" }).map((f) => web(path.join(folder, f))),
  )
  .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file))
  .filter((file) => /^\s*["']use client["']|from "@tanstack\/react-query"/m.test(readFileSync(file, "utf8")));

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/drizzle/**",
      "e2e/artifacts/**",
      "**/next-env.d.ts",
      // tooling/eslint/floors.test.ts's circle, linted by the test alone.
      "tooling/eslint/.circle-*/",
    ],
  },
  {
    // The floors of the house (docs/ARCHITECTURE.md, "Floors"): imports point down, never up or
    // round in a circle. Resolved the way TypeScript resolves them (workspace packages, `@/`).
    files: ["**/*.{ts,tsx,js,mjs}"],
    plugins: { "import-x": importX, floors: { rules: { "no-import-cycle": noImportCycle } } },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project, noWarnOnMultipleProjects: true })],
    },
    rules: {
      "floors/no-import-cycle": "error",
      "import-x/no-restricted-paths": [
        "error",
        {
          basePath: root,
          zones: [
            {
              target: "apps/web/src/components",
              from: "apps/web/src/app",
              message: "Components sit below pages: pass the value in as a prop, or move the shared piece to lib/.",
            },
            {
              target: "apps/web/src/lib",
              from: ["apps/web/src/components", "apps/web/src/app"],
              message: "lib/ is the ground floor of the web app: move the shared piece into lib/.",
            },
            {
              target: "apps/web/src/server",
              from: clientModules,
              message: "Server code never imports client modules: share the types through lib/ or core.",
            },
            {
              // Its tests may drive a route handler or a server action; the code itself never does.
              target: "apps/web/src/server/**/!(*.test).{ts,tsx}",
              from: ["apps/web/src/app/**", "apps/web/src/components/**"],
              message: "Server code sits below pages and components: it never imports them.",
            },
            {
              target: "packages/core",
              from: ["apps/**", "packages/!(core)/**"],
              message: "core is the bottom floor: pure rules that import none of our other packages.",
            },
            {
              target: "packages/db",
              from: ["apps/**", "packages/!(core|db|log)/**"],
              message: "db only reads and writes: it imports core's types and the logger, never what calls it.",
            },
            {
              target: ["!(e2e)/**", "*.{ts,js,mjs}"],
              from: "e2e",
              message: "e2e/ is the top floor: move what is shared into a package (its test/ folder for test support).",
            },
            {
              // Production source: every package's src/ but its tests (*.test.ts, *.int.test.ts, *.live.test.ts).
              target: ["apps/*/src/**/!(*.test).{ts,tsx}", "packages/*/src/**/!(*.test).{ts,tsx}"],
              from: ["{apps,packages}/*/test/**"],
              message: "Production code never imports test support (a package's test/ folder).",
            },
          ],
        },
      ],
    },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Configuration is read in one typed place per app (env.ts), never ad hoc.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through env.ts." },
      ],
    },
  },
  {
    files: [
      "**/env.ts",
      "**/*.test.ts",
      "**/test/**",
      "e2e/**",
      "**/bench/**",
      "**/scripts/**",
      "**/*.config.ts",
      "**/bin/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Pages, route handlers, server actions and components are adapters: data access (the
    // database handle, queries, Drizzle) goes through use cases in packages/app (@rollgate/app).
    files: ["apps/web/src/app/**", "apps/web/src/components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["drizzle-orm", "drizzle-orm/*"],
              message: "Call a use case of packages/app (@rollgate/app) instead.",
            },
            {
              group: ["@rollgate/db", "@rollgate/db/*"],
              message:
                "Database access belongs in packages/app (@rollgate/app): call (or add) a use case there, with the database from src/server/use-case-deps.ts.",
            },
          ],
        },
      ],
    },
  },
);
