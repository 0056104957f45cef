import { createHash, randomBytes, randomUUID } from "node:crypto";
import postgres from "postgres";
import type { EventBody } from "@rollgate/core/contract/events";
import { inspectionSchema } from "@rollgate/core/contract/inspection";
import { observedStatementsResponseSchema } from "@rollgate/core/contract/rehearsal";
import { collectInspection } from "@rollgate/core/inspect/collect";
import { defaultPolicy } from "@rollgate/core/policy";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connect } from "./connect.ts";
import { freshStatsDatabase } from "../../test/fresh-stats-database.ts";

// Observed statements (issue 29) on a real PostgreSQL with pg_stat_statements: what app v1 runs,
// under its own role, between two `rollgate inspect` runs is what Rollgate then lists for v1 (the
// use case behind `GET …/versions/{version}/statements`), and nothing the inspection ran itself.

delete process.env.DATABASE_URL;
process.env.ROLLGATE_DATA_DIR = "memory://";
const { openDatabase } = await import("@rollgate/db/client");
const { migrateDatabase } = await import("@rollgate/db/migrate");
const schema = await import("@rollgate/db/schema");
const { ingestEvent } = await import("@rollgate/app/events/ingest-event");
const { listObservedStatements } = await import("@rollgate/app/eligibility/list-observed-statements");

const handle = await openDatabase({ dataDir: "memory://" });
await migrateDatabase(handle);
const db = handle.db;
const sum = (s: string) => createHash("sha256").update(s).digest("hex");
const CONTRACT = "alter table invoices drop column email;";
const slug = `obs-${randomUUID().slice(0, 6)}`;
const role = `billing_v1_${randomBytes(4).toString("hex")}`;
let clock = Date.now();

let appDb: Awaited<ReturnType<typeof freshStatsDatabase>>;
let admin: postgres.Sql;
let app: postgres.Sql;
let token: Parameters<typeof ingestEvent>[0]["token"];

beforeAll(async () => {
  appDb = await freshStatsDatabase(inject("statsDatabaseUrl"));
  admin = postgres(appDb.url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`
    create table invoices (id int primary key, email text, total int);
    insert into invoices values (1, 'a@example.com', 1);
    create role ${role} login;
    grant select, insert, update on invoices to ${role};`);
  const url = new URL(appDb.url);
  url.username = role;
  app = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  const [svc] = await db.insert(schema.services).values({ slug, name: slug }).returning();
  await db
    .insert(schema.environments)
    .values({ serviceId: svc!.id, name: "staging", position: 0, policy: defaultPolicy("staging") });
  const [t] = await db
    .insert(schema.apiTokens)
    .values({
      serviceId: svc!.id,
      name: "ci",
      tokenPrefix: "rg_x",
      tokenHash: randomUUID(),
      secretCiphertext: "x",
      environments: ["staging"],
      scopes: ["events:write"],
      createdBy: "test",
    })
    .returning();
  token = { ...t!, serviceSlug: slug };
});
afterAll(async () => {
  await app?.end();
  await admin?.end();
  await appDb?.drop();
  const a = postgres(inject("statsDatabaseUrl"), { max: 1, onnotice: () => undefined });
  await a.unsafe(`drop role if exists ${role}`);
  await a.end();
  await handle.close();
});

async function send(type: EventBody["type"], data: unknown) {
  const now = new Date((clock += 60_000));
  const body = {
    type,
    service: slug,
    environment: "staging",
    release: "r1",
    occurred_at: now.toISOString(),
    data,
  } as EventBody;
  const result = await ingestEvent({ db, token, now, webhookId: randomUUID(), body });
  expect(result.outcome, JSON.stringify(result)).toBe("accepted");
}

async function inspect() {
  const c = connect(appDb.url, "rollgate inspect");
  try {
    const summary = await collectInspection(c.query, { contract: { sql: CONTRACT, checksum: sum(CONTRACT) } });
    expect(inspectionSchema.safeParse(summary).success).toBe(true);
    expect(summary.workload_complete).toBe(true);
    await send("database.inspected", summary);
    return summary;
  } finally {
    await c.close();
  }
}

const observed = async (version: string) =>
  observedStatementsResponseSchema.parse(
    await listObservedStatements({ db, params: { service: slug, environment: "staging", version } }),
  );

describe("observed statements from a real PostgreSQL", () => {
  it("lists exactly the statements v1 ran between two inspections, with their calls and role", async () => {
    const base = "create table if not exists notes (id int);";
    await send("release.created", { title: "v1", author: "a@example.com", app_version: "1.0.0", expand_sql: base });
    for (const type of ["migration.started", "migration.succeeded"] as const)
      await send(type, { phase: "expand", name: "expand.sql", checksum: sum(base) });
    await send("app.deployed", { version: "1.0.0" });
    await inspect();
    for (const id of [1, 1, 2]) await app.unsafe("select i.email, i.total from invoices i where i.id = $1", [id]);
    await app.unsafe("insert into invoices (id, email, total) values (7, 'b@example.com', 3)");
    const second = await inspect();
    // The inspection's own catalog reads are not in the workload; the application's are, under its role.
    expect(second.workload!.every((s) => !/pg_catalog|pg_stat_statements|pg_class/.test(s.text))).toBe(true);

    const v1 = await observed("1.0.0");
    expect(v1.complete).toBe(true);
    expect(v1.statements.map(({ text, calls, role: r }) => ({ text, calls, role: r }))).toEqual([
      { text: "select i.email, i.total from invoices i where i.id = $1", calls: 3, role },
      { text: "insert into invoices (id, email, total) values ($1, $2, $3)", calls: 1, role },
    ]);
    expect(new Date(v1.from).getTime()).toBeLessThan(new Date(v1.to).getTime());

    // v2 replaces it: the interval with the deploy teaches nothing, the next one teaches v2's.
    await send("app.deployed", { version: "2.0.0" });
    await app.unsafe("select i.email, i.total from invoices i where i.id = $1", [1]);
    await inspect();
    await app.unsafe("update invoices set total = total + $1 where id = $2", [1, 1]);
    await inspect();
    const v2 = await observed("2.0.0");
    expect(v2.statements.map((s) => [s.text, s.calls, s.role])).toEqual([
      ["update invoices set total = total + $1 where id = $2", 1, role],
    ]);
    expect((await observed("1.0.0")).statements).toEqual(v1.statements);

    await expect(observed("0.9.0")).rejects.toMatchObject({
      code: "not_found",
      message: expect.stringMatching(/observed no statements of version 0\.9\.0/),
    });
  });
});
