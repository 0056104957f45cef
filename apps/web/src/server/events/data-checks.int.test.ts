import { afterAll, describe, expect, it, vi } from "vitest";

// Data checks at the HTTP edge, on PGlite and on PostgreSQL: a check that is not one read-only
// SELECT is a 400 naming it and nothing is recorded; the declared ones are served to
// `rollgate inspect` (gate:read, scoped to the environment) with their checksums.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { apiTokens, dataChecks, releases, webhookDeliveries } = await import("@rollgate/db/schema");
const { eq } = await import("drizzle-orm");
const support = await import("../../../test/integrations");
const events = await import("@/app/api/v1/events/route");
const route = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/data-checks/route");
const gateRoute = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/route");
const { db } = await database();
afterAll(() => closeDatabase());

const CHECK = "SELECT id FROM invoices WHERE email IS NOT NULL AND billing_email IS DISTINCT FROM email";
const release = (data_checks: unknown) => ({
  title: "Billing e-mail",
  author: "dev@example.com",
  app_version: "2.0.0",
  data_checks,
});

function post(svc: Awaited<ReturnType<typeof support.testService>>, data: unknown) {
  const body = JSON.stringify({
    type: "release.created",
    service: svc.slug,
    environment: "staging",
    release: "r1",
    occurred_at: new Date().toISOString(),
    data,
  });
  return events.POST(support.signed(svc, "http://rollgate.test/api/v1/events", body), { params: Promise.resolve({}) });
}

const read = (svc: { slug: string; token: string }, environment = "staging") => {
  const params = { service: svc.slug, environment, release: "r1" };
  return route.GET(
    new Request(`http://rollgate.test/api/v1/rollouts/${svc.slug}/${environment}/r1/data-checks`, {
      headers: { authorization: `Bearer ${svc.token}` },
    }),
    { params: Promise.resolve(params) },
  );
};

describe("data checks over HTTP", () => {
  it.each([
    ["writes", "UPDATE invoices SET billing_email = email", /not a SELECT but a UPDATE statement/],
    ["two", "SELECT id FROM invoices; DELETE FROM invoices", /holds 2 statements/],
    ["locks", "SELECT id FROM invoices FOR UPDATE", /FOR UPDATE\/SHARE/],
    ["cte", "WITH d AS (UPDATE invoices SET email = NULL RETURNING id) SELECT id FROM d", /data-modifying UPDATE/],
  ])("refuses check %s with a 400 naming it, and records nothing", async (name, sql, reason) => {
    const svc = await support.testService(db, "dc");
    const answer = await post(
      svc,
      release([
        { name: "fine", sql: CHECK },
        { name, sql },
      ]),
    );
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as { error: { code: string; message: string; details: unknown } };
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(new RegExp(`^Data check "${name}" is refused: `));
    expect(error.message).toMatch(reason);
    expect(error.details).toEqual([{ path: "data.data_checks.1.sql", name, message: error.message }]);
    const [rel] = await db.select().from(releases).where(eq(releases.serviceId, svc.serviceId));
    expect(rel).toBeUndefined();
    const [token] = await db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.serviceId, svc.serviceId));
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.tokenId, token!.id))).toEqual([]);
  });

  it("serves the declared checks with their checksums to a gate:read token of the environment, and no other", async () => {
    const svc = await support.testService(db, "dc");
    expect((await post(svc, release([{ name: "billing-email-copied", sql: CHECK }]))).status).toBe(202);
    const answer = await read(svc);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { checks: Array<Record<string, unknown>> };
    expect(body.checks).toEqual([
      {
        name: "billing-email-copied",
        sql: CHECK,
        checksum: support.sum(CHECK),
        source: "release",
        declared_at: expect.any(String),
      },
    ]);
    expect((await read(svc, "production")).status).toBe(403);
    const other = await support.testService(db, "dc");
    expect((await read({ slug: svc.slug, token: other.token })).status).toBe(403);
    const stored = await db
      .select()
      .from(dataChecks)
      .where(eq(dataChecks.checksum, support.sum(CHECK)));
    expect(stored.length).toBeGreaterThan(0);
    // The gate (the approval panel's source) shows the check with its title and evidence.
    const params = { service: svc.slug, environment: "staging", release: "r1" };
    const gate = await gateRoute.GET(
      new Request(`http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/r1/gate`, {
        headers: { authorization: `Bearer ${svc.token}` },
      }),
      { params: Promise.resolve(params) },
    );
    const verdict = (await gate.json()) as { checks: Array<Record<string, unknown>> };
    expect(verdict.checks.find((c) => c.id === "data")).toMatchObject({
      title: "Data is carried over",
      status: "pending",
      blocking: true,
      overridden: false,
      details: { kind: "data", checks: [{ name: "billing-email-copied", status: "pending", rows: null }] },
    });
  });
});
