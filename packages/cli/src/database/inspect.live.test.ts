import { createHash } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Inspection } from "@rollgate/core/contract/inspection";
import { inspectionSchema } from "@rollgate/core/contract/inspection";
import { usageCheck, expandLiveCheck, type InspectionFact } from "@rollgate/core/gate";
import { collectInspection } from "@rollgate/core/inspect/collect";
import { analyseSql } from "@rollgate/core/sql";
import { defaultPolicy } from "@rollgate/core/policy";
import { connect } from "./connect.ts";
import { freshStatsDatabase } from "../../test/fresh-stats-database.ts";

// The incident, on a real PostgreSQL with pg_stat_statements: app v1 keeps reading
// invoices.email after v2 is at 100 %, and the contract drops that column.

const SCHEMA = `
create table customers (id int primary key, name text);
create table invoices (id int primary key, customer_id int references customers, email text, total numeric(10,2));
create view invoice_contacts as select id, email from invoices;
create function invoice_email(i int) returns text language sql stable as 'select email from invoices where id = i';
create function touch_invoice(i int) returns void language plpgsql as $$ begin update invoices set total = total where id = i; end $$;
insert into customers values (1, 'Ada');
insert into invoices values (1, 1, 'ada@example.com', 10);`;
const EXPAND =
  "alter table invoices add column billing_email text;\nalter table invoices add column billing_state integer;";
const CONTRACT = "set lock_timeout = '3s';\nalter table invoices drop column email;";
const sum = (s: string) => createHash("sha256").update(s).digest("hex");
const policy = { ...defaultPolicy("staging"), database: { checks: "blocking" as const } };

let db: Awaited<ReturnType<typeof freshStatsDatabase>>;
let app: postgres.Sql;
let removed: Awaited<ReturnType<typeof analyseSql>>;
let clock = Date.UTC(2026, 10, 2, 10);

beforeAll(async () => {
  db = await freshStatsDatabase(inject("statsDatabaseUrl"));
  app = postgres(db.url, { max: 2, onnotice: () => undefined });
  await app.unsafe(SCHEMA);
  removed = await analyseSql(CONTRACT, { phase: "contract" });
});
afterAll(async () => {
  await app?.end();
  await db?.drop();
});

async function inspect(options: { expand?: string } = {}): Promise<InspectionFact> {
  const c = connect(db.url, "rollgate inspect");
  try {
    const summary = await collectInspection(c.query, {
      contract: { sql: CONTRACT, checksum: sum(CONTRACT) },
      ...(options.expand ? { expand: { sql: options.expand, checksum: sum(options.expand) } } : {}),
    });
    expect(inspectionSchema.safeParse(summary).success).toBe(true);
    clock += 10 * 60_000;
    const { usage: _usage, ...rest } = summary as Inspection;
    return { id: String(clock), receivedAt: new Date(clock), summary: rest };
  } finally {
    await c.close();
  }
}

const v1 = async () => {
  // Through an alias, and through select *: both name invoices.email.
  await app.unsafe("select i.email from invoices i where i.id = $1", [1]);
  await app.unsafe("select * from invoices where id = $1", [1]);
};
const v2 = () => app.unsafe("select id, billing_email, total from invoices where id = $1", [1]);

describe("rollgate inspect on a live database", () => {
  it("fails 'nothing still uses' naming v1's statements while v1 runs after v2 is at 100 %, and passes once v1 stopped", async () => {
    await app.unsafe(EXPAND);
    const windowStart = new Date(clock);
    const baseline = await inspect();
    for (let i = 0; i < 3; i += 1) {
      await v1();
      await v2();
    }
    const during = await inspect();
    const facts = {
      baseline,
      recent: during,
      environmentInspected: true,
      contract: { checksum: sum(CONTRACT), removed: removed.objects, statements: removed.statements },
      expandChecksum: null,
    };
    const failing = usageCheck(facts, windowStart, policy, new Date(clock));
    expect(failing.status).toBe("fail");
    expect(failing.message).toMatch(/select i\.email from invoices i where i\.id = \$1/);
    expect(failing.message).toMatch(/select \* from invoices where id = \$1/);
    expect(failing.details).toMatchObject({ kind: "usage" });

    // v1 stops; v2 keeps running.
    await v2();
    const after = await inspect();
    const passing = usageCheck({ ...facts, previous: during, recent: after }, windowStart, policy, new Date(clock));
    expect(passing.status).toBe("pass");
    expect(passing.message).toMatch(/did earlier in the window/);
  });

  it("finding 5: a statement that left pg_stat_statements after failing the check is unknown, not pass; the window-start inspection sent again is unknown", async () => {
    const windowStart = new Date(clock);
    await v1();
    const baseline = await inspect();
    expect(baseline.summary.server).toMatchObject({
      now: expect.any(String),
      system_identifier: expect.stringMatching(/^[0-9]+$/),
    });
    await v1();
    const during = await inspect();
    expect(Date.parse(during.summary.server.now!)).toBeGreaterThan(Date.parse(baseline.summary.server.now!));
    const facts = {
      baseline,
      recent: during,
      environmentInspected: true,
      contract: { checksum: sum(CONTRACT), removed: removed.objects, statements: removed.statements },
      expandChecksum: null,
    };
    expect(usageCheck(facts, windowStart, policy, new Date(clock)).status).toBe("fail");
    // The statement leaves pg_stat_statements on its own (no dealloc, no full reset), as an evicted one does.
    await app.unsafe(
      "select pg_stat_statements_reset(0, 0, queryid) from pg_stat_statements where query = 'select i.email from invoices i where i.id = $1'",
    );
    const after = await inspect();
    expect(after.summary.statements.some((s) => s.text === "select i.email from invoices i where i.id = $1")).toBe(
      false,
    );
    const gone = usageCheck({ ...facts, previous: during, recent: after }, windowStart, policy, new Date(clock));
    expect(gone.status).toBe("unknown");
    expect(gone.message).toMatch(/no longer in pg_stat_statements/);
    const again = { ...baseline, id: "again", receivedAt: new Date(clock) };
    const repeated = usageCheck({ ...facts, recent: again }, windowStart, policy, new Date(clock));
    expect(repeated.status).toBe("unknown");
    expect(repeated.message).toMatch(/by the database's own clock/);
  });

  it("finds a write-only use, a view that reads the column and a SQL function body; a PL/pgSQL body's statements are counted with track = all", async () => {
    const windowStart = new Date(clock);
    const baseline = await inspect();
    await app.unsafe("insert into invoices (id, customer_id, email) values ($1, $2, $3)", [
      Math.floor(Math.random() * 1e6) + 10,
      1,
      "x@example.com",
    ]);
    await app.unsafe("select email from invoice_contacts where id = $1", [1]);
    await app.unsafe("select id from invoice_contacts where id = $1", [1]);
    await app.unsafe("select invoice_email($1)", [1]);
    await app.unsafe("select touch_invoice($1)", [1]);
    const recent = await inspect();
    const check = usageCheck(
      {
        baseline,
        recent,
        environmentInspected: true,
        contract: { checksum: sum(CONTRACT), removed: removed.objects, statements: removed.statements },
        expandChecksum: null,
      },
      windowStart,
      policy,
      new Date(clock),
    );
    expect(check.status).toBe("fail");
    const texts = (check.details as { statements: Array<{ text: string; objects: string[] }> }).statements.map(
      (s) => s.text,
    );
    expect(texts).toEqual(
      expect.arrayContaining([
        "insert into invoices (id, customer_id, email) values ($1, $2, $3)",
        "select email from invoice_contacts where id = $1",
        "select id from invoice_contacts where id = $1",
        "select invoice_email($1)",
        // The SQL function's own statement, counted by track = all.
        "select email from invoices where id = i",
      ]),
    );
    // touch_invoice's body does not touch email: its statement is not evidence.
    expect(texts.some((t) => t.includes("touch_invoice"))).toBe(false);
  });

  it("reports drift when a column the expand script adds is missing from the live database", async () => {
    const drifted = `${EXPAND}\nalter table invoices add column reminder_at timestamptz;`;
    const recent = await inspect({ expand: drifted });
    const check = expandLiveCheck(
      { baseline: null, recent, environmentInspected: true, contract: null, expandChecksum: sum(drifted) },
      true,
      policy,
    );
    expect(check.status).toBe("fail");
    expect(check.message).toMatch(/column public.invoices.reminder_at is missing/);
    const live = await inspect({ expand: EXPAND });
    expect(
      expandLiveCheck(
        { baseline: null, recent: live, environmentInspected: true, contract: null, expandChecksum: sum(EXPAND) },
        true,
        policy,
      ).status,
    ).toBe("pass");
  });

  it("is unknown, and says so, when pg_stat_statements_reset() ran between the two inspections", async () => {
    const windowStart = new Date(clock);
    await v1();
    const baseline = await inspect();
    await app.unsafe("select pg_stat_statements_reset()");
    await v1();
    const recent = await inspect();
    const check = usageCheck(
      {
        baseline,
        recent,
        environmentInspected: true,
        contract: { checksum: sum(CONTRACT), removed: removed.objects, statements: removed.statements },
        expandChecksum: null,
      },
      windowStart,
      policy,
      new Date(clock),
    );
    expect(check.status).toBe("unknown");
    expect(check.message).toMatch(/pg_stat_statements_reset\(\) ran between the two inspections/);
  });

  it("says when pg_stat_statements is missing, and the check is unknown, never pass", async () => {
    await app.unsafe("drop extension pg_stat_statements");
    try {
      const without = await inspect();
      expect(without.summary.statistics).toMatchObject({ available: false });
      expect(without.summary.statistics.reason).toMatch(/CREATE EXTENSION pg_stat_statements/);
      const baseline = { ...without, id: "x", receivedAt: new Date(clock - 60_000) };
      const check = usageCheck(
        {
          baseline,
          recent: without,
          environmentInspected: true,
          contract: { checksum: sum(CONTRACT), removed: removed.objects, statements: removed.statements },
          expandChecksum: null,
        },
        new Date(clock - 120_000),
        policy,
        new Date(clock),
      );
      expect(check.status).toBe("unknown");
    } finally {
      await app.unsafe("create extension pg_stat_statements");
    }
  });
});
