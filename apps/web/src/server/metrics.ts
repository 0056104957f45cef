import "server-only";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

interface Metrics {
  registry: Registry;
  databaseUp: Gauge;
  readinessChecks: Counter<"result">;
  apiRequests: Counter<"route" | "status">;
  apiDuration: Histogram<"route">;
  events: Counter<"type" | "outcome">;
  leases: Counter<"outcome">;
  jobRuns: Counter<"job" | "outcome">;
  jobDuration: Histogram<"job">;
  jobFailing: Gauge<"job">;
  jobLastSuccess: Gauge<"job">;
  gateWaiters: Gauge;
  gateEvaluations: Counter;
}

// One registry per process, kept on globalThis so dev-mode module reloads reuse it.
const holder = globalThis as typeof globalThis & { __rollgateMetrics?: Metrics };

export function metrics(): Metrics {
  if (!holder.__rollgateMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "rollgate_" });
    const registers = [registry];
    holder.__rollgateMetrics = {
      registry,
      databaseUp: new Gauge({
        name: "rollgate_database_up",
        help: "1 when the last readiness probe reached the database",
        registers,
      }),
      readinessChecks: new Counter({
        name: "rollgate_readiness_checks_total",
        help: "Readiness probes by result",
        labelNames: ["result"],
        registers,
      }),
      apiRequests: new Counter({
        name: "rollgate_api_requests_total",
        help: "API requests by route and HTTP status",
        labelNames: ["route", "status"],
        registers,
      }),
      apiDuration: new Histogram({
        name: "rollgate_api_request_duration_seconds",
        help: "API request duration by route",
        labelNames: ["route"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers,
      }),
      events: new Counter({
        name: "rollgate_events_total",
        help: "Webhook events by type and outcome (accepted, duplicate, rejected)",
        labelNames: ["type", "outcome"],
        registers,
      }),
      leases: new Counter({
        name: "rollgate_leases_total",
        help: "Contract lease requests by outcome (granted, denied)",
        labelNames: ["outcome"],
        registers,
      }),
      jobRuns: new Counter({
        name: "rollgate_job_runs_total",
        help: "Background job runs in this process by job and outcome (ok, failed)",
        labelNames: ["job", "outcome"],
        registers,
      }),
      jobDuration: new Histogram({
        name: "rollgate_job_duration_seconds",
        help: "Background job run time in this process",
        labelNames: ["job"],
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
        registers,
      }),
      jobFailing: new Gauge({
        name: "rollgate_job_consecutive_failures",
        help: "Consecutive failed runs of each background job, across all workers (0: its last run succeeded)",
        labelNames: ["job"],
        registers,
      }),
      jobLastSuccess: new Gauge({
        name: "rollgate_job_last_success_timestamp_seconds",
        help: "When each background job last succeeded, across all workers",
        labelNames: ["job"],
        registers,
      }),
      gateWaiters: new Gauge({
        name: "rollgate_gate_waiters",
        help: "Requests parked on …/gate/wait in this process",
        registers,
      }),
      gateEvaluations: new Counter({
        name: "rollgate_gate_wait_evaluations_total",
        help: "Gate evaluations made for waiters in this process (one per change, shared by every waiter of the rollout)",
        registers,
      }),
    };
  }
  return holder.__rollgateMetrics;
}
