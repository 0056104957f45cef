import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import type { Io } from "../io.ts";
import { main } from "../main.ts";
import { rollgateDeps } from "../commands/backfill.ts";
import { runBackfill, type BackfillReport } from "./engine.ts";
import { freshStatsDatabase } from "../../test/fresh-stats-database.ts";
import { startStandIn, type StandIn } from "../../test/rollgate-stand-in.ts";
import { offlineDeps } from "../../test/backfill-deps.ts";
import { connect } from "../database/connect.ts";

// `rollgate backfill` against a real PostgreSQL and a stand-in Rollgate. The table counts its
// writes with a trigger: `rewrites` holds every UPDATE of a row whose billing_email already
// was its target (the row's email), which a backfill must never do.

const ROLLOUT = ["--service", "billing", "--environment", "staging", "--release", "r1"];
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "rollgate.js");
const ROWS = 3000;

let db: Awaited<ReturnType<typeof freshStatsDatabase>>;
let admin: postgres.Sql;
let rollgate: StandIn;

beforeAll(async () => {
  db = await freshStatsDatabase(inject("statsDatabaseUrl"));
  admin = postgres(db.url, { max: 2, onnotice: () => undefined });
  rollgate = await startStandIn();
  process.env.ROLLGATE_URL = rollgate.url;
  process.env.ROLLGATE_TOKEN = "rg_test";
  process.env.ROLLGATE_SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
});
afterAll(async () => {
  await admin?.end();
  await db?.drop();
  await rollgate?.close();
});

/** invoices: every 7th row already carried over, every 11th without an email; plus `expected`, the same after one UPDATE. */
async function seed(rows = ROWS, slowMs = 0) {
  await admin.unsafe(`
    drop schema if exists rollgate cascade;
    drop table if exists invoices, expected, writes cascade;
    create table invoices (id int primary key, email text, billing_email text, code text, note text);
    insert into invoices select g, case when g % 11 = 0 then null else 'user' || g || '@example.com' end,
                                case when g % 7 = 0 then 'user' || g || '@example.com' end, 'c' || g, null
      from generate_series(1, ${rows}) g;
    create table writes (id int, rewrite boolean);
    create or replace function count_writes() returns trigger language plpgsql as $$
    begin
      insert into writes values (new.id, old.billing_email is not distinct from old.email);
      if ${slowMs} > 0 then perform pg_sleep(${slowMs} / 1000.0); end if;
      return new;
    end $$;
    create trigger count_writes before update on invoices for each row execute function count_writes();
    create table expected as select * from invoices;
    update expected set billing_email = email where billing_email is null;`);
}

async function sameAsOneUpdate(): Promise<boolean> {
  const [row] = await admin.unsafe(`select
      (select count(*) from (select * from invoices except select * from expected) a)::int +
      (select count(*) from (select * from expected except select * from invoices) b)::int as differ`);
  return row!.differ === 0;
}

async function rewrites(): Promise<number> {
  const [row] = await admin.unsafe("select count(*) filter (where rewrite)::int as n from writes");
  return row!.n as number;
}

async function fingerprint(): Promise<string> {
  const [row] = await admin.unsafe(
    `select md5(string_agg(i::text, ',' order by id)) as t,
            (select count(*) from writes)::int as w,
            to_regclass('rollgate.backfill_checkpoints') is not null as checkpoints
       from invoices i`,
  );
  return JSON.stringify(row);
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const capture: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false };
  return { capture, out, err, json: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function backfill(extra: string[] = []) {
  const o = io();
  const code = await main(
    [
      "backfill",
      "--database-url",
      db.url,
      "--table",
      "invoices",
      "--set",
      "billing_email = email",
      "--where",
      "billing_email IS NULL",
      ...ROLLOUT,
      ...extra,
    ],
    o.capture,
  );
  return { code, ...o, err: o.err.join("\n") };
}

beforeEach(() => rollgate.reset());

describe("rollgate backfill: correctness and idempotence", () => {
  it("ends where one UPDATE would, writes no row twice, and a second pass writes nothing", async () => {
    await seed();
    const first = await backfill(["--batch-size", "100", "--progress-every", "0"]);
    expect(first.code, first.err).toBe(0);
    expect(await sameAsOneUpdate()).toBe(true);
    expect(await rewrites()).toBe(0);
    const matching = ROWS - Math.floor(ROWS / 7);
    const types = rollgate.events.map((e) => e.type);
    expect(types[0]).toBe("backfill.started");
    expect(types.at(-1)).toBe("backfill.finished");
    expect(types).toContain("backfill.progress");
    expect(rollgate.invalid).toEqual([]);
    const finished = rollgate.events.at(-1)!.data;
    expect(finished.rows_done).toBe(matching);
    // Rows whose email is NULL match the predicate but already hold their target (NULL): never written.
    expect(finished.rows_written).toBe(matching - Math.floor(ROWS / 11) + Math.floor(ROWS / 77));
    // One JSON line per progress step on stdout (not a terminal).
    expect(first.json().filter((l) => l.event === "backfill.progress").length).toBeGreaterThan(0);
    expect(first.err).toMatch(/created rollgate\.backfill_checkpoints/);
    expect(first.err).toMatch(/no streaming replica/);
    const [stored] = await admin.unsafe(
      "select jsonb_typeof(definition) as kind, definition->>'table' as table, finished_at is not null as finished from rollgate.backfill_checkpoints",
    );
    expect(stored).toEqual({ kind: "object", table: "invoices", finished: true });

    // Its own data check finds nothing left.
    const check = rollgate.events[0]!.data.check as { name: string; sql: string };
    expect(check.name).toBe("backfill.public.invoices.billing_email");
    expect(await admin.unsafe(check.sql)).toHaveLength(0);

    rollgate.reset();
    const writesBefore = (await admin.unsafe("select count(*)::int as n from writes"))[0]!.n;
    const second = await backfill(["--batch-size", "100"]);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toMatch(/finished before; a new pass/);
    expect(rollgate.events.at(-1)!.data.rows_written).toBe(0);
    expect((await admin.unsafe("select count(*)::int as n from writes"))[0]!.n).toBe(writesBefore);
  });
});

describe("rollgate backfill: other keys", () => {
  it("a composite text and integer primary key, in batches that end inside a tenant: the same as one UPDATE", async () => {
    await admin.unsafe(`
      drop schema if exists rollgate cascade;
      drop table if exists items, items_expected;
      create table items (tenant text not null, n int not null, a text, b text, primary key (tenant, n));
      insert into items select 'tenant ' || (g % 5), g, 'value ' || g, null from generate_series(1, 700) g;
      create table items_expected as select * from items;
      update items_expected set b = upper(a) || '!' where b is null;`);
    const o = io();
    const code = await main(
      [
        "backfill",
        "--database-url",
        db.url,
        "--table",
        "items",
        "--set",
        "b = upper(a) || '!'",
        "--where",
        "b IS NULL",
        "--batch-size",
        "33",
        "--max-batch-size",
        "33",
        ...ROLLOUT,
      ],
      o.capture,
    );
    expect(code, o.err.join("\n")).toBe(0);
    const [row] = await admin.unsafe(
      "select (select count(*) from (select * from items except select * from items_expected) x)::int as differ, (select last_key::text from rollgate.backfill_checkpoints) as last",
    );
    expect(row).toEqual({ differ: 0, last: '["tenant 4", "699"]' });
    expect(rollgate.events[0]!.data.key).toEqual(["tenant", "n"]);
    expect(rollgate.events.at(-1)!.data).toMatchObject({ rows_done: 700, rows_written: 700 });
  });
});

describe("rollgate backfill: kill -9 and resume", () => {
  it("resumes from the checkpoint written with the data: rows_done continues, the table ends as one UPDATE, no row is written twice", async () => {
    await seed(ROWS, 2); // 2 ms a row: a 50-row batch takes ~100 ms
    const child = spawn(
      process.execPath,
      [
        CLI,
        "backfill",
        "--database-url",
        db.url,
        "--table",
        "invoices",
        "--set",
        "billing_email = email",
        "--where",
        "billing_email IS NULL",
        "--batch-size",
        "50",
        "--max-batch-size",
        "50",
        ...ROLLOUT,
      ],
      { env: process.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    // Wait until some batches committed, then kill it in the middle of the next.
    let done = 0;
    for (let i = 0; i < 300 && done < 500; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      const [row] = await admin
        .unsafe(
          "select coalesce((select rows_done::int from rollgate.backfill_checkpoints limit 1), 0) as n where to_regclass('rollgate.backfill_checkpoints') is not null",
        )
        .catch(() => [{ n: 0 }]);
      done = (row?.n as number | undefined) ?? 0;
    }
    expect(done, stderr).toBeGreaterThanOrEqual(500);
    child.kill("SIGKILL");
    expect(await exited).toBeNull();
    await new Promise((r) => setTimeout(r, 200)); // the server notices the closed connection and rolls back
    const [checkpoint] = await admin.unsafe(
      "select backfill_id::text as id, rows_done::int as done, last_key->>0 as last from rollgate.backfill_checkpoints",
    );
    // The checkpoint agrees with the data: every matching row up to its key is carried over, none after it was touched.
    const [agree] = await admin.unsafe(
      `select (select count(*) from invoices i join expected e using (id)
                where i.id <= $1 and i.billing_email is distinct from e.billing_email)::int as behind,
              (select count(*) from writes where id > $1)::int as ahead`,
      [Number(checkpoint!.last)],
    );
    expect(agree).toEqual({ behind: 0, ahead: 0 });
    expect(await sameAsOneUpdate()).toBe(false);

    await admin.unsafe(
      "create or replace function count_writes() returns trigger language plpgsql as $$ begin insert into writes values (new.id, old.billing_email is not distinct from old.email); return new; end $$",
    );
    const childEvents = rollgate.events.map((e) => e.type);
    expect(childEvents[0]).toBe("backfill.started");
    expect(childEvents).not.toContain("backfill.finished");
    rollgate.reset();
    const resumed = await backfill(["--batch-size", "200"]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(new RegExp(`resuming backfill ${checkpoint!.id} from its checkpoint`));
    const started = rollgate.events[0]!;
    expect(started.type).toBe("backfill.started");
    expect(started.data.backfill_id).toBe(checkpoint!.id);
    expect(started.data.rows_done).toBe(checkpoint!.done);
    expect(rollgate.events.at(-1)!.data.rows_done).toBe(ROWS - Math.floor(ROWS / 7));
    expect(await sameAsOneUpdate()).toBe(true);
    expect(await rewrites()).toBe(0);
    expect(rollgate.invalid).toEqual([]);
  });

  it("--restart sets an unfinished checkpoint aside: a new backfill id from the first key", async () => {
    await seed(500);
    expect((await backfill()).code).toBe(0);
    const [before] = await admin.unsafe("select backfill_id::text as id from rollgate.backfill_checkpoints");
    // As if a run had stopped after key 400, and rows before it were reset meanwhile.
    await admin.unsafe(`update rollgate.backfill_checkpoints set finished_at = null, last_key = '["400"]'`);
    await admin.unsafe("update invoices set billing_email = null where id <= 10; truncate writes");
    rollgate.reset();
    const again = await backfill(["--restart"]);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/--restart: the checkpoint of .* is set aside/);
    expect(rollgate.events[0]!.data.backfill_id).not.toBe(before!.id);
    expect(rollgate.events[0]!.data.rows_done).toBe(0);
    expect(rollgate.events.at(-1)!.data.rows_written).toBe(10);
    expect(await rewrites()).toBe(0);
  });
});

describe("rollgate backfill: bad input is refused (exit 2) and writes nothing", () => {
  const cases: Array<[string, string[], RegExp, (() => void)?]> = [
    [
      "a --set that does not parse",
      ["--set", "billing_email = email +"],
      /--set "billing_email = email \+" does not parse: syntax error at end of input/,
    ],
    [
      "a --where that does not parse",
      ["--where", "billing_email IS"],
      /--where "billing_email IS" does not parse: syntax error/,
    ],
    [
      "a second statement smuggled into --set",
      ["--set", "billing_email = email; DROP TABLE invoices"],
      /more than one list of assignments/,
    ],
    ["a second statement smuggled into --where", ["--where", "true; DELETE FROM invoices"], /more than one predicate/],
    ["a WHERE smuggled into --set", ["--set", "billing_email = email WHERE id = 1"], /carries a WHERE clause/],
    ["an unknown table", ["--table", "nope"], /there is no table nope/],
    ["a table without the key column", ["--key", "uuid"], /invoices has no column uuid, so it cannot be the key/],
    ["a key that is not unique", ["--key", "email"], /the key \(email\) of invoices is not unique/],
    ["a --set that names the key", ["--set", "id = id + 1000000"], /--set names the key column id/],
    [
      "a set target that does not exist",
      ["--set", "billing_mail = email"],
      /--set names billing_mail, which invoices does not have/,
    ],
    [
      "an expression PostgreSQL rejects",
      ["--set", "billing_email = emial"],
      /PostgreSQL rejects the backfill's statement: column "emial" does not exist/,
    ],
    [
      "a run against a rollout whose contract has started",
      [],
      /the rollout is contracting: its contract has started/,
      () => (rollgate.state = "contracting"),
    ],
  ];
  it.each(cases)("%s", async (_name, args, message, arrange) => {
    await seed(200);
    arrange?.();
    const before = await fingerprint();
    const refused = await backfill(args);
    expect(refused.code, refused.err).toBe(2);
    expect(refused.err).toMatch(message);
    expect(refused.err).toMatch(/Nothing was written\./);
    expect(await fingerprint()).toBe(before);
    expect(rollgate.events).toEqual([]);
  });

  it("a unique key that may be NULL, and a table without a primary key, are refused too", async () => {
    await seed(200);
    await admin.unsafe("create unique index invoices_code on invoices (code)");
    const before = await fingerprint();
    const nullable = await backfill(["--key", "code"]);
    expect(nullable.code).toBe(2);
    expect(nullable.err).toMatch(/the key column code of invoices may be NULL/);
    await admin.unsafe("alter table invoices drop constraint invoices_pkey");
    const before2 = await fingerprint();
    const noPk = await backfill([]);
    expect(noPk.code).toBe(2);
    expect(noPk.err).toMatch(/invoices has no primary key; name a unique, NOT NULL key with --key/);
    expect(await fingerprint()).toBe(before2);
    expect(before2).toBe(before);
  });

  it("an existing checkpoint is left as it was by a refused run", async () => {
    await seed(200);
    expect((await backfill()).code).toBe(0);
    const [before] = await admin.unsafe("select row_to_json(c)::text as c from rollgate.backfill_checkpoints c");
    rollgate.reset();
    rollgate.state = "contracted";
    const refused = await backfill();
    expect(refused.code).toBe(2);
    const [after] = await admin.unsafe("select row_to_json(c)::text as c from rollgate.backfill_checkpoints c");
    expect(after).toEqual(before);
  });
});

/** Runs the engine with the real Rollgate dependencies against the stand-in, collecting its reports. */
async function engine(options: Partial<Parameters<typeof runBackfill>[0]> = {}) {
  const reports: BackfillReport[] = [];
  const result = await runBackfill(
    {
      databaseUrl: db.url,
      table: "invoices",
      set: "billing_email = email",
      where: "billing_email IS NULL",
      rollout: { service: "billing", environment: "staging", release: "r1" },
      pollMs: 50,
      gateEveryMs: 0,
      progressEveryMs: 0,
      ...options,
    },
    rollgateDeps(
      {
        ROLLGATE_URL: rollgate.url,
        ROLLGATE_TOKEN: "rg_test",
        ROLLGATE_SECRET: process.env.ROLLGATE_SECRET!,
      },
      { service: "billing", environment: "staging", release: "r1" },
      (r) => reports.push(r),
    ),
  );
  return { result, reports };
}

describe("rollgate backfill: a batch that fails", () => {
  it("stops with PostgreSQL's message, sends backfill.failed, and keeps the checkpoint of the batches before", async () => {
    await seed(400);
    await admin.unsafe(`create function refuse_150() returns trigger language plpgsql as $$
      begin if new.id = 150 then raise exception 'invoice 150 is locked by accounting'; end if; return new; end $$;
      create trigger refuse_150 before update on invoices for each row execute function refuse_150();`);
    const failed = await backfill(["--batch-size", "50", "--max-batch-size", "50"]);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/failed: invoice 150 is locked by accounting/);
    expect(rollgate.events.at(-1)).toMatchObject({
      type: "backfill.failed",
      data: { cancelled: false, error: "invoice 150 is locked by accounting" },
    });
    const [cp] = await admin.unsafe(
      "select (last_key->>0)::int as last, finished_at from rollgate.backfill_checkpoints",
    );
    expect(cp!.last).toBeLessThan(150);
    expect(cp!.finished_at).toBeNull();
    await admin.unsafe("drop trigger refuse_150 on invoices; drop function refuse_150()");
    rollgate.reset();
    const resumed = await backfill();
    expect(resumed.code, resumed.err).toBe(0);
    expect(await sameAsOneUpdate()).toBe(true);
    expect(await rewrites()).toBe(0);
  });
});

describe("rollgate backfill: lock_timeout", () => {
  it("a batch stopped by a held lock rolls back, backs off and retries, and the table ends right", async () => {
    await seed(400);
    const holder = postgres(db.url, { max: 1, onnotice: () => undefined });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const tx = holder.begin(async (t) => {
      await t.unsafe("select * from invoices where id = 3 for update");
      locked();
      await held;
    });
    await isLocked;
    setTimeout(release, 1200);
    // As a benchmark calls it: the engine alone, without a Rollgate.
    const reports: BackfillReport[] = [];
    const offline = offlineDeps((r) => reports.push(r));
    const result = await runBackfill(
      {
        databaseUrl: db.url,
        table: "invoices",
        set: "billing_email = email",
        where: "billing_email IS NULL",
        rollout: { service: "billing", environment: "staging", release: "r1" },
        lockTimeoutMs: 150,
        backoff: { baseMs: 100, maxMs: 400 },
      },
      offline.deps,
    );
    expect(offline.events.map((e) => e.type)).toEqual(["backfill.started", "backfill.progress", "backfill.finished"]);
    await tx;
    await holder.end();
    expect(result.outcome).toBe("finished");
    const retries = reports.filter((r) => r.kind === "retry");
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ code: "55P03", attempt: 1 });
    expect(await sameAsOneUpdate()).toBe(true);
    expect(await rewrites()).toBe(0);
  });
});

describe("rollgate backfill: the dashboard's control", () => {
  it("Pause stops it before the next batch, is said once however long it lasts, and Run lets it go on", async () => {
    await seed(1000);
    let pausedFrom = Infinity;
    rollgate.control = (n) => {
      if (n === 3) pausedFrom = n;
      return n >= 3 && n < 20 ? "pause" : "run";
    };
    const { result, reports } = await engine({ batchSize: 100, minBatchSize: 100, maxBatchSize: 100 });
    expect(result.outcome).toBe("finished");
    expect(pausedFrom).toBe(3);
    // Two batches before the pause; none while it lasted (17 control reads).
    const progress = reports.filter((r) => (r.kind === "progress" && r.throttle === null) || r.kind === "paused");
    // While paused, progress stands still and says why.
    const waiting = reports.filter((r) => r.kind === "progress" && r.throttle !== null);
    expect(waiting.length).toBeGreaterThan(0);
    for (const w of waiting) expect(w).toMatchObject({ rows_done: 200, throttle: "paused from the dashboard" });
    // …shown, not sent: to Rollgate a progress event would mean it runs again.
    const sent = rollgate.events.map((e) => e.type);
    expect(sent[sent.indexOf("backfill.paused") + 1]).toBe("backfill.progress");
    expect(rollgate.events.filter((e) => e.type === "backfill.progress").every((e) => e.data.throttle === null)).toBe(
      true,
    );
    const paused = progress.findIndex((r) => r.kind === "paused");
    expect(progress[paused - 1]).toMatchObject({ rows_done: 200 });
    expect(progress[paused + 1]).toMatchObject({ rows_done: 300 });
    expect(reports.filter((r) => r.kind === "paused")).toHaveLength(1);
    expect(rollgate.events.filter((e) => e.type === "backfill.paused")).toHaveLength(1);
    expect(rollgate.events.find((e) => e.type === "backfill.paused")!.data).toMatchObject({
      cause: "operator",
      rows_done: 200,
    });
    expect(reports.some((r) => r.kind === "resumed")).toBe(true);
    expect(await sameAsOneUpdate()).toBe(true);
    expect(rollgate.invalid).toEqual([]);
  });

  it("Cancel stops it within one batch: exit 1, backfill.failed with cancelled: true, the checkpoint kept for a new backfill", async () => {
    await seed(1000);
    rollgate.control = (n) => (n >= 3 ? "cancel" : "run");
    const cancelled = await backfill(["--batch-size", "100", "--min-batch-size", "100", "--max-batch-size", "100"]);
    expect(cancelled.code).toBe(1);
    expect(cancelled.err).toMatch(/cancelled: cancelled from the dashboard/);
    const failed = rollgate.events.at(-1)!;
    expect(failed.type).toBe("backfill.failed");
    expect(failed.data).toMatchObject({ cancelled: true, rows_done: 200 });
    expect(cancelled.err).toMatch(
      /the checkpoint is kept: a later run of the same backfill goes on after key \(\d+\) as a new backfill/,
    );
    const [cp] = await admin.unsafe(
      "select backfill_id::text as id, rows_done::int as n, finished_at from rollgate.backfill_checkpoints",
    );
    expect(cp).toMatchObject({ n: 200, finished_at: null });
    // Cancelled is final on Rollgate: the next run goes on from the checkpoint under a new id.
    expect(cp!.id).not.toBe(failed.data.backfill_id);
    rollgate.reset();
    const next = await backfill(["--batch-size", "100"]);
    expect(next.code, next.err).toBe(0);
    expect(rollgate.events[0]!.data).toMatchObject({ backfill_id: cp!.id, rows_done: 200 });
    expect(await sameAsOneUpdate()).toBe(true);
    expect(await rewrites()).toBe(0);
  });
});

describe("rollgate backfill: throttles say why", () => {
  it("a firing no-go and a failing SLO pause it with their reason; it resumes by itself when they clear", async () => {
    await seed(600);
    let reads = 0;
    const statuses = ["pass", "fail", "fail", "pass", "pass"] as const;
    rollgate.control = () => {
      reads += 1;
      const phase = Math.min(Math.floor(reads / 3), statuses.length - 1);
      rollgate.checks = [
        {
          id: "no_go",
          status: phase === 1 ? "fail" : "pass",
          message: phase === 1 ? "incident INC-42 is open" : "none",
        },
        { id: "slo", status: phase === 2 ? "fail" : "pass", message: phase === 2 ? "error rate 4% over 1%" : "ok" },
      ];
      return "run";
    };
    const { result, reports } = await engine({ batchSize: 50, minBatchSize: 50, maxBatchSize: 50 });
    expect(result.outcome).toBe("finished");
    const paused = rollgate.events.filter((e) => e.type === "backfill.paused").map((e) => e.data);
    expect(paused).toEqual([
      expect.objectContaining({ cause: "no_go", reason: "a no-go is firing: incident INC-42 is open" }),
      expect.objectContaining({ cause: "slo", reason: "the SLO check fails: error rate 4% over 1%" }),
    ]);
    expect(reports.filter((r) => r.kind === "resumed")).toHaveLength(1);
    expect(await sameAsOneUpdate()).toBe(true);
  });

  it("Rollgate that cannot be reached holds it, said once (no event to send), until it answers again", async () => {
    await seed(300);
    rollgate.control = (n) => {
      if (n === 2) rollgate.down = true;
      return "run";
    };
    setTimeout(() => (rollgate.down = false), 800);
    const { result, reports } = await engine({ batchSize: 50, minBatchSize: 50, maxBatchSize: 50 });
    expect(result.outcome).toBe("finished");
    const paused = reports.filter((r) => r.kind === "paused");
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ cause: "rollgate_unreachable" });
    expect(rollgate.events.filter((e) => e.type === "backfill.paused")).toHaveLength(0);
  });

  it("a contract that starts while it runs stops it", async () => {
    await seed(600);
    rollgate.control = (n) => {
      if (n === 3) rollgate.state = "contracting";
      return "run";
    };
    const { result } = await engine({ batchSize: 50, minBatchSize: 50, maxBatchSize: 50 });
    expect(result.outcome).toBe("failed");
    expect(rollgate.events.at(-1)).toMatchObject({
      type: "backfill.failed",
      data: { cancelled: false, error: "the rollout is contracting: its contract has started" },
    });
  });

  it("replica lag over --max-lag pauses it with the lag in its reason, measured from WAL samples while replay_lag says nothing", async () => {
    await seed(300, 2);
    // A connection whose pg_stat_replication shows one standby stuck at 0/0 (replay paused, replay_lag NULL) until released.
    let stuck = true;
    const real = connect(db.url, "rollgate backfill");
    const fake = {
      ...real,
      query: (async (text: string, params?: unknown[]) => {
        if (text.includes("pg_stat_replication")) {
          const [row] = await real.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
          return [
            {
              lsn: row!.lsn,
              standbys: [{ name: "standby", replay_lsn: stuck ? "0/0" : row!.lsn, replay_lag_ms: null }],
            },
          ];
        }
        return real.query(text, params);
      }) as typeof real.query,
    };
    const reports: BackfillReport[] = [];
    const started = performance.now();
    setTimeout(() => (stuck = false), 1500);
    const result = await runBackfill(
      {
        databaseUrl: db.url,
        table: "invoices",
        set: "billing_email = email",
        where: "billing_email IS NULL",
        rollout: { service: "billing", environment: "staging", release: "r1" },
        batchSize: 50,
        minBatchSize: 50,
        maxBatchSize: 50,
        maxLagMs: 300,
        pollMs: 50,
        progressEveryMs: 0,
      },
      {
        ...rollgateDeps(
          { ROLLGATE_URL: rollgate.url, ROLLGATE_TOKEN: "rg_test", ROLLGATE_SECRET: process.env.ROLLGATE_SECRET! },
          { service: "billing", environment: "staging", release: "r1" },
          (r) => reports.push(r),
        ),
        connect: () => fake,
      },
    );
    expect(result.outcome).toBe("finished");
    expect(performance.now() - started).toBeGreaterThan(1400);
    const paused = reports.filter((r) => r.kind === "paused");
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ cause: "replica_lag" });
    expect((paused[0] as { reason: string }).reason).toMatch(/^replica lag [\d.]+ m?s is over --max-lag 300 ms$/);
    expect(rollgate.events.find((e) => e.type === "backfill.paused")!.data.replica_lag_ms).toBeGreaterThan(300);
    expect(reports.some((r) => r.kind === "progress" && r.replica_lag_ms !== null)).toBe(true);
    // While it waits, progress says why.
    expect(
      reports.some((r) => r.kind === "progress" && /^replica lag .* is over --max-lag 300 ms$/.test(r.throttle ?? "")),
    ).toBe(true);
    expect(await sameAsOneUpdate()).toBe(true);
  });
});
