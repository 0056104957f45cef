import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const config: NextConfig = {
  output: "standalone",
  outputFileTracingRoot: root,
  turbopack: { root },
  transpilePackages: ["@rollgate/core", "@rollgate/db", "@rollgate/drill", "@rollgate/log", "@rollgate/worker"],
  // Native/WASM database drivers and the SQL parser must stay outside the bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "libpg-query", "graphile-worker", "pg", "pino"],
  poweredByHeader: false,
};

export default config;
