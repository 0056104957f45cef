import { randomUUID } from "node:crypto";
import { evaluateGate } from "@rollgate/core/gate";
import { defaultPolicy, parsePolicy } from "@rollgate/core/policy";
import { loadGateFacts } from "@rollgate/db/queries/gate-facts";
import { claimDueRun, listJobStatus } from "@rollgate/db/queries/jobs";
import { hitRateLimit } from "@rollgate/db/queries/rate-limits";
import { findRollout } from "@rollgate/db/queries/rollouts";
import { recordPulls } from "@rollgate/db/queries/slo-pulls";
import {
  environments,
  leases,
  rateLimits,
  releases,
  rollouts,
  sloMinutes,
  sloPulls,
  sloSnapshots,
} from "@rollgate/db/schema";
import { count, eq, inArray, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { makeRelease } from "../../db/test/fixtures.ts";
import { testDatabase } from "../../db/test/harness.ts";
import { DEFAULT_WORKER_CONFIG, type JobContext } from "../src/context.ts";
import { JOBS } from "../src/jobs/index.ts";
import { expireLeases, prune } from "../src/jobs/maintenance.ts";
import { sampleSlos } from "../src/jobs/sample-slos.ts";
import { runRecorded } from "../src/record.ts";

const handle = await testDatabase();
const { db } = handle;
const MINUTE = 60_000;

function context(
  clock: { at: Date },
  config: Partial<JobContext["config"]> = {},
  fetchImpl?: typeof fetch,
): JobContext {
  return {
    db,
    now: () => clock.at,
    secretKey: "test-secret-key-0123456789",
    // Fake Prometheus servers of these tests listen on 127.0.0.1.
    config: { ...DEFAULT_WORKER_CONFIG, allowPrivateDestinations: true, ...config },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
}

describe("pruning", () => {
  it("keeps rate_limits and raw SLO snapshots bounded under an hour of simulated load (injected clock)", async () => {
    const { rollouts: outs } = await makeRelease(db);
    const ids = outs.map((r) => r.id);
    const prefix = `load-${randomUUID()}`;
    // A past hour, so the cut-offs never reach rows other tests write at today's time.
    const clock = { at: new Date("2001-03-01T00:00:00Z") };
    const ctx = context(clock, { rateLimitRetentionSeconds: 300, snapshotRetentionDays: 10 / 1440 });
    const counts = async () => ({
      windows: (
        await db
          .select({ n: count() })
          .from(rateLimits)
          .where(like(rateLimits.bucket, `${prefix}%`))
      )[0]!.n,
      snapshots: (await db.select({ n: count() }).from(sloSnapshots).where(inArray(sloSnapshots.rolloutId, ids)))[0]!.n,
    });
    let peak = { windows: 0, snapshots: 0 };
    for (let step = 0; step < 360; step += 1) {
      clock.at = new Date(Date.UTC(2001, 2, 1) + step * 10_000);
      for (let b = 0; b < 5; b += 1) await hitRateLimit(db, `${prefix}:${b}`, clock.at, MINUTE);
      await db.insert(sloSnapshots).values(
        ids.map((rolloutId) => ({
          rolloutId,
          observedAt: clock.at,
          availability: 99.9,
          errorBudgetRemaining: 0.5,
          burnRate: 1,
        })),
      );
      if (step % 30 === 29) {
        await prune(ctx); // every five simulated minutes
        const now = await counts();
        peak = { windows: Math.max(peak.windows, now.windows), snapshots: Math.max(peak.snapshots, now.snapshots) };
      }
    }
    // Unpruned: 5 buckets × 60 windows = 300 and 2 rollouts × 360 = 720.
    expect(peak.windows).toBeLessThanOrEqual(5 * (5 + 1));
    expect(peak.snapshots).toBeLessThanOrEqual(2 * 6 * (10 + 5));
    expect((await counts()).snapshots).toBeGreaterThan(0);
    // The rollups keep the whole hour for the charts.
    const minutes = await db.select({ n: count() }).from(sloMinutes).where(eq(sloMinutes.rolloutId, ids[0]!));
    expect(minutes[0]!.n).toBe(60);
  });
});

describe("exactly once", () => {
  it("claims a due run once when two loops race for it", async () => {
    const job = `race-${randomUUID()}`;
    const now = new Date();
    const results = await Promise.all([
      claimDueRun(db, job, now, new Date(now.getTime() + MINUTE)),
      claimDueRun(db, job, now, new Date(now.getTime() + MINUTE)),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await claimDueRun(db, job, new Date(now.getTime() + 30_000), new Date(now.getTime() + 2 * MINUTE))).toBe(
      false,
    );
    expect(await claimDueRun(db, job, new Date(now.getTime() + MINUTE), new Date(now.getTime() + 2 * MINUTE))).toBe(
      true,
    );
  });

  it("records one snapshot per rollout and slot when two workers record the same round", async () => {
    const { rollouts: outs } = await makeRelease(db);
    const slotAt = new Date("2026-11-20T10:00:00Z");
    const outcomes = outs.map((r) => ({
      rolloutId: r.id,
      slotAt,
      pulledAt: slotAt,
      durationMs: 3,
      result: { ok: true as const, availability: 99.9, errorBudgetRemaining: 0.5, burnRate: 1, latencyP99Ms: null },
    }));
    const [a, b] = await Promise.all([
      recordPulls(db, "prometheus", outcomes),
      recordPulls(db, "prometheus", outcomes),
    ]);
    expect(a!.snapshots + b!.snapshots).toBe(outs.length);
    const rows = await db
      .select({ n: count() })
      .from(sloSnapshots)
      .where(
        inArray(
          sloSnapshots.rolloutId,
          outs.map((r) => r.id),
        ),
      );
    expect(rows[0]!.n).toBe(outs.length);
  });
});

describe("jobs", () => {
  it("releases leases past their expiry and leaves live ones", async () => {
    const { rollouts: outs } = await makeRelease(db);
    const now = new Date();
    await db.insert(leases).values([
      {
        rolloutId: outs[0]!.id,
        holder: "ci",
        acquiredAt: new Date(now.getTime() - 2 * MINUTE),
        expiresAt: new Date(now.getTime() - MINUTE),
      },
      { rolloutId: outs[1]!.id, holder: "ci", acquiredAt: now, expiresAt: new Date(now.getTime() + MINUTE) },
    ]);
    await expireLeases(context({ at: now }));
    const rows = await db
      .select({ rolloutId: leases.rolloutId, outcome: leases.outcome })
      .from(leases)
      .where(
        inArray(
          leases.rolloutId,
          outs.map((r) => r.id),
        ),
      );
    expect(rows.find((r) => r.rolloutId === outs[0]!.id)!.outcome).toBe("expired");
    expect(rows.find((r) => r.rolloutId === outs[1]!.id)!.outcome).toBeNull();
  });

  it("records a failed run with its error for the admin page and metrics", async () => {
    const job = {
      ...JOBS[0]!,
      name: `failing-${randomUUID()}`,
      run: async () => Promise.reject(new Error('relation "x" does not exist')),
    };
    const outcome = await runRecorded(job, context({ at: new Date() }));
    expect(outcome.ok).toBe(false);
    const status = (await listJobStatus(db)).find((s) => s.job === job.name)!;
    expect(status).toMatchObject({
      consecutiveFailures: 1,
      failures: 1,
      runs: 1,
      lastError: "relation … does not exist",
    });
  });
});

describe("sampling Prometheus", () => {
  async function verifyingRollout(queries: Record<string, string>) {
    const made = await makeRelease(db);
    const staging = made.environments.find((e) => e.name === "staging")!;
    const sloSource = {
      kind: "prometheus",
      url: "http://prometheus.test:9090",
      auth: "none",
      timeoutSeconds: 2,
      intervalSeconds: 60,
      maxGapSeconds: 180,
      queries,
    };
    await db
      .update(environments)
      .set({ policy: { ...defaultPolicy("staging"), sloSource } })
      .where(eq(environments.id, staging.id));
    const rollout = made.rollouts.find((r) => r.environmentId === staging.id)!;
    await db
      .update(rollouts)
      .set({ state: "verifying", windowStartedAt: new Date("2026-11-21T09:00:00Z") })
      .where(eq(rollouts.id, rollout.id));
    return { ...made, rolloutId: rollout.id, service: made.service.slug };
  }
  const answer = (result: unknown[]) =>
    new Response(JSON.stringify({ status: "success", data: { resultType: "vector", result } }), {
      headers: { "content-type": "application/json" },
    });
  const series = (v: string) => [{ metric: {}, value: [1, v] }];

  it("writes one snapshot per interval with its source, querying with the rollout's service filled in", async () => {
    const r = await verifyingRollout({
      availability: 'avail{service="{service}"}',
      errorBudgetRemaining: "budget",
      burnRate: "burn",
    });
    const seen: string[] = [];
    const fake = (async (url: URL) => {
      const q = url.searchParams.get("query")!;
      seen.push(q);
      return answer(series(q.startsWith("avail") ? "99.95" : q === "budget" ? "0.7" : "0.4"));
    }) as unknown as typeof fetch;
    const clock = { at: new Date("2026-11-21T09:10:05Z") };
    await sampleSlos(context(clock, {}, fake));
    clock.at = new Date("2026-11-21T09:10:40Z"); // same slot: nothing due for this rollout
    await sampleSlos(context(clock, {}, fake));
    const rows = await db
      .select({ source: sloSnapshots.source, availability: sloSnapshots.availability })
      .from(sloSnapshots)
      .where(eq(sloSnapshots.rolloutId, r.rolloutId));
    expect(rows).toEqual([{ source: "prometheus", availability: 99.95 }]);
    expect(seen).toContain(`avail{service="${r.service}"}`);
  });

  it("records why a pull failed, and the gate reads it as pending with the reason", async () => {
    const r = await verifyingRollout({ availability: "avail", errorBudgetRemaining: "budget", burnRate: "burn" });
    const clock = { at: new Date("2026-11-21T09:12:00Z") };
    await sampleSlos(context(clock, {}, (async () => answer([])) as unknown as typeof fetch));
    const pulls = await db.select().from(sloPulls).where(eq(sloPulls.rolloutId, r.rolloutId));
    expect(pulls.map((p) => [p.ok, p.error])).toEqual([[false, "availability query returned no series"]]);
    const [release] = await db.select({ key: releases.key }).from(releases).where(eq(releases.id, r.release.id));
    const row = (await findRollout(db, { service: r.service, environment: "staging", release: release!.key }))!;
    const parsed = parsePolicy(row.policy);
    if (!parsed.ok) throw new Error("policy");
    const verdict = evaluateGate(await loadGateFacts(db, row, clock.at, 0), parsed.policy, clock.at);
    const slo = verdict.checks.find((c) => c.id === "slo")!;
    expect(slo.status).toBe("pending");
    expect(slo.message).toBe(
      "No SLO data from prometheus since 2026-11-21 09:00:00 UTC: availability query returned no series.",
    );
  });
});
