import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";

// `GET /api/v1/services/{service}/environments/{environment}/versions/{version}/statements` on
// PGlite and on PostgreSQL: two inspections sent through the events route teach the deployed
// version's statements, which a gate:read token of the environment reads and no other token does.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { environments } = await import("@rollgate/db/schema");
const { readDbEnv } = await import("@rollgate/db/env");
const { createApiToken } = await import("@rollgate/db/queries/tokens");
const { observedStatementsResponseSchema } = await import("@rollgate/core/contract/rehearsal");
const { defaultPolicy } = await import("@rollgate/core/policy");
const support = await import("../../../test/integrations");
const route =
  await import("@/app/api/v1/services/[service]/environments/[environment]/versions/[version]/statements/route");
const { db } = await database();
afterAll(() => closeDatabase());

const READ = 'SELECT "id", "email" FROM "invoices" WHERE "id" = $1';
const WRITE = 'UPDATE "invoices" SET "total" = $1 WHERE "id" = $2';

const inspection = (workload?: Array<{ id: string; text: string; calls: number; role?: string }>) => ({
  format: 1,
  server: { version: "16", started_at: "2026-01-01T00:00:00Z", database: "app" },
  statistics: { available: true, track: "top", stats_reset: null, dealloc: 0, statements: 2, unresolved: 0 },
  statements: [],
  usage: { invoices: "=1,email=1" },
  usage_complete: true,
  ...(workload ? { workload, workload_complete: true } : {}),
  expand: [],
  tables: [],
  sessions: [],
  duration_ms: 1,
});

function read(slug: string, token: string, version = "2.0.0", environment = "staging") {
  const params = { service: slug, environment, version };
  return route.GET(
    new Request(
      `http://rollgate.test/api/v1/services/${slug}/environments/${environment}/versions/${version}/statements`,
      { headers: { authorization: `Bearer ${token}` } },
    ),
    { params: Promise.resolve(params) },
  );
}

async function tokenFor(serviceId: string, envs: string[], scopes: Array<"events:write" | "gate:read">) {
  const created = await createApiToken(db, {
    serviceId,
    name: `t-${randomUUID().slice(0, 6)}`,
    environments: envs,
    scopes,
    createdBy: "test",
    secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
  });
  return created.token;
}

describe("observed statements over HTTP", () => {
  it("answers the statements the deployed version ran between two inspections, to a gate:read token of the environment", async () => {
    const svc = await support.testService(db, "obs");
    await support.startWindow(svc, "r1", "2.0.0", new Date());
    // An older CLI's inspection (no workload) teaches nothing: not yet observed.
    await support.send(svc, "r1", "database.inspected", inspection());
    await support.send(svc, "r1", "database.inspected", inspection([{ id: "11", text: READ, calls: 5, role: "app" }]));
    const never = await read(svc.slug, svc.token);
    expect(never.status).toBe(404);
    expect(await never.json()).toEqual({
      error: {
        code: "not_found",
        message: expect.stringMatching(/observed no statements of version 2\.0\.0 of obs-\w+ in staging/),
      },
    });

    await support.send(
      svc,
      "r1",
      "database.inspected",
      inspection([
        { id: "11", text: READ, calls: 9, role: "app" },
        { id: "12", text: WRITE, calls: 2, role: "worker" },
        { id: "13", text: "SELECT $1", calls: 0 },
      ]),
    );
    const answer = await read(svc.slug, svc.token);
    expect(answer.status).toBe(200);
    const body = observedStatementsResponseSchema.parse(await answer.json());
    expect(body).toMatchObject({ service: svc.slug, environment: "staging", version: "2.0.0", complete: true });
    expect(body.statements).toEqual([
      { id: "11", text: READ, calls: 4, role: "app" },
      { id: "12", text: WRITE, calls: 2, role: "worker" },
    ]);
    expect(Date.parse(body.from)).toBeLessThan(Date.parse(body.to));

    // A version never observed here.
    const unknown = await read(svc.slug, svc.token, "9.9.9");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("refuses a token of another environment, of another service, or without gate:read (403), and no token (401)", async () => {
    const svc = await support.testService(db, "obs");
    await db.insert(environments).values({
      serviceId: svc.serviceId,
      name: "production",
      position: 1,
      policy: defaultPolicy("production"),
    });
    const production = await tokenFor(svc.serviceId, ["production"], ["gate:read"]);
    expect((await read(svc.slug, production)).status).toBe(403);
    // The same token reads its own environment (nothing observed there: 404, not 403).
    expect((await read(svc.slug, production, "2.0.0", "production")).status).toBe(404);
    const other = await support.testService(db, "obs");
    expect((await read(svc.slug, other.token)).status).toBe(403);
    const writer = await tokenFor(svc.serviceId, ["staging"], ["events:write"]);
    expect((await read(svc.slug, writer)).status).toBe(403);
    expect((await read(svc.slug, "rg_nope")).status).toBe(401);
  });
});
