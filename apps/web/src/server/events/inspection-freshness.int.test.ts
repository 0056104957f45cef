import { afterAll, describe, expect, it, vi } from "vitest";

// Issue 26, findings 5 and 17, through the signed ingest on PGlite and PostgreSQL: an inspection
// carries the database's own clock and identity, and of one database Rollgate stores only what
// is newer than what it holds (a re-send or an older summary is refused, nothing stored); the
// window-start inspection that a gate compares with is one taken for that very rollout.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { inspections } = await import("@rollgate/db/schema");
const { eq } = await import("drizzle-orm");
const support = await import("../../../test/integrations");
const events = await import("@/app/api/v1/events/route");
const { evaluateRolloutGate, rolloutOr404 } = await import("@rollgate/app/gate/evaluate-rollout-gate");
const { db } = await database();
afterAll(() => closeDatabase());

type Svc = Awaited<ReturnType<typeof support.testService>>;
const CLUSTER = "7316398991098968221";
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

function summary(
  now: string | null,
  patch: { window_start?: boolean; system_identifier?: string; calls?: number } = {},
) {
  return {
    format: 1,
    ...(patch.window_start ? { window_start: true } : {}),
    server: {
      version: "15.8",
      started_at: "2026-11-01T00:00:00.000Z",
      database: "app",
      ...(now ? { now, system_identifier: patch.system_identifier ?? CLUSTER } : {}),
    },
    statistics: {
      available: true,
      track: "all",
      stats_reset: "2026-11-01T00:00:00.000Z",
      dealloc: 0,
      statements: 40,
      unresolved: 0,
    },
    contract_checksum: support.sum(support.CONTRACT),
    expand_checksum: support.sum(support.EXPAND),
    statements: [
      {
        id: "42",
        calls: patch.calls ?? 100,
        text: "select u.email from users u where u.id = $1",
        objects: ["public.users.email"],
      },
    ],
    usage: {},
    usage_complete: true,
    expand: [],
    tables: [],
    sessions: [],
    duration_ms: 12,
  };
}

/** A signed `database.inspected` for `release`; its answer's status and body. */
async function inspect(svc: Svc, release: string, data: unknown) {
  const body = JSON.stringify({
    type: "database.inspected",
    service: svc.slug,
    environment: "staging",
    release,
    occurred_at: new Date().toISOString(),
    data,
  });
  const request = support.signed(svc, "http://rollgate.test/api/v1/events", body);
  const response = await events.POST(request, { params: Promise.resolve({}) });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string; details: { reason?: string } } },
  };
}

const held = async (svc: Svc) =>
  (await db.select({ id: inspections.id }).from(inspections).where(eq(inspections.environmentId, svc.environmentId)))
    .length;

describe("finding 5: Rollgate refuses an inspection that is not newer than what it holds of that database", () => {
  it("finding 5: a byte-identical re-send of the window-start inspection is refused (409 inspection_repeated), nothing stored", async () => {
    const svc = await support.testService(db, "insp-rep", { database: { checks: "blocking" } });
    await support.startWindow(svc, "r1", "2.0.0", new Date());
    const first = summary(minutes(-2), { window_start: true });
    expect((await inspect(svc, "r1", first)).status).toBe(202);
    const again = await inspect(svc, "r1", structuredClone(first));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "conflict", details: { reason: "inspection_repeated" } });
    expect(again.body.error!.message).toMatch(/already holds this inspection of database cluster 7316398991098968221/);
    expect(await held(svc)).toBe(1);
  });

  it("finding 5: an inspection older than the newest one held of that database is refused (409 inspection_older), nothing stored", async () => {
    const svc = await support.testService(db, "insp-old", { database: { checks: "blocking" } });
    await support.startWindow(svc, "r1", "2.0.0", new Date());
    expect((await inspect(svc, "r1", summary(minutes(-3), { window_start: true }))).status).toBe(202);
    expect((await inspect(svc, "r1", summary(minutes(-1), { calls: 150 }))).status).toBe(202);
    const late = await inspect(svc, "r1", summary(minutes(-2), { calls: 100 }));
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: "conflict", details: { reason: "inspection_older" } });
    expect(await held(svc)).toBe(2);
    // Another cluster is another line: its first inspection is stored, whatever its clock.
    expect((await inspect(svc, "r1", summary(minutes(-30), { system_identifier: "7000000000000000001" }))).status).toBe(
      202,
    );
    // A clock far in the future would lock out every later inspection of its database.
    const ahead = await inspect(svc, "r1", summary(minutes(30), { calls: 160 }));
    expect(ahead.status).toBe(409);
    expect(ahead.body.error).toMatchObject({ details: { reason: "inspection_clock_ahead" } });
    expect(await held(svc)).toBe(3);
    // The one that failed the check stays the recent one: still a fail, never a pass.
    const gate = await evaluateRolloutGate(
      db,
      await rolloutOr404(db, { service: svc.slug, environment: "staging", release: "r1" }),
      new Date(),
    );
    expect(gate.verdict.checks.find((c) => c.id === "usage")!.status).not.toBe("pass");
  });
});

describe("finding 17: the window-start inspection is bound to the rollout it was taken for", () => {
  it("finding 17: another release's window-start inspection just before this window's start is not its baseline", async () => {
    const svc = await support.testService(db, "insp-bind", { database: { checks: "blocking" } });
    await support.startWindow(svc, "r0", "1.9.0", new Date());
    expect((await inspect(svc, "r0", summary(minutes(-1), { window_start: true }))).status).toBe(202);
    await support.startWindow(svc, "r1", "2.0.0", new Date());
    const gateOf = async () =>
      (
        await evaluateRolloutGate(
          db,
          await rolloutOr404(db, { service: svc.slug, environment: "staging", release: "r1" }),
          new Date(),
        )
      ).verdict.checks.find((c) => c.id === "usage")!;
    let usage = await gateOf();
    expect(usage.details).toMatchObject({ kind: "usage", baselineAt: null });
    expect(usage.message).toMatch(/--window-start/);
    // r1's own window-start inspection is its baseline.
    expect((await inspect(svc, "r1", summary(minutes(0), { window_start: true }))).status).toBe(202);
    usage = await gateOf();
    expect(usage.details).toMatchObject({ kind: "usage", baselineAt: expect.any(Date) });
  });
});
