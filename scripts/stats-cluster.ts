import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { PostgresCluster } from "../packages/db/test/postgres-cluster.ts";

// Global setup of the `live` test project: a PostgreSQL server with pg_stat_statements
// preloaded (track = all). STATS_DATABASE_URL names one; otherwise a server already on
// STATS_PG_PORT (default 5440) that preloads it is reused, or a private cluster is started
// there (as the postgres user when we are root) and removed afterwards. Never the shared
// server: counters are cluster-wide and tests reset them.

declare module "vitest" {
  export interface ProvidedContext {
    statsDatabaseUrl: string;
  }
}

/** pg_stat_statements with nested statements counted, and room for the inspect benchmark's 10,000 statements. */
export const STATS_SETTINGS = {
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track": "all",
  "pg_stat_statements.max": "20000",
  max_connections: "60",
};

export default function setup(project: TestProject) {
  let url = process.env.STATS_DATABASE_URL;
  let cluster: PostgresCluster | undefined;
  if (!url) {
    const port = Number(process.env.STATS_PG_PORT ?? 5440);
    const candidate = `postgres://postgres@127.0.0.1:${port}/postgres`;
    if (preloads(port)) url = candidate;
    else {
      cluster = new PostgresCluster(port, STATS_SETTINGS).init();
      cluster.start();
      url = cluster.url;
    }
  }
  project.provide("statsDatabaseUrl", url);
  return () => cluster?.destroy();
}

function preloads(port: number): boolean {
  try {
    return execFileSync(
      "psql",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-Atc",
        "show shared_preload_libraries",
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    )
      .toString()
      .includes("pg_stat_statements");
  } catch {
    return false;
  }
}
