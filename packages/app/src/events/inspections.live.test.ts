import { createHash, randomUUID } from "node:crypto";
import postgres from "postgres";
import { collectInspection } from "@rollgate/core/inspect/collect";
import { defaultPolicy } from "@rollgate/core/policy";
import type { EventBody } from "@rollgate/core/contract/events";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// Through the server: `database.inspected` events from a real PostgreSQL with
// pg_stat_statements, the gate's new check, and rollback eligibility from observed manifests.

delete process.env.DATABASE_URL;
process.env.ROLLGATE_DATA_DIR = "memory://";
const { openDatabase } = await import("@rollgate/db/client");
const { migrateDatabase } = await import("@rollgate/db/migrate");
const schema = await import("@rollgate/db/schema");
const { ingestEvent } = await import("./ingest-event");
const { evaluateRolloutGate, rolloutOr404 } = await import("../gate/evaluate-rollout-gate");
const { checkEligibility } = await import("../eligibility/check-eligibility");
const { freshStatsDatabase } = await import("../../../cli/test/fresh-stats-database.ts");
const { connect } = await import("../../../cli/src/database/connect.ts");

const handle = await openDatabase({ dataDir: "memory://" });
await migrateDatabase(handle);
const db = handle.db;
const sum = (s: string) => createHash("sha256").update(s).digest("hex");
const EXPAND = "alter table invoices add column billing_email text;";
const CONTRACT = "alter table invoices drop column email;";

let appDb: Awaited<ReturnType<typeof freshStatsDatabase>>;
let app: postgres.Sql;
let token: Parameters<typeof ingestEvent>[0]["token"];
const slug = `insp-${randomUUID().slice(0, 6)}`;
// Receipt times start at the real time: an inspection carries the database's own clock, and
// Rollgate refuses one taken more than five minutes after it received it (finding 5).
let clock = Date.now();
const tick = (minutes: number) => new Date((clock += minutes * 60_000));

beforeAll(async () => {
  appDb = await freshStatsDatabase(inject("statsDatabaseUrl"));
  app = postgres(appDb.url, { max: 1, onnotice: () => undefined });
  await app.unsafe(
    "create table invoices (id int primary key, email text, total int); insert into invoices values (1, 'a@example.com', 1);",
  );
  const [svc] = await db.insert(schema.services).values({ slug, name: slug }).returning();
  await db.insert(schema.environments).values({
    serviceId: svc!.id,
    name: "staging",
    position: 0,
    policy: { ...defaultPolicy("staging"), database: { checks: "blocking" } },
  });
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
  await appDb?.drop();
  await handle.close();
});

async function send(type: EventBody["type"], release: string, data: unknown, minutes = 1) {
  const now = tick(minutes);
  const body = {
    type,
    service: slug,
    environment: "staging",
    release,
    occurred_at: now.toISOString(),
    data,
  } as EventBody;
  const result = await ingestEvent({ db, token, now, webhookId: randomUUID(), body });
  expect(result.outcome, JSON.stringify(result)).toBe("accepted");
  return now;
}
async function inspect(release: string, windowStart = false) {
  const c = connect(appDb.url);
  try {
    await send(
      "database.inspected",
      release,
      await collectInspection(c.query, {
        contract: { sql: CONTRACT, checksum: sum(CONTRACT) },
        expand: { sql: EXPAND, checksum: sum(EXPAND) },
        windowStart,
      }),
      5,
    );
  } finally {
    await c.close();
  }
}
const v1 = () => app.unsafe("select i.email, i.total from invoices i where i.id = $1", [1]);
const v2 = () => app.unsafe("select id, total, billing_email from invoices where id = $1", [1]);
const gate = async (release: string) =>
  (
    await evaluateRolloutGate(
      db,
      await rolloutOr404(db, { service: slug, environment: "staging", release }),
      new Date(clock),
    )
  ).verdict;

describe("database.inspected through the server", () => {
  it("learns what v1 and v2 use, fails the gate while v1 still reads invoices.email, and answers eligibility from observed manifests", async () => {
    // v1 is live, reading email; two inspections observe it.
    const base = "create table if not exists notes (id int);";
    await send("release.created", "r1", {
      title: "v1",
      author: "a@example.com",
      app_version: "1.0.0",
      expand_sql: base,
    });
    for (const type of ["migration.started", "migration.succeeded"] as const)
      await send(type, "r1", { phase: "expand", name: "expand.sql", checksum: sum(base) });
    await send("app.deployed", "r1", { version: "1.0.0" });
    await inspect("r1");
    await v1();
    await v1();
    await inspect("r1");
    // 1.5.0 replaces it and no longer reads email.
    await send("app.deployed", "r1", { version: "1.5.0" });
    await inspect("r1");
    await app.unsafe("select id, total from invoices where id = $1", [1]);
    await inspect("r1");

    // Release r2 (v2) expands, deploys and reaches 100 %; the window starts.
    await send("release.created", "r2", {
      title: "v2",
      author: "a@example.com",
      app_version: "2.0.0",
      expand_sql: EXPAND,
      contract_sql: CONTRACT,
    });
    await app.unsafe(EXPAND);
    for (const type of ["migration.started", "migration.succeeded"] as const)
      await send(type, "r2", { phase: "expand", name: "expand.sql", checksum: sum(EXPAND) });
    await send("app.deployed", "r2", { version: "2.0.0" });
    await send("flag.changed", "r2", { flag: "v2", percent: 100 });
    await inspect("r2", true);
    await v2();
    await v1(); // v1 keeps running somewhere
    await inspect("r2");
    let usage = (await gate("r2")).checks.find((c) => c.id === "usage")!;
    expect(usage.status).toBe("fail");
    expect(usage.message).toMatch(/select i\.email, i\.total from invoices i where i\.id = \$1/);
    expect((await gate("r2")).checks.find((c) => c.id === "expand_live")!.status).toBe("pass");

    // v1 stops; only v2 runs until the next inspection.
    await v2();
    await inspect("r2");
    usage = (await gate("r2")).checks.find((c) => c.id === "usage")!;
    expect(usage.status, usage.message).toBe("pass");

    // The contract ran (recorded as a run of r2's contract), then: can we roll back?
    const [row] = await db
      .select({ id: schema.rollouts.id })
      .from(schema.rollouts)
      .innerJoin(schema.releases, (await import("drizzle-orm")).eq(schema.releases.id, schema.rollouts.releaseId))
      .where((await import("drizzle-orm")).eq(schema.releases.key, "r2"));
    await db.insert(schema.migrationRuns).values({
      rolloutId: row!.id,
      phase: "contract",
      name: "contract.sql",
      checksum: sum(CONTRACT),
      status: "succeeded",
      startedAt: tick(10),
    });
    const back1 = await checkEligibility(db, { service: slug, environment: "staging", version: "1.0.0" });
    expect(back1).toMatchObject({ verdict: "UNSAFE", manifest: { source: "observed" } });
    expect(back1.reasons[0]!.message).toMatch(
      /dropped column invoices.email .* 1.0.0 reads public.invoices.email \(observed by inspections/,
    );
    const back15 = await checkEligibility(db, { service: slug, environment: "staging", version: "1.5.0" });
    expect(back15).toMatchObject({ verdict: "SAFE", manifest: { source: "observed" } });
    expect(back15.reasons[0]!.message).toMatch(/observed by inspections/);
    // 2.0.0 was deployed while 1.0.0 still read email: the interval is attributed to the
    // deployed version, so 2.0.0 inherits the use (conservative, never SAFE by mistake).
    expect((await checkEligibility(db, { service: slug, environment: "staging", version: "2.0.0" })).verdict).toBe(
      "UNSAFE",
    );
  });
});
