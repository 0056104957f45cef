import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamingPair, freePorts, portRange } from "@rollgate/db/testing/streaming-pair";
import { spawn } from "node:child_process";
import path from "node:path";
import { startStandIn, type StandIn } from "../../test/rollgate-stand-in.ts";

// Acceptance of issue 28, "Replica lag": a real primary and a real `pg_basebackup -R` streaming
// standby on private ports (ROLLGATE_TEST_PG_PORTS, e.g. 5521-5539). `rollgate backfill` runs as
// a pipeline runs it (the CLI as a child process, JSON lines on stdout, its events sent to a
// stand-in Rollgate that answers the gate and the control as Rollgate does) with --max-lag 1s;
// `pg_wal_replay_pause()` on the standby makes it pause within one batch, saying the lag; `pg_wal_replay_resume()` lets it go on by itself; the table ends as one
// UPDATE would leave it. How the primary reports a paused standby is measured in
// src/database/standby.live.test.ts.

const ROWS = 300_000;
const MAX_LAG_MS = 1000;
const MAX_BATCH = 2000;

let pair: StreamingPair;
let primary: postgres.Sql;
let standby: postgres.Sql;
let rollgate: StandIn;
const SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
const cli = path.join(import.meta.dirname, "..", "..", "bin", "rollgate.js");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

beforeAll(async () => {
  const [from, to] = portRange(process.env.ROLLGATE_TEST_PG_PORTS, [5460, 5479]);
  const [primaryPort, standbyPort] = await freePorts(from, to, 2);
  pair = await StreamingPair.start({ primaryPort: primaryPort!, standbyPort: standbyPort! });
  primary = postgres(pair.primary.url, { max: 1, onnotice: () => undefined });
  standby = postgres(pair.standby.url, { max: 1, onnotice: () => undefined });
  rollgate = await startStandIn();
  await primary.unsafe("create table invoices (id bigint primary key, email text, billing_email text)");
  // A tenth of the rows already hold another value: the --where leaves them as they are.
  await primary.unsafe(`insert into invoices select g, 'c' || g || '@example.com', case when g % 10 = 0 then 'kept' || g end
    from generate_series(1, ${ROWS}) g`);
  await primary.unsafe("vacuum analyze invoices");
  // What one UPDATE would produce, to compare with at the end.
  await primary.unsafe("create table expected as select * from invoices");
  await primary.unsafe("update expected set billing_email = email where billing_email is null");
  await pair.waitStreaming();
});
afterAll(async () => {
  await primary?.end();
  await standby?.end();
  await rollgate?.close();
  pair?.destroy();
});

type Line = { event: string; at: string; seen: number; [key: string]: unknown };

describe("rollgate backfill against a real streaming standby", () => {
  it("pauses within one batch when replay is paused, with the lag in its reason; goes on by itself after the resume; ends as one UPDATE", async () => {
    const lines: Line[] = [];
    let stderr = "";
    let replayPausedAt = 0;
    let pausing: Promise<unknown> | undefined;
    const child = spawn(
      process.execPath,
      [
        cli,
        "backfill",
        "--database-url",
        pair.primary.url,
        "--table",
        "invoices",
        "--set",
        "billing_email = email",
        "--where",
        "billing_email IS NULL",
        "--max-lag",
        "1s",
        "--max-batch-size",
        String(MAX_BATCH),
        "--progress-every",
        "100ms",
        "--service",
        "billing-api",
        "--environment",
        "production",
        "--release",
        "r28",
      ],
      {
        env: { ...process.env, ROLLGATE_URL: rollgate.url, ROLLGATE_TOKEN: "rg_test", ROLLGATE_SECRET: SECRET },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split("\n");
      partial = complete.pop()!;
      for (const text of complete.filter(Boolean)) {
        const line: Line = { ...(JSON.parse(text) as Line), seen: Date.now() };
        lines.push(line);
        // A tenth of the way in, the standby stops replaying.
        if (!pausing && line.event === "backfill.progress" && (line.rows_done as number) >= ROWS / 10)
          pausing = standby`select pg_wal_replay_pause()`.then(() => (replayPausedAt = Date.now()));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

    try {
      const paused = await until("the backfill to pause", () => {
        if (child.exitCode !== null) throw new Error(`rollgate backfill exited ${child.exitCode} before it paused`);
        return lines.find((l) => l.event === "backfill.paused");
      });
      await pausing;
      expect(paused, stderr).toMatchObject({ cause: "replica_lag" });
      expect(paused.reason).toMatch(/replica lag \d+(\.\d+)? s is over --max-lag 1\.0 s/);
      // Within one batch: the lag it measured when it stopped is the 1 s it may have plus at most one
      // batch (capped at 2,000 rows here; the slowest batch seen is the bound) and a reading.
      const progress = lines.filter((l) => l.event === "backfill.progress");
      const batchMs = Math.max(
        ...progress.slice(1).flatMap((l, i) => {
          const rows = (l.rows_done as number) - (progress[i]!.rows_done as number);
          return rows > 0 ? [(l.seen - progress[i]!.seen) / Math.ceil(rows / MAX_BATCH)] : [];
        }),
      );
      const lagMs = paused.replica_lag_ms as number;
      expect(lagMs).toBeGreaterThan(MAX_LAG_MS);
      expect(lagMs).toBeLessThan(MAX_LAG_MS + batchMs + 1000);
      expect(paused.seen - replayPausedAt).toBeLessThan(MAX_LAG_MS + batchMs + 1500);
      expect(paused.rows_done as number).toBeLessThan(ROWS * 0.9);
      // Rollgate heard it too: backfill.paused with the cause, the reason and the lag.
      const event = await until("backfill.paused at Rollgate", () =>
        rollgate.events.find((e) => e.type === "backfill.paused"),
      );
      expect(event.data).toMatchObject({ cause: "replica_lag", reason: paused.reason, replica_lag_ms: lagMs });

      // While paused, nothing is written, and the pause is said once.
      const done = async () =>
        (await primary`select count(*)::int as n from invoices where billing_email = email`)[0]!.n as number;
      const before = await done();
      await sleep(2500);
      expect(await done()).toBe(before);
      expect(lines.filter((l) => l.event === "backfill.paused")).toHaveLength(1);
      expect(lines.some((l) => l.event === "backfill.resumed")).toBe(false);

      // Resume: the standby catches up and the backfill goes on by itself, soon.
      const resumedAt = Date.now();
      await standby`select pg_wal_replay_resume()`;
      const resumed = await until("the backfill to resume", () => lines.find((l) => l.event === "backfill.resumed"));
      expect(resumed.seen - resumedAt).toBeLessThan(3000);

      expect(await exited, stderr).toBe(0);
      expect(lines.at(-1)).toMatchObject({ event: "backfill.finished", rows_done: ROWS - ROWS / 10 });
      expect(rollgate.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(["backfill.started", "backfill.finished"]),
      );
      expect(rollgate.invalid, "every event fits the contract's schema").toEqual([]);
      const [diff] = await primary`select count(*)::int as n from (
        (select * from invoices except select * from expected) union all (select * from expected except select * from invoices)) d`;
      expect(diff!.n).toBe(0);
      // And the standby has it all.
      await until("the standby to replay the backfill", async () => {
        const [row] = await standby`select count(*)::int as n from invoices where billing_email is null`;
        return row!.n === 0 ? true : undefined;
      });
    } catch (error) {
      // What the command said, for whoever reads a failure.
      throw new Error(
        `${(error as Error).message}\nstderr:\n${stderr}\nlast lines:\n${lines
          .slice(-5)
          .map((l) => JSON.stringify(l))
          .join("\n")}`,
        { cause: error },
      );
    } finally {
      child.kill("SIGKILL");
      await standby`select pg_wal_replay_resume()`.catch(() => undefined);
    }
  });
});
