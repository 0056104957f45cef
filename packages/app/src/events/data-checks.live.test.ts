import { createHash, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { eventBodySchema, type EventBody } from "@rollgate/core/contract/events";
import { defaultPolicy } from "@rollgate/core/policy";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// The acceptance "the old version keeps writing", on a real PostgreSQL: invoices(id, email,
// billing_email); the release declares a data check; one UPDATE backfills it while the old
// version keeps inserting rows with only email. The real `rollgate inspect` (its command
// function, against a stand-in Rollgate whose two routes call the same use cases as the web
// app's) reports the count and sample keys, the gate check "Data is carried over" fails naming
// the count and the lease is refused; a second pass plus a dual-write trigger clears it for good.

delete process.env.DATABASE_URL;
process.env.ROLLGATE_DATA_DIR = "memory://";
const { openDatabase } = await import("@rollgate/db/client");
const { migrateDatabase } = await import("@rollgate/db/migrate");
const schema = await import("@rollgate/db/schema");
const { eq } = await import("drizzle-orm");
const { ingestEvent } = await import("./ingest-event");
const { listDataChecks } = await import("../rollouts/list-data-checks");
const { evaluateRolloutGate, rolloutOr404 } = await import("../gate/evaluate-rollout-gate");
const { takeLease } = await import("../gate/take-lease");
const { AppError } = await import("../errors");
const { freshStatsDatabase } = await import("../../../cli/test/fresh-stats-database.ts");
const { inspectCommand } = await import("../../../cli/src/commands/inspect.ts");

const handle = await openDatabase({ dataDir: "memory://" });
await migrateDatabase(handle);
const db = handle.db;
const sum = (s: string) => createHash("sha256").update(s).digest("hex");
const EXPAND = "alter table invoices add column billing_email text;";
const CONTRACT = "alter table invoices drop column email;";
const CHECK = "SELECT id FROM invoices WHERE email IS NOT NULL AND billing_email IS DISTINCT FROM email";
const slug = `dc-${randomUUID().slice(0, 6)}`;
const keys = { service: slug, environment: "staging", release: "r1" };

let appDb: Awaited<ReturnType<typeof freshStatsDatabase>>;
let app: postgres.Sql;
let server: Server;
let token: Parameters<typeof ingestEvent>[0]["token"];
/** Requests the stand-in Rollgate received, by path. */
const received: string[] = [];
// Receipt times start at the real time (an inspection carries the database's clock).
let clock = Date.now();
const tick = (seconds: number) => new Date((clock += seconds * 1000));

/** The stand-in Rollgate: the events and data-checks routes, through the use cases. */
async function serve(req: IncomingMessage, res: ServerResponse) {
  received.push(`${req.method} ${req.url}`);
  const answer = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  try {
    if (req.method === "GET" && req.url === `/api/v1/rollouts/${slug}/staging/r1/data-checks`)
      return answer(200, await listDataChecks({ db, keys }));
    if (req.method === "POST" && req.url === "/api/v1/events") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = eventBodySchema.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      const webhookId = String(req.headers["webhook-id"]);
      const result = await ingestEvent({ db, token, now: tick(60), webhookId, body });
      if (result.outcome === "accepted") return answer(202, { event_id: result.eventId, duplicate: false });
      return answer(409, { error: { code: "conflict", message: result.rejection.message } });
    }
    answer(404, { error: { code: "not_found", message: "no such route" } });
  } catch (error) {
    if (error instanceof AppError)
      return answer(error.status, { error: { code: error.code, message: error.message, details: error.details } });
    answer(500, { error: { code: "internal", message: String(error) } });
  }
}

beforeAll(async () => {
  appDb = await freshStatsDatabase(inject("statsDatabaseUrl"));
  app = postgres(appDb.url, { max: 2, onnotice: () => undefined });
  await app.unsafe("create table invoices (id serial primary key, email text not null)");
  await app.unsafe("insert into invoices (email) select 'user' || g || '@example.com' from generate_series(1, 2000) g");
  const [svc] = await db.insert(schema.services).values({ slug, name: slug }).returning();
  // Every other check passes once a minute's window has elapsed: only the data decides.
  await db.insert(schema.environments).values({
    serviceId: svc!.id,
    name: "staging",
    position: 0,
    policy: {
      ...defaultPolicy("staging"),
      rollbackWindowSeconds: 60,
      approvals: { ...defaultPolicy("staging").approvals, required: 0 },
      database: { checks: "informational" },
    },
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
      scopes: ["events:write", "gate:read", "gate:lease"],
      createdBy: "test",
    })
    .returning();
  token = { ...t!, serviceSlug: slug };
  server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.env.ROLLGATE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.ROLLGATE_TOKEN = "rg_test";
  process.env.ROLLGATE_SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await app?.end();
  await appDb?.drop();
  await handle.close();
});

async function send(type: EventBody["type"], data: unknown, release = "r1") {
  const now = tick(60);
  const body = { type, ...keys, release, occurred_at: now.toISOString(), data } as EventBody;
  return ingestEvent({ db, token, now, webhookId: randomUUID(), body });
}

/** The real `rollgate inspect`, its stderr and exit code. */
async function inspect(extra: string[] = []) {
  const err: string[] = [];
  const io = { out: () => undefined, err: (t: string) => void err.push(t), interactive: false };
  const code = await inspectCommand(
    ["--database-url", appDb.url, "--service", slug, "--environment", "staging", "--release", "r1", ...extra],
    io,
  );
  return { code, err: err.join("\n") };
}

const gate = async () => {
  const { verdict } = await evaluateRolloutGate(db, await rolloutOr404(db, keys), new Date(clock));
  return verdict;
};
const dataCheck = async () => (await gate()).checks.find((c) => c.id === "data")!;
const lease = () =>
  takeLease({ db, token, keys, now: new Date(clock), holder: "ci", requestId: randomUUID() }).then(
    (l) => ({ granted: l }),
    (error: unknown) => ({ refused: error as InstanceType<typeof AppError> }),
  );
const stillMissing = async () =>
  (await app.unsafe<Array<{ id: number }>>(`${CHECK} ORDER BY id`)).map((r) => String(r.id));

async function rolloutRow() {
  const [row] = await db
    .select({ id: schema.rollouts.id })
    .from(schema.rollouts)
    .innerJoin(schema.releases, eq(schema.releases.id, schema.rollouts.releaseId))
    .where(eq(schema.releases.key, "r1"));
  return row!.id;
}

describe("data checks: the old version keeps writing", () => {
  it("refuses a check that is not one read-only SELECT, naming it, and records nothing", async () => {
    const bad = [
      ["writes", "UPDATE invoices SET billing_email = email", /not a SELECT but a UPDATE statement/],
      ["two-statements", "SELECT id FROM invoices; SELECT 1", /holds 2 statements/],
      ["locks", "SELECT id FROM invoices FOR UPDATE", /FOR UPDATE\/SHARE/],
      ["cte", "WITH gone AS (DELETE FROM invoices RETURNING id) SELECT id FROM gone", /data-modifying DELETE/],
    ] as const;
    for (const [name, sql, reason] of bad) {
      const refusal = await send("release.created", {
        title: "Billing e-mail",
        author: "dev@example.com",
        app_version: "2.0.0",
        data_checks: [
          { name: "fine", sql: CHECK },
          { name, sql },
        ],
      }).catch((error: unknown) => error as InstanceType<typeof AppError>);
      expect(refusal).toBeInstanceOf(AppError);
      const e = refusal as InstanceType<typeof AppError>;
      expect(e.status).toBe(400);
      expect(e.message).toMatch(new RegExp(`^Data check "${name}" is refused: `));
      expect(e.message).toMatch(reason);
      expect(e.details).toEqual([{ path: "data.data_checks.1.sql", name, message: e.message }]);
    }
    // Nothing was recorded: no release, no rollout, no check, no delivery.
    expect(
      await db
        .select()
        .from(schema.releases)
        .innerJoin(schema.services, eq(schema.services.id, schema.releases.serviceId))
        .where(eq(schema.services.slug, slug)),
    ).toEqual([]);
    expect(await db.select().from(schema.dataChecks)).toEqual([]);
    expect(
      await db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.tokenId, token.id)),
    ).toEqual([]);
  });

  it("fails the gate naming the count while the old version writes, refuses the lease, and passes once the data is carried over", async () => {
    expect(
      await send("release.created", {
        title: "Billing e-mail",
        author: "dev@example.com",
        app_version: "2.0.0",
        expand_sql: EXPAND,
        contract_sql: CONTRACT,
        data_checks: [{ name: "billing-email-copied", sql: CHECK }],
      }),
    ).toMatchObject({ outcome: "accepted" });
    await app.unsafe(EXPAND);
    for (const type of ["migration.started", "migration.succeeded"] as const)
      await send(type, { phase: "expand", name: "expand.sql", checksum: sum(EXPAND) });
    await send("app.deployed", { version: "2.0.0" });
    await send("flag.changed", { flag: "billing", percent: 100 });
    // Before any run in the window: pending.
    expect(await dataCheck()).toMatchObject({ status: "pending" });

    // The backfill (one UPDATE) while the old version keeps inserting rows with only email.
    let writing = true;
    const writer = (async () => {
      // It goes on writing three rows after the backfill's UPDATE committed.
      for (let i = 0, after = 0; writing || after++ < 3; i += 1)
        await app.unsafe("insert into invoices (email) values ($1)", [`late${i}@example.com`]);
    })();
    await app.unsafe("update invoices set billing_email = email where billing_email is distinct from email");
    writing = false;
    await writer;
    await app.unsafe("insert into invoices (email) values ('after@example.com')");
    const missing = await stillMissing();
    expect(missing.length).toBeGreaterThanOrEqual(4);

    // A backfill declares its own check, served to inspect with the release's.
    expect(
      await send("backfill.started", {
        backfill_id: randomUUID(),
        table: "invoices",
        set: "billing_email = email",
        where: "billing_email IS NULL",
        key: ["id"],
        batch_size: 1000,
        estimate_rows: 2000,
        rows_done: 0,
        check: { name: "backfill-invoices", sql: "SELECT id FROM invoices WHERE billing_email IS NULL" },
      }),
    ).toMatchObject({ outcome: "accepted" });
    expect((await listDataChecks({ db, keys })).checks.map((c) => [c.name, c.source, c.checksum])).toEqual([
      ["backfill-invoices", "backfill", sum("SELECT id FROM invoices WHERE billing_email IS NULL")],
      ["billing-email-copied", "release", sum(CHECK)],
    ]);

    tick(120); // the window (one minute) has elapsed; the gate now waits on the data alone
    await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.5 });
    await send("backup.verified", { backup_id: "b-1", restore_tested: true });
    const run = await inspect();
    expect(run.code).toBe(0);
    const keysShown = missing.slice(0, 5);
    expect(run.err).toContain(`data check "billing-email-copied" FAILS: ${missing.length} row(s) (keys `);
    // Exit 0 (the summary was sent) with a last line that counts the failing checks.
    expect(run.err).toContain('2 of 2 data check(s) fail: the gate\'s check "Data is carried over" fails');
    const shown = /data check "billing-email-copied" FAILS: \d+ row\(s\) \(keys ([^)…]+)/
      .exec(run.err)![1]!
      .replace(/, $/, "")
      .split(", ");
    expect(shown).toHaveLength(keysShown.length);
    for (const k of shown) expect(missing).toContain(k); // ids only, never an e-mail
    expect(run.err).not.toMatch(/@example\.com/);

    const failing = await dataCheck();
    expect(failing.status).toBe("fail");
    expect(failing.message).toContain(`"billing-email-copied" found ${missing.length} row(s)`);
    expect(failing.message).toContain(`"backfill-invoices" found ${missing.length} row(s)`);
    const others = (await gate()).checks.filter((c) => c.id !== "data" && c.status !== "pass" && c.blocking !== false);
    expect(others.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    const refused = await lease();
    expect("refused" in refused && refused.refused.status).toBe(409);
    expect(JSON.stringify("refused" in refused && refused.refused.details)).toContain(`found ${missing.length} row(s)`);

    // The second pass and a dual-write trigger: the old version's writes are carried over too.
    await app.unsafe(`create function invoices_dual_write() returns trigger language plpgsql as $$
      begin new.billing_email := coalesce(new.billing_email, new.email); return new; end $$;
      create trigger invoices_dual_write before insert or update on invoices for each row execute function invoices_dual_write();`);
    await app.unsafe("update invoices set billing_email = email where billing_email is distinct from email");
    await app.unsafe("insert into invoices (email) values ('later@example.com')");
    expect(await stillMissing()).toEqual([]);
    const clean = await inspect();
    expect(clean.err).toContain('data check "billing-email-copied" passes: 0 row(s)');
    expect(clean.err).not.toContain("data check(s) fail");
    const passing = await dataCheck();
    expect(passing.status, passing.message).toBe("pass");
    expect(passing.message).toMatch(/^All 2 data check\(s\) returned no rows/);
    const granted = await lease();
    expect("granted" in granted, JSON.stringify(granted)).toBe(true);

    // Results pinned by checksum: re-declaring the check with a new text makes the gate wait for a new run.
    await db.delete(schema.leases).where(eq(schema.leases.rolloutId, await rolloutRow()));
    await send("release.created", {
      title: "Billing e-mail",
      author: "dev@example.com",
      app_version: "2.0.0",
      data_checks: [{ name: "billing-email-copied", sql: `${CHECK} AND id > 0` }],
    });
    expect(await dataCheck()).toMatchObject({ status: "pending" });
  });

  it("refuses a bad --checks file before touching the database or sending anything", async () => {
    const file = join(tmpdir(), `checks-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify([{ name: "locks", sql: "SELECT id FROM invoices FOR UPDATE" }]));
    const before = received.length;
    await expect(inspect(["--checks", file])).rejects.toThrow(/data check "locks" is refused: it locks rows/);
    expect(received.length).toBe(before);
  });

  it("reports a check that errors with its error and still runs the others (a dry run sends nothing)", async () => {
    const file = join(tmpdir(), `checks-${randomUUID()}.json`);
    await writeFile(
      file,
      JSON.stringify([
        { name: "divides", sql: "SELECT id FROM invoices WHERE 1 / (id - id) = 1" },
        { name: "no-such-column", sql: "SELECT id FROM invoices WHERE nope IS NULL" },
        { name: "fine", sql: "SELECT id, email FROM invoices WHERE id = 1" },
        { name: "e-mail-first", sql: "SELECT email AS first, id FROM invoices WHERE id = 1" },
      ]),
    );
    const err: string[] = [];
    const io = { out: () => undefined, err: (t: string) => void err.push(t), interactive: false };
    const before = received.length;
    expect(await inspectCommand(["--database-url", appDb.url, "--checks", file, "--dry-run"], io)).toBe(0);
    const text = err.join("\n");
    expect(text).toMatch(/data check "divides" FAILS: it could not run: division by zero \(SQLSTATE 22012\)/);
    expect(text).toMatch(/data check "no-such-column" FAILS: it could not run: column "nope" does not exist/);
    expect(text).toContain('data check "fine" FAILS: 1 row(s) (keys 1)');
    // A first column that is not a primary key column is counted, never shown: here the check put e-mail first.
    expect(text).toContain(
      'data check "e-mail-first" FAILS: 1 row(s) (sample keys withheld: the first column is not part of its table\'s primary key)',
    );
    expect(text).not.toContain("user1@example.com");
    expect(received.length).toBe(before);
  });
});
