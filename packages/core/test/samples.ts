// One schema-valid example of every event's `data`, shared by the contract tests and the API tests.
import { createHash } from "node:crypto";
import type { EventData, EventType } from "../src/contract/events.ts";

const EXPAND_CHECKSUM = createHash("sha256").update("SELECT 1;").digest("hex");

/** One schema-valid `data` for every event type (whether the rollout then accepts it is another matter); a type without one is a type error. */
export const SAMPLE_DATA: { [K in EventType]: EventData<K> } = {
  "release.created": {
    title: "Drop users.email",
    author: "dev@example.com",
    app_version: "2.0.0",
    commit_sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
    expand_sql: "SELECT 1;",
    contract_sql: "SELECT 2;",
    data_checks: [
      { name: "billing-email-copied", sql: "SELECT id FROM users WHERE billing_email IS DISTINCT FROM email" },
    ],
  },
  "migration.started": { phase: "expand", name: "e", checksum: EXPAND_CHECKSUM, sql: "SELECT 1;" },
  "migration.succeeded": {
    phase: "expand",
    name: "e",
    checksum: EXPAND_CHECKSUM,
    duration_ms: 10,
    exit_code: 0,
    log_tail: "ok",
    log_url: "https://ci.example.com/job/1",
  },
  "migration.failed": { phase: "expand", name: "e", checksum: EXPAND_CHECKSUM, exit_code: 1, log_tail: "boom" },
  "app.deployed": { version: "2.0.0", manifest: ["users.id", "public.users.email"] },
  "app.rolled_back": { version: "1.9.0", manifest: ["users.id"] },
  "flag.changed": { flag: "f", percent: 50 },
  "slo.snapshot": { availability: 99.9, error_budget_remaining: 0.5, burn_rate: 1 },
  "backup.verified": { backup_id: "b", restore_tested: true },
  "incident.opened": {
    key: "INC-1",
    title: "Checkout errors",
    url: "https://status.example.com/INC-1",
    severity: "sev1",
  },
  "incident.resolved": { key: "INC-1" },
  "backfill.started": {
    backfill_id: "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69",
    table: "public.invoices",
    set: "billing_email = email",
    where: "billing_email IS NULL",
    key: ["id"],
    batch_size: 1000,
    estimate_rows: 1_000_000,
    rows_done: 0,
    check: {
      name: "backfill-invoices-billing-email",
      sql: "SELECT id FROM public.invoices WHERE billing_email IS NULL",
    },
  },
  "backfill.progress": {
    backfill_id: "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69",
    rows_done: 250_000,
    rows_written: 249_000,
    estimate_rows: 1_000_000,
    rate_per_s: 12_500.5,
    eta_s: 60,
    batch_size: 2000,
    replica_lag_ms: 120,
    throttle: null,
  },
  "backfill.paused": {
    backfill_id: "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69",
    rows_done: 250_000,
    cause: "replica_lag",
    reason: "The replica standby1 replays 2.4 s behind (over --max-lag 1s).",
    replica_lag_ms: 2400,
  },
  "backfill.finished": {
    backfill_id: "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69",
    rows_done: 1_000_000,
    rows_written: 998_000,
    duration_ms: 95_000,
  },
  "backfill.failed": {
    backfill_id: "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69",
    rows_done: 250_000,
    error: "Cancelled from the dashboard by lead@example.com.",
    cancelled: true,
  },
  "database.inspected": {
    format: 1,
    server: { version: "15.8", started_at: "2026-01-02T00:00:00Z", database: "app" },
    statistics: { available: true, track: "all", stats_reset: null, dealloc: 0, statements: 1, unresolved: 0 },
    statements: [
      { id: "42", calls: 3, text: "select email from users where id = $1", objects: ["public.users.email"] },
    ],
    usage: { users: "=3,email=3" },
    usage_complete: true,
    expand: [],
    tables: [],
    sessions: [],
    duration_ms: 12,
    data_checks: [
      { name: "billing-email-copied", checksum: "a".repeat(64), rows: 2, sample_keys: ["7", "9"], duration_ms: 3 },
    ],
  },
  "rollback.rehearsed": {
    version: "1.9.0",
    contract_checksum: createHash("sha256").update("SELECT 2;").digest("hex"),
    source: "observed",
    statements: 12,
    passed: 10,
    noise: 0,
    unverifiable: 1,
    proofs: [
      {
        statement: 'SELECT "email" FROM "users" WHERE "id" = $1',
        error: 'column "email" does not exist',
        sqlstate: "42703",
        step: "prepare",
        calls: 4210,
      },
    ],
    proof_count: 1,
  },
};
