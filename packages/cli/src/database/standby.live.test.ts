import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamingPair, freePorts, portRange } from "@rollgate/db/testing/streaming-pair";

// The replica-lag harness itself (issue 28): a real primary and a real `pg_basebackup -R`
// streaming standby on private ports (ROLLGATE_TEST_PG_PORTS, e.g. 5521-5539), and how the
// primary's `pg_stat_replication` reports lag while replay is paused on the standby.
//
// What this test measured on PostgreSQL 15 (defaults: wal_receiver_status_interval = 10s), and
// what a lag throttle that reads the primary must therefore do:
// - While replay is paused AND the primary keeps writing, `replay_lag` grows in step with the
//   wall clock (≈ the age of the oldest unreplayed write): every WAL message the standby
//   receives makes it send a reply, and the walsender interpolates a stuck apply position as
//   increasing lag. `write_lag`/`flush_lag` stay at ~1 ms (the standby still receives and
//   flushes). So a backfill that is writing sees `replay_lag` pass `--max-lag` within about
//   `--max-lag` of the pause.
// - While replay is paused and the primary is idle (e.g. the backfill itself stopped to wait),
//   `replay_lag` freezes at the value of the standby's last reply: it does not shrink, it is
//   only refreshed by the next reply (at most wal_receiver_status_interval later, or earlier
//   when background WAL arrives). A waiting throttle therefore keeps waiting: safe.
// - After `pg_wal_replay_resume()` the standby replays and replies at once: `replay_lsn` catches
//   up with `pg_current_wal_lsn()` within a moment, but `replay_lag` then shows the lag of the
//   last sample replayed (the seconds the pause lasted, e.g. 3.5 s) and keeps showing it, stale,
//   until the next status reply; only then (≈10 s later) does it become NULL ("caught up and
//   idle"). A throttle that waits for `replay_lag < --max-lag` would wait up to 10 s after
//   the standby has caught up. Read it as:
//     behind = pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)
//     lag    = 0 when behind <= 0 (replayed everything the primary has written), else coalesce(replay_lag, 0)
//   (NULL replay_lag with behind = 0 is the idle, caught-up state; `behind` alone is bytes, not time.)
// The LAG_SQL below is that reading; the test shows it reads 0 as soon as the standby caught up.
// The backfill's own reading (core's backfill/lag.ts) keeps (time, pg_current_wal_lsn()) samples
// instead, which also gives a paused standby's lag while the primary idles, and reads 0 once the
// standby has replayed the newest sample, whatever replay_lag says (the acceptance test in
// src/backfill/replica-lag.live.test.ts resumed 4.5 s late before that rule).

const LAG_SQL = `select application_name, state, replay_lag::text as replay_lag,
  extract(epoch from replay_lag) * 1000 as replay_lag_ms,
  pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint as behind,
  case when pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) <= 0 then 0
       else coalesce(extract(epoch from replay_lag) * 1000, 0) end as lag_ms
  from pg_stat_replication`;

type LagRow = {
  application_name: string;
  state: string;
  replay_lag: string | null;
  replay_lag_ms: number | null;
  behind: number;
  lag_ms: number;
};

let pair: StreamingPair;
let primary: postgres.Sql;
let standby: postgres.Sql;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lag(): Promise<LagRow> {
  const rows = await primary.unsafe(LAG_SQL);
  expect(rows).toHaveLength(1);
  const r = rows[0]!;
  return {
    application_name: r.application_name as string,
    state: r.state as string,
    replay_lag: r.replay_lag as string | null,
    replay_lag_ms: r.replay_lag_ms === null ? null : Number(r.replay_lag_ms),
    behind: Number(r.behind),
    lag_ms: Number(r.lag_ms),
  };
}

beforeAll(async () => {
  const [from, to] = portRange(process.env.ROLLGATE_TEST_PG_PORTS, [5460, 5479]);
  const [primaryPort, standbyPort] = await freePorts(from, to, 2);
  pair = await StreamingPair.start({ primaryPort: primaryPort!, standbyPort: standbyPort! });
  primary = postgres(pair.primary.url, { max: 1, onnotice: () => undefined });
  standby = postgres(pair.standby.url, { max: 1, onnotice: () => undefined });
});
afterAll(async () => {
  await primary?.end();
  await standby?.end();
  pair?.destroy();
});

describe("a real primary with a streaming standby (pg_basebackup -R)", () => {
  it("streams: the primary lists the standby, and what the primary commits is readable on the standby", async () => {
    const row = await lag();
    expect(row).toMatchObject({ application_name: pair.standbyName, state: "streaming" });
    expect((await standby`select pg_is_in_recovery() as r`)[0]!.r).toBe(true);
    await primary`create table items (id int primary key, v text)`;
    await primary`insert into items values (1, 'a')`;
    for (let i = 0; ; i += 1) {
      const rows = await standby`select to_regclass('items') is not null as ok`;
      if (rows[0]!.ok && (await standby`select count(*)::int as n from items`)[0]!.n === 1) break;
      if (i > 100) throw new Error("the standby never saw the primary's row");
      await sleep(50);
    }
  });

  it("replay paused: the primary's replay_lag grows while it writes, stays while it idles; after resume `behind` is 0 at once while replay_lag stays stale until it turns NULL", async () => {
    await standby`select pg_wal_replay_pause()`;
    for (let i = 0; (await standby`select pg_get_wal_replay_pause_state() as s`)[0]!.s !== "paused"; i += 1) {
      if (i > 100) throw new Error("replay never paused");
      await sleep(50);
    }

    // The primary writes for ~2.5 s: the lag grows with the clock, and the standby does not see the rows.
    const started = Date.now();
    const samples: LagRow[] = [];
    for (let i = 0; i < 10; i += 1) {
      await primary`insert into items select g, 'b' from generate_series(${i * 1000 + 2}::int, ${i * 1000 + 1001}::int) g`;
      await sleep(250);
      samples.push(await lag());
    }
    const elapsed = Date.now() - started;
    const last = samples.at(-1)!;
    expect(last.replay_lag_ms).not.toBeNull();
    expect(last.replay_lag_ms!).toBeGreaterThan(1000);
    expect(last.replay_lag_ms!).toBeLessThanOrEqual(elapsed + 500);
    expect(last.lag_ms).toBe(last.replay_lag_ms);
    expect(last.behind).toBeGreaterThan(samples[0]!.behind);
    const growing = samples.map((s) => s.replay_lag_ms ?? 0);
    expect(growing.at(-1)!).toBeGreaterThan(growing[2]!);
    expect((await standby`select count(*)::int as n from items`)[0]!.n).toBe(1);

    // Idle for 2 s, still paused: the lag does not shrink (at most refreshed upward by a reply).
    await sleep(2000);
    const idle = await lag();
    expect(idle.replay_lag_ms!).toBeGreaterThanOrEqual(last.replay_lag_ms!);
    expect(idle.behind).toBeGreaterThanOrEqual(last.behind);

    // Resume: the standby replays everything and says so at once…
    await standby`select pg_wal_replay_resume()`;
    let caughtUp: LagRow | undefined;
    for (let i = 0; i < 100 && !caughtUp; i += 1) {
      const row = await lag();
      if (row.behind <= 0) caughtUp = row;
      else await sleep(50);
    }
    expect(caughtUp, "the standby caught up within 5 s of the resume").toBeDefined();
    expect((await standby`select count(*)::int as n from items`)[0]!.n).toBe(10_001);
    // …yet replay_lag is the lag of the last sample replayed (it was written ≥ 2 s before the
    // resume), stale: only the `behind <= 0` reading says 0.
    expect(caughtUp!.replay_lag_ms).not.toBeNull();
    expect(caughtUp!.replay_lag_ms!).toBeGreaterThan(1000);
    expect(caughtUp!.lag_ms).toBe(0);

    // It stays stale until the standby's next status reply (wal_receiver_status_interval, 10 s),
    // which clears it to NULL; `lag_ms` reads 0 throughout.
    let cleared: LagRow | undefined;
    for (let i = 0; i < 30 && !cleared; i += 1) {
      await sleep(500);
      const row = await lag();
      expect(row.lag_ms).toBe(0);
      if (row.replay_lag_ms === null || row.replay_lag_ms < 1000) cleared = row;
    }
    expect(cleared, "replay_lag was refreshed within 15 s of the catch-up").toBeDefined();
  });
});
