import { createHash } from "node:crypto";
import {
  batchSql,
  checkName,
  checkSql,
  loadBackfillParser,
  parseDefinitionSync,
  planBackfill,
  type BackfillPlan,
  type TableFacts,
} from "@rollgate/core/backfill";
import { evaluateGate, type DataCheckFact, type GateCheck, type GateFacts } from "@rollgate/core/gate";
import { runDataChecks } from "@rollgate/core/inspect/data-checks";
import { applyEvent, plannedRollout, type DomainEvent } from "@rollgate/core/lifecycle";
import { defaultPolicy } from "@rollgate/core/policy";
import type { RehearsalReport } from "@rollgate/core/rehearsal";
import { loadSqlParser } from "@rollgate/core/sql";
import type { RolloutProjection } from "@rollgate/core/types";
import { normalizeSync } from "libpg-query";
import { BASE_SCHEMA, v1, v2, type AppDatabase } from "./app-versions.ts";
import { describeOn } from "./describe.ts";
import { freshDrillDatabase, type TemplateOptions } from "./template.ts";
import { Timeline, type Step } from "./timeline.ts";

// The incident's second variant (issue 28): the expand adds users.email_address, v2 dual-writes,
// `rollgate backfill` copies the old column over, but a forgotten v1 worker keeps signing users
// up with only `email` after the backfill passed their rows. A contract now would drop those
// emails for good. The backfill's own data check (the rows that still match its --where and
// are not at their target) catches them, the gate's "Data is carried over" fails naming the
// check and its count, break-glass cannot override it; a second backfill pass after the worker
// is stopped clears it, and the contract loses nothing. The backfill's statements and its check
// are the ones `rollgate backfill` runs (core's batchSql and checkSql), on the embedded PGlite.
// Before the worker is stopped, `rollgate rehearse` (issue 29) takes the statements the v1 worker
// ran, normalised as pg_stat_statements prints them, and proves on the contracted schema that it
// cannot run after the contract: PostgreSQL's own error for each.

export const LATE_EXPAND_SQL = "ALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text;\n";
export const LATE_CONTRACT_SQL = "ALTER TABLE users DROP COLUMN IF EXISTS email;\n";
const LATE_SIGN_UPS = 3;
const BATCH_SIZE = 20;

type EventInput = DomainEvent extends infer E ? (E extends DomainEvent ? Omit<E, "occurredAt"> : never) : never;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** The drill's users table as the catalog describes it after the expand (the backfill plans on it). */
const USERS: TableFacts = {
  display: "public.users",
  schema: "public",
  name: "users",
  relkind: "r",
  columns: [
    { name: "id", type: "integer", notNull: true, generated: false },
    { name: "email", type: "text", notNull: false, generated: false },
    { name: "name", type: "text", notNull: true, generated: false },
    { name: "email_address", type: "text", notNull: false, generated: false },
  ],
  uniqueIndexes: [{ name: "users_pkey", columns: ["id"], primary: true, partial: false, valid: true }],
};

/** The rehearsal of the v1 worker's statements in the evidence: its counts and every proof. */
export interface DrillRehearsal {
  version: string;
  statements: number;
  passed: number;
  noise: number;
  unverifiable: number;
  proofs: Array<{ statement: string; error: string; sqlstate?: string; step: "prepare" | "execute"; calls?: number }>;
  durationMs: number;
}

export function rehearsalSummary(version: string, report: RehearsalReport): DrillRehearsal {
  const count = (outcome: string) => report.statements.filter((s) => s.outcome === outcome).length;
  return {
    version,
    statements: report.statements.length,
    passed: count("passed"),
    noise: count("noise"),
    unverifiable: count("unverifiable"),
    proofs: report.statements.flatMap((s) =>
      s.outcome === "proof" && s.afterContract
        ? [
            {
              statement: s.statement.text,
              error: s.afterContract.message,
              ...(s.afterContract.sqlstate ? { sqlstate: s.afterContract.sqlstate } : {}),
              step: s.afterContract.step,
              ...(s.statement.calls !== undefined ? { calls: s.statement.calls } : {}),
            },
          ]
        : [],
    ),
    durationMs: report.durationMs,
  };
}

export async function lateWritesScenario(options: { onStep?: (step: Step) => void } & TemplateOptions = {}): Promise<{
  steps: Step[];
  notCarriedOver: number;
  check: string;
  gateMessage: string;
  rehearsal: DrillRehearsal | null;
}> {
  const t = new Timeline("late-writes", options.onStep);
  const db = await freshDrillDatabase({ cacheDir: options.cacheDir });
  // What v1 runs, counted per statement as pg_stat_statements keeps it (constants become `$n`).
  const v1Calls = new Map<string, number>();
  const v1Db: AppDatabase = {
    query: (sql: string, params?: unknown[]) => {
      const text = normalizeSync(sql);
      v1Calls.set(text, (v1Calls.get(text) ?? 0) + 1);
      return db.query(sql, params);
    },
  } as AppDatabase;
  let rehearsal: DrillRehearsal | null = null;
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  const policy = defaultPolicy("staging");
  let rollout: RolloutProjection = plannedRollout(v2.version, {
    expandChecksum: sha(LATE_EXPAND_SQL),
    contractChecksum: sha(LATE_CONTRACT_SQL),
  });
  const move = (event: EventInput) => {
    const result = applyEvent(rollout, { ...event, occurredAt: new Date() }, policy);
    if (!result.ok) throw new Error(`Rollgate refused ${event.type}: ${result.rejection.message}`);
    rollout = result.rollout;
    return rollout.state.replaceAll("_", " ");
  };
  let plan: BackfillPlan | undefined;
  let dataChecks: DataCheckFact[] = [];
  let notCarriedOver = 0;
  let gateMessage = "";

  /** One pass of the backfill: keyset batches of the statement `rollgate backfill` runs. */
  const backfill = async () => {
    let lastKey: string[] | null = null;
    let written = 0;
    let batches = 0;
    for (;;) {
      const sql = batchSql(plan!, { after: lastKey !== null, checkpoint: false });
      const rows: Array<{ selected: number; written: number; last_key: string[] | null }> = await query(sql, [
        ...(lastKey ?? []),
        BATCH_SIZE,
      ]);
      const row = rows[0];
      batches += 1;
      written += row!.written;
      if (row!.last_key) lastKey = row!.last_key;
      if (row!.selected < BATCH_SIZE) return { written, batches };
    }
  };
  /** `rollgate inspect` running the backfill's data check in its read-only transaction; the run as the gate keeps it. */
  const inspect = async () => {
    const sql = checkSql(plan!);
    await query("begin read only");
    try {
      const [result] = await runDataChecks(query, [{ name: checkName(plan!), sql, checksum: sha(sql) }], {
        timeoutMs: 5000,
        clock: () => performance.now(),
        describe: describeOn(db),
      });
      dataChecks = [
        {
          name: result!.name,
          checksum: result!.checksum,
          source: "backfill",
          declaredAt: dataChecks[0]?.declaredAt ?? new Date(),
          newest: {
            receivedAt: new Date(),
            rows: result!.rows,
            sampleKeys: result!.sample_keys,
            durationMs: result!.duration_ms,
            error: result!.error ?? null,
            samplesWithheld: result!.samples_withheld ?? null,
          },
        },
      ];
      return result!;
    } finally {
      await query("commit");
    }
  };
  /** The gate as Rollgate evaluates it; `breakGlass`: a live override of every check it may override. */
  const gate = (breakGlass = false): { allowed: boolean; data: GateCheck } => {
    const now = new Date();
    const facts: GateFacts = {
      rollout,
      expandDestructiveFindings: 0,
      slo: { samples: 3, minAvailability: 99.98, minErrorBudgetRemaining: 0.9, maxBurnRate: 0.4 },
      latestTestedBackup: { backupId: "drill-backup", verifiedAt: now },
      earlierEnvironments: [],
      openIncidents: [],
      environment: "drill",
      productionLike: false,
      releaseAuthor: "author@example.com",
      authorIds: ["author"],
      approvals: [],
      activeLease: null,
      overrides: breakGlass
        ? [
            {
              kind: "break_glass",
              checks: ["data", "rollback_window", "approvals"],
              actor: "oncall@example.com",
              createdAt: now,
              expiresAt: new Date(now.getTime() + 3_600_000),
              confirmedAt: now,
            },
          ]
        : [],
      dataChecks,
    };
    const verdict = evaluateGate(facts, policy, now);
    return { allowed: verdict.allowed, data: verdict.checks.find((c) => c.id === "data")! };
  };
  const missing = async () =>
    (
      await query<{ n: number }>(
        "select count(*)::int as n from users where email is not null and email_address is distinct from email",
      )
    )[0]!.n;

  try {
    await t.step("v1 runs on the original schema", "succeeds", async () => {
      await db.exec(BASE_SCHEMA);
      await loadSqlParser();
      await v1.healthCheck(v1Db, false);
      return "50 users; v1 healthy";
    });
    await t.step("expand adds users.email_address, empty: the data is left to a backfill", "succeeds", async () => {
      move({
        type: "migration.started",
        phase: "expand",
        name: "expand",
        checksum: sha(LATE_EXPAND_SQL),
        destructiveFindings: 0,
      });
      await db.exec(LATE_EXPAND_SQL);
      return move({ type: "migration.succeeded", phase: "expand", name: "expand", checksum: sha(LATE_EXPAND_SQL) });
    });
    await t.step("deploy v2 at 100 % (it dual-writes); one v1 worker is left running", "succeeds", async () => {
      move({ type: "app.deployed", version: v2.version });
      await v2.signUp(db, "v2-live@example.com", false);
      return move({ type: "flag.changed", percent: 100 });
    });
    await t.step("rollgate backfill copies email into email_address in keyset batches", "succeeds", async () => {
      await loadBackfillParser();
      const definition = parseDefinitionSync({
        table: "users",
        set: "email_address = email",
        where: "email_address IS NULL",
      });
      if (!definition.ok)
        throw new Error(`the backfill's definition is refused: ${JSON.stringify(definition.refusal)}`);
      const planned = planBackfill(definition.value, USERS);
      if (!planned.ok) throw new Error(`the backfill is refused: ${JSON.stringify(planned.refusal)}`);
      plan = planned.plan;
      const { written, batches } = await backfill();
      return `${written} rows written in ${batches} batches of at most ${BATCH_SIZE}; ${await missing()} left`;
    });
    await t.step("the forgotten v1 worker keeps signing users up after the backfill passed", "succeeds", async () => {
      for (let i = 0; i < LATE_SIGN_UPS; i += 1) await v1.signUp(v1Db, `late-v1-${i}@example.com`, false);
      notCarriedOver = await missing();
      return `${LATE_SIGN_UPS} new users with only users.email; ${notCarriedOver} email(s) not carried over`;
    });
    await t.step("rollgate inspect runs the backfill's data check", "succeeds", async () => {
      await loadSqlParser();
      const result = await inspect();
      return `"${result.name}": ${result.rows} row(s), keys ${result.sample_keys.join(", ")}`;
    });
    await t.step(
      'the gate\'s "Data is carried over" fails, naming the check and its count: the contract is refused',
      "fails",
      async () => {
        const { allowed, data } = gate();
        gateMessage = data.message;
        if (data.status !== "pass")
          throw new Error(`${data.message}${allowed ? "" : " The gate is closed: no contract lease."}`);
        return data.message;
      },
    );
    await t.step("break-glass cannot override it", "fails", async () => {
      const { data } = gate(true);
      if (data.status !== "pass" && !data.overridden)
        throw new Error(`still ${data.status}, not overridden: ${data.message}`);
      return `overridden: ${data.message}`;
    });
    await t.step(
      `had the contract run now, it would have dropped ${LATE_SIGN_UPS} emails that exist nowhere else`,
      "succeeds",
      async () => {
        const lost = await missing();
        if (lost !== LATE_SIGN_UPS) throw new Error(`expected ${LATE_SIGN_UPS} emails not carried over, found ${lost}`);
        return `${lost} users' only email is in the column the contract drops`;
      },
    );
    await t.step(
      "rollgate rehearse proves it: the v1 worker's own statements, prepared after expand, fail after the contract",
      "succeeds",
      async () => {
        // Loaded here: the other scenarios do not pay for the engine's modules.
        const { rehearse } = await import("./rehearse/index.ts");
        const report = await rehearse({
          before: { migrations: [{ name: "the original schema", sql: BASE_SCHEMA }] },
          expand: LATE_EXPAND_SQL,
          contract: LATE_CONTRACT_SQL,
          statements: [...v1Calls].map(([text, calls]) => ({ text, calls })),
        });
        rehearsal = rehearsalSummary(v1.version, report);
        if (rehearsal.proofs.length === 0)
          throw new Error(
            `no proof: ${rehearsal.statements} statement(s) of v1 rehearsed, none fails after the contract`,
          );
        const proofs = rehearsal.proofs.map((p) => `"${p.statement}" (${p.calls ?? "?"} call(s)): ${p.error}`);
        return `${rehearsal.proofs.length} of ${rehearsal.statements} statement(s) of v${v1.version} work after expand and fail after the contract: ${proofs.join("; ")}`;
      },
    );
    await t.step(
      "the v1 worker is stopped; a second backfill pass carries the late rows over",
      "succeeds",
      async () => {
        const { written, batches } = await backfill();
        const result = await inspect();
        if (result.rows !== 0) throw new Error(`the data check still finds ${result.rows} row(s)`);
        return `${written} rows written in ${batches} batch(es); the data check returns no rows`;
      },
    );
    await t.step('the gate\'s "Data is carried over" passes', "succeeds", async () => {
      const { data } = gate();
      if (data.status !== "pass") throw new Error(`${data.status}: ${data.message}`);
      return data.message;
    });
    await t.step("contract: users.email is dropped and no email is lost", "succeeds", async () => {
      const before = (await query<{ n: number }>("select count(email)::int as n from users"))[0]!.n;
      await db.exec(LATE_CONTRACT_SQL);
      const after = (await query<{ n: number }>("select count(email_address)::int as n from users"))[0]!.n;
      if (after !== before) throw new Error(`${before} emails before the contract, ${after} after`);
      await v2.healthCheck(db, true);
      return `${after} of ${before} emails kept in users.email_address; v2 healthy`;
    });
    return { steps: t.steps, notCarriedOver, check: plan ? checkName(plan) : "", gateMessage, rehearsal };
  } finally {
    await db.close().catch(() => {});
  }
}
