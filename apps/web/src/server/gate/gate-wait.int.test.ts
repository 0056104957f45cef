import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestService } from "../../../test/integrations";

// Waiting on the gate (issue 16): parked requests are woken by a write on another connection
// (PostgreSQL NOTIFY from migration 0010's triggers; PGlite's own notifications when embedded),
// by the instant the verdict changes with time alone, and share one evaluation per change.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
// The server's clock: real time plus an offset the tests move.
let offset = 0;
const now = () => new Date(Date.now() + offset);
vi.mock("../clock", () => ({ now: () => now() }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { openDatabase } = await import("@rollgate/db/client");
const { findRollout } = await import("@rollgate/db/queries/rollouts");
const { recordDecision } = await import("@rollgate/db/queries/approvals");
const { grantLease } = await import("@rollgate/db/queries/leases");
const { grantRole, upsertUser } = await import("@rollgate/db/queries/users");
const support = await import("../../../test/integrations");
const { createGateWaiters } = await import("./gate-waiters");
const { createApiToken } = await import("@rollgate/db/queries/tokens");
const { readDbEnv } = await import("@rollgate/db/env");
const gateRoute = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/route");
const waitRoute = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/wait/route");
const handle = await database();
const { db } = handle;
// A second connection where there can be one: the write must reach waiters through the database.
const other = handle.kind === "postgres" ? await openDatabase({ url: handle.url!, max: 1 }) : handle;
afterAll(async () => {
  if (other !== handle) await other.close();
  await closeDatabase();
});

let svc: TestService;
let approver: string;
const keys = (release: string) => ({ service: svc.slug, environment: "staging", release });

/** A rollout whose window (60 s) ends `endsInMs` from now, waiting for one approval or none. */
async function rollout(release: string, endsInMs: number) {
  offset = endsInMs - 60_000;
  await support.startWindow(svc, release, "2.0.0", now());
  offset = 0;
  return (await findRollout(db, keys(release)))!.rollout;
}

beforeAll(async () => {
  svc = await support.testService(db, "gatewait", {
    approvals: { required: 1, expirySeconds: 86_400, allowedRoles: ["approver"] },
  });
  await upsertUser(db, { email: "dev@example.com" }); // the releases' author, known: one approval is enough
  approver = (await upsertUser(db, { email: `approver-${svc.slug}@example.com` })).id;
  await grantRole(db, { userId: approver, role: "approver", serviceId: svc.serviceId });
});

const approve = (rolloutId: string) =>
  recordDecision(other.db, {
    rolloutId,
    approverId: approver,
    role: "approver",
    decision: "approve",
    comment: "",
    contractChecksum: support.sum(support.CONTRACT),
    at: now(),
  });

describe("waiting on the gate", () => {
  it("wakes a parked waiter when an approval is written on another connection", async () => {
    const r = await rollout("approved", -1000);
    const waiters = createGateWaiters({ handle, now, recheckMs: 600_000 });
    const first = await waiters.wait({ keys: keys("approved"), known: null, timeoutMs: 0 });
    expect(first).toMatchObject({
      changed: true,
      snapshot: {
        body: {
          allowed: false,
          checks: expect.arrayContaining([expect.objectContaining({ id: "approvals", status: "pending" })]),
        },
      },
    });
    const etag = first.changed ? first.snapshot.etag : "";
    const parked = waiters.wait({ keys: keys("approved"), known: etag, timeoutMs: 30_000 });
    await vi.waitFor(() => expect(waiters.stats().waiters).toBe(1));
    await approve(r.id);
    const woken = await parked;
    expect(woken).toMatchObject({ changed: true, snapshot: { body: { allowed: true } } });
    expect(woken.changed && woken.snapshot.etag).not.toBe(etag);
    expect(waiters.stats()).toMatchObject({ evaluations: 2, waiters: 0 });
  });

  it("wakes a parked waiter when the rollback window ends, with no write at all", async () => {
    await rollout("timed", 1500);
    const waiters = createGateWaiters({ handle, now, recheckMs: 600_000 });
    const first = await waiters.wait({ keys: keys("timed"), known: null, timeoutMs: 0 });
    expect(first).toMatchObject({
      changed: true,
      snapshot: {
        body: {
          checks: expect.arrayContaining([expect.objectContaining({ id: "rollback_window", status: "pending" })]),
        },
      },
    });
    const woken = await waiters.wait({
      keys: keys("timed"),
      known: first.changed ? first.snapshot.etag : "",
      timeoutMs: 30_000,
    });
    expect(woken).toMatchObject({
      changed: true,
      snapshot: {
        body: { checks: expect.arrayContaining([expect.objectContaining({ id: "rollback_window", status: "pass" })]) },
      },
    });
    expect(waiters.stats().evaluations).toBe(2);
  });

  it("answers 200 parked waiters of one rollout with one evaluation per change", async () => {
    const r = await rollout("shared", -1000);
    const waiters = createGateWaiters({ handle, now, recheckMs: 600_000, handoffMs: 0 });
    const first = await waiters.wait({ keys: keys("shared"), known: null, timeoutMs: 0 });
    const etag = first.changed ? first.snapshot.etag : "";
    const parked = Array.from({ length: 200 }, () =>
      waiters.wait({ keys: keys("shared"), known: etag, timeoutMs: 30_000 }),
    );
    await vi.waitFor(() => expect(waiters.stats().waiters).toBe(200));
    expect(waiters.stats()).toMatchObject({ evaluations: 1, watches: 1 });
    await approve(r.id);
    const answers = await Promise.all(parked);
    expect(new Set(answers.map((a) => a.changed && a.snapshot.etag)).size).toBe(1);
    expect(answers.every((a) => a.changed && a.snapshot.body.allowed)).toBe(true);
    expect(waiters.stats().evaluations).toBe(2);
  });

  it("hands an open gate to the longest waiter first; the others read the holder once it takes the lease", async () => {
    const r = await rollout("handoff", -1000);
    const waiters = createGateWaiters({ handle, now, recheckMs: 600_000, handoffMs: 60_000 });
    const first = await waiters.wait({ keys: keys("handoff"), known: null, timeoutMs: 0 });
    const etag = first.changed ? first.snapshot.etag : "";
    const oldest = waiters.wait({ keys: keys("handoff"), known: etag, timeoutMs: 30_000 });
    await vi.waitFor(() => expect(waiters.stats().waiters).toBe(1));
    const others = Array.from({ length: 5 }, () =>
      waiters.wait({ keys: keys("handoff"), known: etag, timeoutMs: 30_000 }),
    );
    await vi.waitFor(() => expect(waiters.stats().waiters).toBe(6));
    await approve(r.id);
    expect(await oldest).toMatchObject({ changed: true, snapshot: { body: { allowed: true } } });
    expect(waiters.stats().waiters).toBe(5);
    // A newcomer during the hand-off waits with them, though its tag is stale.
    const late = waiters.wait({ keys: keys("handoff"), known: etag, timeoutMs: 30_000 });
    await vi.waitFor(() => expect(waiters.stats().waiters).toBe(6));
    await grantLease(other.db, {
      rolloutId: r.id,
      tokenId: null,
      holder: "pipeline 1",
      now: now(),
      ttlSeconds: 600,
      kind: "gate",
      checksum: support.sum(support.CONTRACT),
    });
    for (const answer of await Promise.all([...others, late]))
      expect(answer).toMatchObject({
        changed: true,
        snapshot: {
          body: {
            allowed: false,
            checks: expect.arrayContaining([
              expect.objectContaining({ id: "lease", status: "fail", message: expect.stringContaining("pipeline 1") }),
            ]),
          },
        },
      });
  });

  it("answers 304 with the same tag when nothing changed before the timeout", async () => {
    await rollout("quiet", -1000);
    const waiters = createGateWaiters({ handle, now, recheckMs: 600_000 });
    const first = await waiters.wait({ keys: keys("quiet"), known: null, timeoutMs: 0 });
    const etag = first.changed ? first.snapshot.etag : "";
    expect(await waiters.wait({ keys: keys("quiet"), known: etag, timeoutMs: 300 })).toEqual({ changed: false, etag });
    expect(waiters.stats()).toMatchObject({ evaluations: 1, waiters: 0 });
  });

  it("at shutdown answers every parked waiter at once, as a timeout would, and parks no one after", async () => {
    await rollout("draining", -1000);
    const waiters = createGateWaiters({ handle, now, recheckMs: 600_000 });
    const first = await waiters.wait({ keys: keys("draining"), known: null, timeoutMs: 0 });
    const etag = first.changed ? first.snapshot.etag : "";
    const parked = Array.from({ length: 5 }, () =>
      waiters.wait({ keys: keys("draining"), known: etag, timeoutMs: 300_000 }),
    );
    await vi.waitFor(() => expect(waiters.stats().waiters).toBe(5));
    waiters.drain();
    expect(await Promise.all(parked)).toEqual(Array(5).fill({ changed: false, etag }));
    // Parked, this would outlast the test's own time limit.
    expect(await waiters.wait({ keys: keys("draining"), known: etag, timeoutMs: 300_000 })).toEqual({
      changed: false,
      etag,
    });
    expect(waiters.stats()).toMatchObject({ waiters: 0 });
  });
});

describe("GET …/gate/wait", () => {
  const get = (release: string, query = "", headers: Record<string, string> = {}, token = svc.token) =>
    waitRoute.GET(
      new Request(`http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/${release}/gate/wait${query}`, {
        headers: { authorization: `Bearer ${token}`, ...headers },
      }),
      { params: Promise.resolve(keys(release)) },
    );

  it("answers the verdict with a weak ETag, then 304 for that tag when nothing changes", async () => {
    await rollout("route", -1000);
    const first = await get("route", "?timeout=1");
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(await first.json()).toMatchObject({ service: svc.slug, release: "route", allowed: false });
    const unchanged = await get("route", "?timeout=0", { "if-none-match": etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("etag")).toBe(etag);
  });

  it("refuses a token of another environment as the gate does, and a bad timeout as JSON", async () => {
    const production = await createApiToken(db, {
      serviceId: svc.serviceId,
      name: "production only",
      environments: ["production"],
      scopes: ["gate:read"],
      createdBy: "test",
      secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
    });
    const refused = await get("route", "", {}, production.token);
    const onGate = await gateRoute.GET(
      new Request(`http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/route/gate`, {
        headers: { authorization: `Bearer ${production.token}` },
      }),
      { params: Promise.resolve(keys("route")) },
    );
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual(await onGate.json());
    const bad = await get("route", "?timeout=600");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_request" } });
    expect((await get("missing", "?timeout=0")).status).toBe(404);
  });
});
