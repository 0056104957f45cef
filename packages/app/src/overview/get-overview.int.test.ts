import { createHash, randomUUID } from "node:crypto";
import type { Db } from "@rollgate/db/client";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { makeRelease } from "../../../db/test/fixtures.ts";

// The overview evaluates the gate of every rollout in its window: the number of statements it
// sends must not grow with the number of rollouts (it did: one evaluation, eight queries, each).

process.env.ROLLGATE_DATA_DIR ??= "memory://";
const counter = { statements: 0, params: [] as unknown[][] };

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const schema = await import("@rollgate/db/schema");
const { rollouts } = schema;
const { getOverview } = await import("./get-overview");
const { evaluateRolloutGate } = await import("../gate/evaluate-rollout-gate");
const { findRollout } = await import("@rollgate/db/queries/rollouts");
const { openChecks } = await import("@rollgate/core/gate");
afterAll(() => closeDatabase());

// The process's database, every statement counted.
const handle = await database();
const logger = {
  logQuery: (_query: string, params: unknown[]) => {
    counter.statements += 1;
    counter.params.push(params);
  },
};
const client = (handle.db as unknown as { $client: never }).$client;
const db = (handle.kind === "pglite"
  ? (await import("drizzle-orm/pglite")).drizzle({ client, schema, casing: "snake_case", logger })
  : (await import("drizzle-orm/postgres-js")).drizzle({
      client,
      schema,
      casing: "snake_case",
      logger,
    })) as unknown as Db;

// A signed-in admin, so the per-user attention (approvals waiting for me) is worked out too.
const admin = {
  id: randomUUID(),
  email: "admin@example.com",
  name: null,
  roles: [{ role: "admin" as const, serviceId: null }],
};
const readOverview = () => getOverview({ db, now: new Date() }, admin);

/** The services this test made: on PostgreSQL other test files add rollouts to the same database meanwhile. */
const mine = new Set<string>();

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A service whose staging and production rollouts are both in their window, with these scripts (by default a contract checksum only). */
async function serviceInWindow(scripts: { expandSql?: string; contractSql?: string } = {}) {
  const made = await makeRelease(db);
  mine.add(made.service.slug);
  const { expandSql = null, contractSql = null } = scripts;
  for (const r of made.rollouts)
    await db
      .update(rollouts)
      .set({
        state: "verifying",
        windowStartedAt: new Date(Date.now() - 20 * 60_000),
        flagPercent: 100,
        expandSql,
        expandChecksum: expandSql && sha(expandSql),
        contractSql,
        contractChecksum: contractSql ? sha(contractSql) : "c".repeat(64),
      })
      .where(eq(rollouts.id, r.id));
  return made;
}

async function addServicesInWindow(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await serviceInWindow();
}

async function statementsOfOverview(): Promise<{ statements: number; gates: number }> {
  counter.statements = 0;
  const overview = await readOverview();
  return {
    statements: counter.statements,
    gates: overview.services
      .filter((s) => mine.has(s.slug))
      .flatMap((s) => s.environments)
      .filter((e) => e.gate).length,
  };
}

describe("the overview's queries", () => {
  it("sends as many statements for twenty rollouts in their window as for two", async () => {
    await addServicesInWindow(1);
    const few = await statementsOfOverview();
    await addServicesInWindow(9);
    const many = await statementsOfOverview();
    expect(many.gates - few.gates).toBe(18);
    expect(many.statements).toBe(few.statements);
    expect(few.statements).toBeLessThanOrEqual(6);
  });
});

describe("the overview's gates", () => {
  it("agree with the gate read, scripts analysed, though the overview reads a script's text only once per checksum", async () => {
    const table = `t_${randomUUID().replaceAll("-", "")}`;
    // A destructive expand: the expand check fails, which a script mistaken for "none" would pass.
    // Scripts no other test uses, so the analyser has not seen them.
    const made = await serviceInWindow({
      expandSql: `ALTER TABLE ${table} ADD COLUMN note text;\nALTER TABLE ${table} DROP COLUMN legacy;`,
      contractSql: `ALTER TABLE ${table} DROP COLUMN email;`,
    });
    const ids = new Set(made.rollouts.map((r) => r.id));
    /** The statements of one overview read that carried one of this test's rollout ids as a parameter. */
    const readsOfMine = () => counter.params.filter((p) => p.some((v) => typeof v === "string" && ids.has(v))).length;

    counter.params = [];
    const first = await readOverview();
    const scriptReads = readsOfMine();
    counter.params = [];
    const second = await readOverview();
    // The first read fetched the unseen scripts by rollout id; the second found their analysis cached.
    expect(scriptReads).toBe(1);
    expect(readsOfMine()).toBe(0);

    for (const overview of [first, second]) {
      const service = overview.services.find((s) => s.slug === made.service.slug)!;
      for (const environment of service.environments) {
        const row = await findRollout(db, {
          service: made.service.slug,
          environment: environment.name,
          release: made.release.key,
        });
        const { verdict } = await evaluateRolloutGate(db, row!, new Date(overview.now));
        expect(verdict.checks.find((c) => c.id === "expand")).toMatchObject({ status: "fail" });
        expect(environment.gate).toEqual({
          allowed: verdict.allowed,
          open: openChecks(verdict.checks).length,
          window_ends_at: verdict.windowEndsAt?.toISOString() ?? null,
        });
      }
    }
  });
});
