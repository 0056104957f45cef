// What the `live` test project's global setup (scripts/stats-cluster.ts) provides to tests.
declare module "vitest" {
  export interface ProvidedContext {
    statsDatabaseUrl: string;
  }
}
export {};
