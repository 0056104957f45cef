import { NOTIFICATION_EVENT_TYPES } from "@rollgate/core/integrations/notifications";
import { afterAll, describe, expect, it, vi } from "vitest";

// The events wired to notifications, through the real routes and the window watcher: each
// change queues one delivery per subscription in its own transaction, once.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
let clock = new Date();
vi.mock("../clock", () => ({ now: () => clock }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { createSubscription } = await import("@rollgate/db/queries/notifications");
const { leases, notificationDeliveries, overrides, rollouts, userRoles, users } = await import("@rollgate/db/schema");
const { eq } = await import("drizzle-orm");
const { DEFAULT_WORKER_CONFIG } = await import("@rollgate/worker");
const { watchWindows } = await import("@rollgate/worker/jobs/notifications");
const support = await import("../../../test/integrations");
const { CONTRACT, sum } = support;
const lease = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/lease/route");
const gateRoute = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/route");
const { db } = await database();
afterAll(() => closeDatabase());

const tick = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));
const watch = () =>
  watchWindows({
    db,
    now: () => clock,
    secretKey: "unused",
    config: { ...DEFAULT_WORKER_CONFIG, allowPrivateDestinations: true },
  });

describe("notifications raised by changes", () => {
  it("window ended, gate open, lease taken and contract succeeded are each queued once, with a link to the rollout", async () => {
    const svc = await support.testService(db, "ntf");
    const sub = await createSubscription(db, {
      serviceId: svc.serviceId,
      environmentId: null,
      kind: "slack",
      url: "http://127.0.0.1:3939/never",
      secretCiphertext: null,
      eventTypes: NOTIFICATION_EVENT_TYPES,
      createdBy: "test",
    });
    await support.startWindow(svc, "r1", "1.0.0", clock);
    await watch(); // sets the watcher's cursor
    tick(61);
    await watch();
    await watch(); // nothing new: the same window is not reported twice
    const held = await lease.POST(
      support.signed(svc, `http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/r1/gate/lease`, "{}", {
        "x-rollgate-holder": "ci-42",
      }),
      { params: Promise.resolve({ service: svc.slug, environment: "staging", release: "r1" }) },
    );
    expect(held.status).toBe(201);
    const { lease_id } = (await held.json()) as { lease_id: string };
    await support.send(
      svc,
      "r1",
      "migration.started",
      { phase: "contract", name: "c", checksum: sum(CONTRACT), lease_id },
      clock,
    );
    await support.send(
      svc,
      "r1",
      "migration.succeeded",
      { phase: "contract", name: "c", checksum: sum(CONTRACT), lease_id },
      clock,
    );

    // The contract's outcome ends its lease.
    const [ended] = await db.select().from(leases).where(eq(leases.id, lease_id));
    expect(ended).toMatchObject({ outcome: "succeeded", releasedAt: clock });
    const rows = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, sub.id));
    expect(rows.map((r) => r.eventType).sort()).toEqual([
      "contract.succeeded",
      "gate.open",
      "lease.taken",
      "window.ended",
    ]);
    const leaseTaken = rows.find((r) => r.eventType === "lease.taken")!;
    expect(leaseTaken.payload).toMatchObject({
      service: svc.slug,
      environment: "staging",
      release: "r1",
      path: `/rollouts/${svc.slug}/staging/r1`,
      summary: expect.stringContaining("ci-42"),
    });
    expect(rows.every((r) => r.status === "pending")).toBe(true);
  });

  it("a subscription for other events gets nothing", async () => {
    const svc = await support.testService(db, "ntf-off");
    const sub = await createSubscription(db, {
      serviceId: svc.serviceId,
      environmentId: null,
      kind: "slack",
      url: "http://127.0.0.1:3939/never",
      secretCiphertext: null,
      eventTypes: ["nogo.raised"],
      createdBy: "test",
    });
    await support.startWindow(svc, "r1", "1.0.0", clock);
    tick(61);
    const held = await lease.POST(
      support.signed(svc, `http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/r1/gate/lease`, "{}", {
        "x-rollgate-holder": "ci",
      }),
      { params: Promise.resolve({ service: svc.slug, environment: "staging", release: "r1" }) },
    );
    expect(held.status).toBe(201);
    expect(
      await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.subscriptionId, sub.id)),
    ).toEqual([]);
  });
});

describe("gate open with database checks blocking", () => {
  /** An inspection of the application's database for r1 (pg_stat_statements counters), taken at `at`. */
  const inspection = (at: Date, windowStart: boolean) => ({
    format: 1,
    ...(windowStart ? { window_start: true } : {}),
    server: {
      version: "15.8",
      started_at: "2026-11-01T00:00:00.000Z",
      database: "app",
      now: at.toISOString(),
      system_identifier: "7316398991098968221",
    },
    statistics: {
      available: true,
      track: "all",
      stats_reset: "2026-11-01T00:00:00.000Z",
      dealloc: 0,
      statements: 40,
      unresolved: 0,
    },
    contract_checksum: sum(CONTRACT),
    expand_checksum: sum(support.EXPAND),
    // The removed column's one query did not run during the window: nothing still uses it.
    statements: [
      { id: "42", calls: 100, text: "select u.email from users u where u.id = $1", objects: ["public.users.email"] },
    ],
    usage: {},
    usage_complete: true,
    expand: [],
    tables: [],
    sessions: [],
    duration_ms: 12,
  });

  it("issue 27: with database checks blocking and every check passing, the API says open and the worker queues exactly one gate.open", async () => {
    const svc = await support.testService(db, "ntf-dbgate", { database: { checks: "blocking" } });
    const sub = await createSubscription(db, {
      serviceId: svc.serviceId,
      environmentId: null,
      kind: "slack",
      url: "http://127.0.0.1:3939/never",
      secretCiphertext: null,
      eventTypes: ["gate.open"],
      createdBy: "test",
    });
    await support.startWindow(svc, "r1", "1.0.0", clock);
    await support.send(svc, "r1", "database.inspected", inspection(clock, true), clock);
    await watch();
    tick(61);
    await support.send(svc, "r1", "database.inspected", inspection(clock, false), clock);
    const answer = await gateRoute.GET(
      new Request(`http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/r1/gate`, {
        headers: { authorization: `Bearer ${svc.token}` },
      }),
      { params: Promise.resolve({ service: svc.slug, environment: "staging", release: "r1" }) },
    );
    const gate = (await answer.json()) as { allowed: boolean; checks: Array<{ id: string; status: string }> };
    expect(gate.checks.find((c) => c.id === "usage")?.status).toBe("pass");
    expect(gate.allowed).toBe(true);
    await watch();
    await watch(); // once: a second run adds nothing
    const rows = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, sub.id));
    expect(rows.map((r) => r.eventType)).toEqual(["gate.open"]);
  });
});

describe("no-go raised", () => {
  it("an incident opened for the environment is reported once for its rollout that still has a contract ahead", async () => {
    const svc = await support.testService(db, "ntf-nogo");
    const sub = await createSubscription(db, {
      serviceId: svc.serviceId,
      environmentId: svc.environmentId,
      kind: "slack",
      url: "http://127.0.0.1:3939/never",
      secretCiphertext: null,
      eventTypes: ["nogo.raised"],
      createdBy: "test",
    });
    await support.startWindow(svc, "r1", "1.0.0", clock);
    await watch();
    tick(5);
    await support.send(svc, "r1", "incident.opened", { key: "INC-7", title: "Checkout errors" }, clock);
    tick(5);
    await watch();
    await watch();
    const rows = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, sub.id));
    expect(rows.map((r) => [r.eventType, (r.payload as { summary: string }).summary])).toEqual([
      ["nogo.raised", "No-go from event: Checkout errors. The contract is blocked until it resolves."],
    ]);
  });
});

describe("approval requested", () => {
  it("is reported once when the window starts, naming who may approve (not the author, not other services' approvers)", async () => {
    const svc = await support.testService(db, "ntf-appr", {
      approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] },
    });
    const other = await support.testService(db, "ntf-other");
    const approver = `approver-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const stranger = `stranger-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await db
      .insert(users)
      .values([{ email: approver }, { email: stranger }, { email: "dev@example.com" }])
      .onConflictDoNothing();
    const ids = new Map(
      (await db.select({ id: users.id, email: users.email }).from(users)).map((u) => [u.email, u.id]),
    );
    await db.insert(userRoles).values([
      { userId: ids.get(approver)!, role: "approver", serviceId: svc.serviceId },
      { userId: ids.get("dev@example.com")!, role: "approver", serviceId: svc.serviceId },
      { userId: ids.get(stranger)!, role: "approver", serviceId: other.serviceId },
    ]);
    const sub = await createSubscription(db, {
      serviceId: svc.serviceId,
      environmentId: null,
      kind: "webhook",
      url: "http://127.0.0.1:3939/never",
      secretCiphertext: null,
      eventTypes: ["approval.requested"],
      createdBy: "test",
    });
    await watch();
    tick(1);
    await support.startWindow(svc, "r1", "1.0.0", clock);
    tick(1);
    await watch();
    await watch();
    const rows = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, sub.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.payload).toMatchObject({
      type: "approval.requested",
      facts: { "May approve": approver, Roles: "approver", Author: "dev@example.com (may not approve)" },
    });
  });
});

describe("override awaiting review", () => {
  it("is reported once when a break-glass override ends unreviewed, and not for one already reviewed", async () => {
    const svc = await support.testService(db, "ntf-review");
    const sub = await createSubscription(db, {
      serviceId: svc.serviceId,
      environmentId: null,
      kind: "slack",
      url: "http://127.0.0.1:3939/never",
      secretCiphertext: null,
      eventTypes: ["breakglass.awaiting_review"],
      createdBy: "test",
    });
    await support.startWindow(svc, "r1", "1.0.0", clock);
    const [rollout] = await db
      .select({ id: rollouts.id })
      .from(rollouts)
      .where(eq(rollouts.environmentId, svc.environmentId));
    const actor = `glass-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const [person] = await db.insert(users).values({ email: actor }).returning();
    const base = {
      rolloutId: rollout!.id,
      actorId: person!.id,
      role: "release_manager",
      justification: "hotfix",
      checks: ["slo"],
      createdAt: clock,
      expiresAt: new Date(clock.getTime() + 30_000),
    };
    const [open] = await db.insert(overrides).values(base).returning();
    await db.insert(overrides).values({ ...base, reviewedBy: person!.id, reviewedAt: clock, reviewNote: "fine" });
    await watch();
    tick(61);
    await watch();
    await watch();
    const rows = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, sub.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dedupeKey).toBe(`breakglass.awaiting_review:${open!.id}`);
    expect(rows[0]!.payload).toMatchObject({
      type: "breakglass.awaiting_review",
      summary: expect.stringContaining(`break-glass override of slo by ${actor}`),
    });
    expect(open!.reviewedAt).toBeNull();
  });
});
