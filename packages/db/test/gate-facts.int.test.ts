import { evaluateGate } from "@rollgate/core/gate";
import { defaultPolicy } from "@rollgate/core/policy";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/client.ts";
import { loadGateFacts, loadGateFactsMany } from "../src/queries/gate-facts.ts";
import { findRollout, type RolloutRow } from "../src/queries/rollouts.ts";
import * as schema from "../src/schema/index.ts";
import { sloSummary } from "./slo-summary.ts";
import {
  approvals,
  backups,
  migrationRuns,
  incidents,
  inspections,
  leases,
  overrides,
  rollouts,
  sloPulls,
  sloSnapshots,
  userIdentities,
  userRoles,
  users,
} from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const handle = await testDatabase();
const { db } = handle;

/** The same connection, with every statement counted. */
function countingDb(): { db: Db; statements: () => number } {
  let n = 0;
  const logger = { logQuery: () => void (n += 1) };
  const client = (db as unknown as { $client: never }).$client;
  const counted =
    handle.kind === "pglite"
      ? drizzlePglite({ client, schema, casing: "snake_case", logger })
      : drizzlePostgres({ client, schema, casing: "snake_case", logger });
  return { db: counted as unknown as Db, statements: () => n };
}

// Not on a minute boundary, so every window has partial minutes at its edges.
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 17_123);
const ago = (ms: number) => new Date(now.getTime() - ms);
const MIN = 60_000;
const HOUR = 3_600_000;
const summary = {
  format: 1,
  server: { version: "15", started_at: "2026-01-01T00:00:00Z", database: "app" },
  statistics: { available: true, track: "top", stats_reset: null, dealloc: 0, statements: 0, unresolved: 0 },
  statements: [],
  usage_complete: false,
  expand: [],
  tables: [],
  sessions: [],
  duration_ms: 1,
};
let rows: RolloutRow[] = [];

/**
 * Rollouts that differ in everything the gate reads: no window, a window of seconds, minutes
 * and hours; snapshots in and out of it; backups tested, untested and future; incidents open
 * and closed; approvals by people whose roles differ per service, one withdrawn; overrides;
 * live and expired leases; failed and good pulls; inspections before and after the window;
 * an earlier environment in another state; an author who is a linked identity.
 */
beforeAll(async () => {
  const windows = [null, 30_000, 7 * MIN + 13_000, 3 * HOUR + 17 * MIN + 5_000, 26 * HOUR + 41_000];
  const keys: Array<{ service: string; environment: string; release: string }> = [];
  for (const [n, windowMs] of windows.entries()) {
    const made = await makeRelease(db);
    const [staging, production] = made.rollouts;
    const target = n % 2 ? production! : staging!;
    keys.push({
      service: made.service.slug,
      environment: n % 2 ? "production" : "staging",
      release: made.release.key,
    });
    const ws = windowMs === null ? null : ago(windowMs);
    await db
      .update(rollouts)
      .set({
        state: n === 0 ? "rolling_out" : "verifying",
        windowStartedAt: ws,
        expandChecksum: "e".repeat(64),
        contractChecksum: "c".repeat(64),
        flagPercent: 100,
        deployedAt: ago(30 * HOUR),
      })
      .where(eq(rollouts.id, target.id));
    if (n % 2)
      await db
        .update(rollouts)
        .set({ state: n === 3 ? "contracted" : "verifying" })
        .where(eq(rollouts.id, staging!.id));
    const envId = target.environmentId;
    // Snapshots every 47 s from 30 h ago, a bad one now and then.
    const snaps = Array.from({ length: Math.floor((30 * HOUR) / 47_000) }, (_, i) => ({
      rolloutId: target.id,
      observedAt: ago(30 * HOUR - i * 47_000),
      availability: 99 + ((i * 37 + n) % 100) / 100,
      errorBudgetRemaining: ((i * 13) % 100) / 100,
      burnRate: ((i * 29 + n) % 50) / 10,
    }));
    for (let i = 0; i < snaps.length; i += 1000) await db.insert(sloSnapshots).values(snaps.slice(i, i + 1000));
    await db.insert(backups).values([
      { environmentId: envId, backupId: `b${n}-old`, restoreTested: true, verifiedAt: ago(5 * HOUR) },
      { environmentId: envId, backupId: `b${n}-untested`, restoreTested: false, verifiedAt: ago(HOUR) },
      {
        environmentId: envId,
        backupId: `b${n}-future`,
        restoreTested: true,
        verifiedAt: new Date(now.getTime() + HOUR),
      },
    ]);
    if (n >= 2)
      await db.insert(incidents).values([
        {
          environmentId: envId,
          title: `open ${n}`,
          openedAt: ago(HOUR),
          source: "alertmanager",
          url: "https://alerts.example.com/1",
        },
        { environmentId: envId, title: "closed", openedAt: ago(2 * HOUR), closedAt: ago(HOUR) },
      ]);
    const people = await db
      .insert(users)
      .values([0, 1, 2].map((k) => ({ email: `${uniqueSlug(`p${k}`)}@example.com` })))
      .returning({ id: users.id });
    await db.insert(userRoles).values([
      { userId: people[0]!.id, role: "release_manager", serviceId: made.service.id },
      { userId: people[1]!.id, role: "admin", serviceId: null },
      { userId: people[1]!.id, role: "viewer", serviceId: made.service.id },
    ]);
    if (n === 4) {
      const author = `${uniqueSlug("author")}`;
      await db
        .update(schema.releases)
        .set({ author: `12345+${author}@users.noreply.github.com` })
        .where(eq(schema.releases.id, made.release.id));
      await db.insert(userIdentities).values({ identity: `login:${author}`, userId: people[2]!.id });
    }
    await db.insert(approvals).values([
      {
        rolloutId: target.id,
        approverId: people[0]!.id,
        role: "release_manager",
        decision: "approve",
        contractChecksum: "c".repeat(64),
        decidedAt: ago(40 * MIN),
      },
      {
        rolloutId: target.id,
        approverId: people[1]!.id,
        role: "admin",
        decision: n === 3 ? "reject" : "approve",
        contractChecksum: "c".repeat(64),
        decidedAt: ago(30 * MIN),
        withdrawnAt: n === 2 ? ago(10 * MIN) : null,
      },
      {
        rolloutId: target.id,
        approverId: people[2]!.id,
        role: "approver",
        decision: "approve",
        contractChecksum: "d".repeat(64),
        decidedAt: ago(20 * MIN),
      },
    ]);
    if (n >= 3)
      await db.insert(overrides).values({
        rolloutId: target.id,
        actorId: people[1]!.id,
        role: "admin",
        justification: "Because the alert is a known false positive.",
        checks: ["no_go"],
        createdAt: ago(5 * MIN),
        expiresAt: ago(-25 * MIN),
        confirmedAt: n === 4 ? ago(4 * MIN) : null,
      });
    await db.insert(leases).values({
      rolloutId: target.id,
      holder: `ci#${n}`,
      checksum: "c".repeat(64),
      acquiredAt: ago(2 * MIN),
      expiresAt: n === 1 ? ago(MIN) : ago(-10 * MIN),
      releasedAt: n === 2 ? ago(MIN) : null,
    });
    if (windowMs !== null)
      await db.insert(sloPulls).values([
        { rolloutId: target.id, slotAt: ago(2 * MIN), source: "prometheus", pulledAt: ago(2 * MIN - 300), ok: true },
        ...(n % 2
          ? [
              {
                rolloutId: target.id,
                slotAt: ago(MIN),
                source: "prometheus",
                pulledAt: ago(MIN - 200),
                ok: false,
                error: "timeout",
              },
            ]
          : []),
      ]);
    const inspection = (receivedAt: Date, windowStart = false) => ({
      environmentId: envId,
      eventId: crypto.randomUUID(),
      receivedAt,
      windowStart,
      summary: { ...summary, duration_ms: receivedAt.getTime() % 1000 } as never,
    });
    if (ws)
      await db
        .insert(inspections)
        .values([
          inspection(new Date(ws.getTime() - 5 * MIN), n === 3),
          inspection(new Date(ws.getTime() + 1000)),
          inspection(ago(1000)),
          inspection(new Date(now.getTime() + MIN)),
        ]);
  }
  rows = await Promise.all(keys.map(async (k) => (await findRollout(db, k))!));
});

describe("the gate's facts for many rollouts at once", () => {
  it("gives every rollout the same facts and verdict as loading it alone", async () => {
    const batch = await loadGateFactsMany(
      db,
      rows.map((row) => ({ row, expandDestructiveFindings: 0 })),
      now,
    );
    for (const [i, row] of rows.entries()) {
      const alone = await loadGateFacts(db, row, now, 0);
      expect(batch[i], `rollout ${i}`).toEqual(alone);
      const policy = defaultPolicy(row.environmentName);
      expect(evaluateGate(batch[i]!, policy, now)).toEqual(evaluateGate(alone, policy, now));
    }
    // The set really varies: different verdicts, windows, approvals and incidents.
    expect(
      new Set(
        batch.map((f) =>
          JSON.stringify([
            f.slo.samples,
            f.approvals.length,
            f.openIncidents.length,
            f.activeLease?.holder ?? null,
            f.earlierEnvironments,
          ]),
        ),
      ).size,
    ).toBe(rows.length);
    expect(batch[4]!.authorIds).toHaveLength(1);
  });

  it("summarises each window's SLOs exactly as sloSummary does from the rollups and the raw edges", async () => {
    const batch = await loadGateFactsMany(
      db,
      rows.map((row) => ({ row, expandDestructiveFindings: 0 })),
      now,
    );
    for (const [i, row] of rows.entries()) {
      const ws = row.rollout.windowStartedAt;
      const expected = ws
        ? await sloSummary(db, { rolloutId: row.rollout.id, from: ws, to: now })
        : { samples: 0, minAvailability: null, minErrorBudgetRemaining: null, maxBurnRate: null };
      const { pulls: _pulls, ...slo } = batch[i]!.slo;
      expect(slo, `rollout ${i}`).toEqual(expected);
      if (ws && now.getTime() - ws.getTime() > 2 * MIN) expect(slo.samples).toBeGreaterThan(0);
    }
  });

  it("reads the facts in a fixed number of statements, however many rollouts there are", async () => {
    const inputs = rows.map((row) => ({ row, expandDestructiveFindings: 0 }));
    const one = countingDb();
    await loadGateFactsMany(one.db, inputs.slice(0, 1), now);
    const all = countingDb();
    await loadGateFactsMany(all.db, inputs, now);
    expect(one.statements()).toBe(1);
    expect(all.statements()).toBe(1); // fewer rollouts than one statement takes

    // Split (as a big overview is): at most `statements` statements, the facts the same and in order.
    const split = countingDb();
    const parts = await loadGateFactsMany(split.db, inputs, now, { statements: 3, perStatement: 2 });
    expect(rows.length).toBeGreaterThan(4); // three statements of two, two and one
    expect(split.statements()).toBe(3);
    expect(parts).toEqual(await loadGateFactsMany(db, inputs, now));
    const small = countingDb();
    await loadGateFactsMany(small.db, inputs, now, { statements: 4, perStatement: 3 });
    expect(small.statements()).toBe(Math.min(4, Math.ceil(rows.length / 3)));
  });
});

describe("promotion", () => {
  /** Staging contracted with script `ran`; production holds `registered`. */
  async function promoted(ran: string, registered: string) {
    const made = await makeRelease(db);
    const [staging, production] = made.rollouts;
    await db.update(rollouts).set({ state: "contracted", contractChecksum: ran }).where(eq(rollouts.id, staging!.id));
    await db.insert(migrationRuns).values({
      rolloutId: staging!.id,
      phase: "contract",
      name: "c",
      checksum: ran,
      status: "succeeded",
      startedAt: ago(2 * HOUR),
      finishedAt: ago(HOUR),
    });
    await db.update(rollouts).set({ contractChecksum: registered }).where(eq(rollouts.id, production!.id));
    const row = await findRollout(db, {
      service: made.service.slug,
      environment: "production",
      release: made.release.key,
    });
    const facts = await loadGateFacts(db, row!, now, 0);
    return evaluateGate(facts, defaultPolicy("production"), now).checks.find((c) => c.id === "promotion")!;
  }

  it("finding 19: promotion by a different contract script fails; the same checksum passes", async () => {
    expect(await promoted("a".repeat(64), "b".repeat(64))).toMatchObject({
      status: "fail",
      message: expect.stringContaining("staging"),
    });
    expect(await promoted("a".repeat(64), "a".repeat(64))).toMatchObject({ status: "pass" });
  });
});
