import { planDataChecks } from "@rollgate/core/contract/data-checks";
import type { Inspection } from "@rollgate/core/contract/inspection";
import { dataCheck } from "@rollgate/core/gate";
import { defaultPolicy } from "@rollgate/core/policy";
import { eq } from "drizzle-orm";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { insertDataCheckRuns, listDataChecks, lockDataChecks, saveDataChecks } from "../src/queries/data-checks.ts";
import { loadGateFacts } from "../src/queries/gate-facts.ts";
import { insertInspection } from "../src/queries/inspections.ts";
import { findRollout } from "../src/queries/rollouts.ts";
import { dataCheckRuns, inspections, rollouts } from "../src/schema/index.ts";
import { transaction } from "../src/transaction.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase } from "./harness.ts";

const { db } = await testDatabase();
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const MIN = 60_000;
const COPIED = "SELECT id FROM invoices WHERE email IS NOT NULL AND billing_email IS DISTINCT FROM email";
const EMAILS = "SELECT email FROM invoices WHERE billing_email IS NULL";
const summary = (
  data_checks: Inspection["data_checks"],
  declared_checks?: Inspection["declared_checks"],
): Inspection => ({
  format: 1,
  server: { version: "16", started_at: "2026-01-01T00:00:00Z", database: "app" },
  statistics: { available: true, track: "top", stats_reset: null, dealloc: 0, statements: 0, unresolved: 0 },
  statements: [],
  usage: {},
  usage_complete: true,
  expand: [],
  tables: [],
  sessions: [],
  duration_ms: 1,
  ...(data_checks ? { data_checks } : {}),
  ...(declared_checks ? { declared_checks } : {}),
});

async function setup(windowStartedAt: Date | null) {
  const made = await makeRelease(db);
  const staging = made.rollouts.find(
    (r) => r.environmentId === made.environments.find((e) => e.name === "staging")!.id,
  )!;
  await db.update(rollouts).set({ state: "verifying", windowStartedAt }).where(eq(rollouts.id, staging.id));
  const keys = { service: made.service.slug, environment: "staging", release: made.release.key };
  return { ...made, staging, keys };
}

async function declare(
  rolloutId: string,
  checks: Array<{ name: string; sql: string }>,
  source: "release" | "inspect",
  now: Date,
) {
  return transaction(db, async (tx) => {
    const plan = planDataChecks(
      await lockDataChecks(tx, rolloutId),
      checks.map((c) => ({ ...c, checksum: sha(c.sql) })),
      source,
      { replace: source === "release", contractStarted: false },
    );
    if (plan.ok) await saveDataChecks(tx, { rolloutId, source, upsert: plan.upsert, remove: plan.remove, now });
    return plan;
  });
}

async function inspect(
  env: string,
  rolloutId: string,
  receivedAt: Date,
  results: Inspection["data_checks"],
  declared?: Inspection["declared_checks"],
) {
  return insertInspection(db, {
    environmentId: env,
    rolloutId,
    eventId: crypto.randomUUID(),
    receivedAt,
    inspection: summary(results, declared),
  });
}

describe("data checks in the database", () => {
  it("stores a rollout's declarations with their checksum, re-pins a changed text and withdraws the release's dropped ones", async () => {
    const now = new Date();
    const { staging } = await setup(now);
    await declare(
      staging.id,
      [
        { name: "copied", sql: COPIED },
        { name: "other", sql: "SELECT 1 WHERE false" },
      ],
      "release",
      new Date(now.getTime() - MIN),
    );
    await declare(staging.id, [{ name: "copied", sql: `${COPIED} LIMIT 100` }], "release", now);
    const listed = await listDataChecks(db, staging.id);
    expect(listed).toEqual([
      {
        name: "copied",
        sql: `${COPIED} LIMIT 100`,
        checksum: sha(`${COPIED} LIMIT 100`),
        source: "release",
        declaredAt: now,
      },
    ]);
    const conflict = await declare(staging.id, [{ name: "copied", sql: "SELECT 2" }], "inspect", now);
    expect(conflict).toMatchObject({ ok: false, code: "data_check_conflict" });
    expect((await listDataChecks(db, staging.id))[0]!.checksum).toBe(sha(`${COPIED} LIMIT 100`));
  });

  it("keeps each result as a row and leaves the declared SQL out of the stored summary", async () => {
    const now = new Date();
    const { staging, environments } = await setup(now);
    const env = environments.find((e) => e.name === "staging")!.id;
    const { id } = await inspect(
      env,
      staging.id,
      now,
      [
        { name: "copied", checksum: sha(COPIED), rows: 3, sample_keys: ["1", "2", "3"], duration_ms: 4 },
        {
          name: "emails",
          checksum: sha(EMAILS),
          rows: 2,
          sample_keys: [],
          samples_withheld: "not_a_key_column",
          duration_ms: 1,
        },
      ],
      [
        { name: "copied", sql: COPIED },
        { name: "emails", sql: EMAILS },
      ],
    );
    const [stored] = await db.select({ summary: inspections.summary }).from(inspections).where(eq(inspections.id, id));
    expect(stored!.summary).not.toHaveProperty("declared_checks");
    expect(stored!.summary.data_checks).toHaveLength(2);
    const runs = await db
      .select()
      .from(dataCheckRuns)
      .where(eq(dataCheckRuns.inspectionId, id))
      .orderBy(dataCheckRuns.name);
    expect(runs).toMatchObject([
      {
        name: "copied",
        checksum: sha(COPIED),
        rows: 3,
        sampleKeys: ["1", "2", "3"],
        samplesWithheld: null,
        error: null,
      },
      { name: "emails", rows: 2, sampleKeys: [], samplesWithheld: "not_a_key_column", error: null },
    ]);
  });

  it("gives the gate each check's newest run of its own checksum since the window started", async () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ws = new Date(now.getTime() - 30 * MIN);
    const { staging, environments, keys } = await setup(ws);
    const env = environments.find((e) => e.name === "staging")!.id;
    const production = environments.find((e) => e.name === "production")!.id;
    await declare(
      staging.id,
      [
        { name: "copied", sql: COPIED },
        { name: "never-ran", sql: "SELECT 1 WHERE false" },
      ],
      "release",
      ws,
    );
    const result = (rows: number, checksum = sha(COPIED)) => [
      { name: "copied", checksum, rows, sample_keys: rows ? ["41"] : [], duration_ms: 2 },
    ];
    await inspect(env, staging.id, new Date(ws.getTime() - MIN), result(0)); // before the window: never counts
    await inspect(env, staging.id, new Date(ws.getTime() + MIN), result(5)); // an older run
    await inspect(env, staging.id, new Date(ws.getTime() + 2 * MIN), result(0, sha("SELECT 0"))); // another text
    await inspect(production, staging.id, new Date(ws.getTime() + 3 * MIN), result(0)); // another environment
    await inspect(env, staging.id, new Date(ws.getTime() + 4 * MIN), result(2)); // the newest that counts
    await inspect(env, staging.id, new Date(now.getTime() + MIN), result(0)); // after "now": not yet
    const facts = await loadGateFacts(db, (await findRollout(db, keys))!, now, 0);
    expect(facts.dataChecks).toEqual([
      {
        name: "copied",
        checksum: sha(COPIED),
        source: "release",
        declaredAt: ws,
        newest: {
          receivedAt: new Date(ws.getTime() + 4 * MIN),
          rows: 2,
          sampleKeys: ["41"],
          samplesWithheld: null,
          durationMs: 2,
          error: null,
        },
      },
      { name: "never-ran", checksum: sha("SELECT 1 WHERE false"), source: "release", declaredAt: ws, newest: null },
    ]);
    const check = dataCheck(facts.dataChecks, ws, defaultPolicy("staging"), now);
    expect(check.status).toBe("fail");
    expect(check.message).toContain('"copied" found 2 row(s) (keys 41, …)');
  });

  it("loads no checks and no runs for a rollout that declares none", async () => {
    const now = new Date();
    const { keys, environments, staging } = await setup(now);
    await insertDataCheckRuns(db, {
      inspectionId: (await inspect(environments[0]!.id, staging.id, now, undefined)).id,
      environmentId: environments[0]!.id,
      receivedAt: now,
      results: [],
    });
    const facts = await loadGateFacts(db, (await findRollout(db, keys))!, now, 0);
    expect(facts.dataChecks).toEqual([]);
  });
});
