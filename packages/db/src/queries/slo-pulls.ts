import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import { sloPulls, sloSnapshots } from "../schema/index.ts";

export interface PullOutcome {
  rolloutId: string;
  slotAt: Date;
  pulledAt: Date;
  durationMs: number;
  result:
    | { ok: true; availability: number; errorBudgetRemaining: number; burnRate: number; latencyP99Ms: number | null }
    | { ok: false; error: string };
}

/**
 * Records one round of pulls: a claim per (rollout, slot) and, for each claim this call won,
 * its snapshot, in one transaction. A slot another worker already claimed is skipped, so
 * however many workers sample, each rollout gets at most one snapshot per interval.
 * Returns how many snapshots were written.
 */
export async function recordPulls(
  db: Db,
  source: string,
  outcomes: PullOutcome[],
): Promise<{ claimed: number; snapshots: number }> {
  if (outcomes.length === 0) return { claimed: 0, snapshots: 0 };
  return db.transaction(async (tx) => {
    const won = await tx
      .insert(sloPulls)
      .values(
        outcomes.map((o) => ({
          rolloutId: o.rolloutId,
          slotAt: o.slotAt,
          source,
          pulledAt: o.pulledAt,
          ok: o.result.ok,
          error: o.result.ok ? null : o.result.error.slice(0, 1000),
          durationMs: o.durationMs,
        })),
      )
      .onConflictDoNothing()
      .returning({ rolloutId: sloPulls.rolloutId });
    const mine = new Set(won.map((w) => w.rolloutId));
    const rows = outcomes.flatMap((o) =>
      mine.has(o.rolloutId) && o.result.ok
        ? [
            {
              rolloutId: o.rolloutId,
              observedAt: o.pulledAt,
              availability: o.result.availability,
              errorBudgetRemaining: o.result.errorBudgetRemaining,
              burnRate: o.result.burnRate,
              latencyP99Ms: o.result.latencyP99Ms,
              source,
            },
          ]
        : [],
    );
    if (rows.length) await tx.insert(sloSnapshots).values(rows);
    return { claimed: mine.size, snapshots: rows.length };
  });
}

/** Pulls of a rollout between two times (for the chart's gaps and errors), newest last, at most `limit`. */
export async function listPulls(db: Db, params: { rolloutId: string; from: Date; to: Date; limit?: number }) {
  const rows = rowsOf<{
    slot_at: string | Date;
    pulled_at: string | Date;
    ok: boolean;
    error: string | null;
    source: string;
  }>(
    await db.execute(sql`select slot_at, pulled_at, ok, error, source from (
      select * from slo_pulls where rollout_id = ${params.rolloutId} and slot_at >= ${params.from.toISOString()}::timestamptz and slot_at <= ${params.to.toISOString()}::timestamptz
      order by slot_at desc limit ${params.limit ?? 500}) p order by slot_at`),
  );
  return rows.map((r) => ({
    slotAt: new Date(r.slot_at),
    pulledAt: new Date(r.pulled_at),
    ok: r.ok,
    error: r.error,
    source: r.source,
  }));
}

/**
 * Rollouts the worker should sample: verifying (deployed, flag full) under a policy that names
 * an SLO source, with their newest claimed slot. Sampling goes on after the window ends, until
 * the contract starts, because the gate keeps reading SLOs until then.
 */
export async function rolloutsToSample(db: Db) {
  const rows = rowsOf<{
    rollout_id: string;
    environment_id: string;
    service: string;
    environment: string;
    policy: unknown;
    window_started_at: string | Date;
    last_slot: string | Date | null;
  }>(
    await db.execute(sql`
      select r.id as rollout_id, e.id as environment_id, s.slug as service, e.name as environment, e.policy, r.window_started_at,
             (select max(p.slot_at) from slo_pulls p where p.rollout_id = r.id) as last_slot
      from rollouts r join environments e on e.id = r.environment_id join services s on s.id = e.service_id
      where r.state = 'verifying' and r.window_started_at is not null and e.policy -> 'sloSource' is not null`),
  );
  return rows.map((r) => ({
    rolloutId: r.rollout_id,
    environmentId: r.environment_id,
    service: r.service,
    environment: r.environment,
    policy: r.policy,
    windowStartedAt: new Date(r.window_started_at),
    lastSlot: r.last_slot ? new Date(r.last_slot) : null,
  }));
}
