import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import type * as Runtime from "@rollgate/db/runtime";
import { makeRelease } from "../../../../../packages/db/test/fixtures.ts";

// The overview evaluates the gate of every rollout in its window: the number of statements it
// sends must not grow with the number of rollouts (it did: one evaluation, eight queries, each).

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
const counter = vi.hoisted(() => ({ statements: 0 }));
vi.mock("@rollgate/db/runtime", async (importOriginal) => {
  const real = await importOriginal<typeof Runtime>();
  const handle = await real.database();
  const schema = await import("@rollgate/db/schema");
  const logger = { logQuery: () => void (counter.statements += 1) };
  const client = (handle.db as unknown as { $client: never }).$client;
  const db =
    handle.kind === "pglite"
      ? (await import("drizzle-orm/pglite")).drizzle({ client, schema, casing: "snake_case", logger })
      : (await import("drizzle-orm/postgres-js")).drizzle({ client, schema, casing: "snake_case", logger });
  return { ...real, database: async () => ({ ...handle, db }) };
});
// A signed-in admin, so the per-user attention (approvals waiting for me) is worked out too.
const admin = {
  id: randomUUID(),
  email: "admin@example.com",
  name: null,
  roles: [{ role: "admin" as const, serviceId: null }],
};
vi.mock("../auth/current-user", () => ({ currentUser: async () => admin }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { rollouts } = await import("@rollgate/db/schema");
const { getOverview } = await import("./get-overview");
const { db } = await database();
afterAll(() => closeDatabase());

/** The services this test made: on PostgreSQL other test files add rollouts to the same database meanwhile. */
const mine = new Set<string>();

/** Services whose staging and production rollouts are both in their window. */
async function addServicesInWindow(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const made = await makeRelease(db);
    mine.add(made.service.slug);
    for (const r of made.rollouts)
      await db
        .update(rollouts)
        .set({
          state: "verifying",
          windowStartedAt: new Date(Date.now() - 20 * 60_000),
          flagPercent: 100,
          contractChecksum: "c".repeat(64),
        })
        .where(eq(rollouts.id, r.id));
  }
}

async function statementsOfOverview(): Promise<{ statements: number; gates: number }> {
  counter.statements = 0;
  const overview = await getOverview();
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
