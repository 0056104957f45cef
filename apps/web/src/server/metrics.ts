import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";

interface Metrics {
  registry: Registry;
  databaseUp: Gauge;
  readinessChecks: Counter<"result">;
}

// One registry per process, kept on globalThis so dev-mode module reloads reuse it.
const holder = globalThis as typeof globalThis & { __rollgateMetrics?: Metrics };

export function metrics(): Metrics {
  if (!holder.__rollgateMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "rollgate_" });
    holder.__rollgateMetrics = {
      registry,
      databaseUp: new Gauge({ name: "rollgate_database_up", help: "1 when the last readiness probe reached the database", registers: [registry] }),
      readinessChecks: new Counter({ name: "rollgate_readiness_checks_total", help: "Readiness probes by result", labelNames: ["result"], registers: [registry] }),
    };
  }
  return holder.__rollgateMetrics;
}
