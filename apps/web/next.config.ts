import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import { API_SECURITY_HEADERS, PAGE_SECURITY_HEADERS } from "./src/server/security-headers";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const config: NextConfig = {
  output: "standalone",
  outputFileTracingRoot: root,
  turbopack: { root },
  transpilePackages: [
    "@rollgate/app",
    "@rollgate/core",
    "@rollgate/db",
    "@rollgate/drill",
    "@rollgate/log",
    "@rollgate/worker",
  ],
  // Native/WASM database drivers and the SQL parser must stay outside the bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "libpg-query", "graphile-worker", "pg", "pino"],
  poweredByHeader: false,
  // Framing and content protection on every answer; /api/ (listed last, so it wins) gets the data policy.
  headers: async () => [
    { source: "/:path*", headers: PAGE_SECURITY_HEADERS },
    { source: "/api/:path*", headers: API_SECURITY_HEADERS },
  ],
};

export default config;
