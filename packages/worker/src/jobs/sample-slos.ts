import { parsePolicy, renderQuery, samplingSlot, type SloObjective, type SloSource } from "@rollgate/core/policy";
import { recordPulls, rolloutsToSample, type PullOutcome } from "@rollgate/db/queries/slo-pulls";
import { loadSloSourceSecrets } from "@rollgate/db/queries/slo-sources";
import { decryptSecret } from "@rollgate/db/secrets";
import type { JobContext } from "../context.ts";
import type { JobResult } from "./definition.ts";
import { instantQuery, type PrometheusTarget, type QueryResult } from "../prometheus.ts";
import { outboundFetch } from "../outbound.ts";

const OBJECTIVES: SloObjective[] = ["availability", "errorBudgetRemaining", "burnRate", "latencyP99Ms"];
const LABEL: Record<SloObjective, string> = {
  availability: "availability",
  errorBudgetRemaining: "error budget",
  burnRate: "burn rate",
  latencyP99Ms: "p99 latency",
};

/**
 * One sampling round: every verifying rollout whose policy names Prometheus and whose current
 * slot (its interval, aligned to the epoch) has no pull yet is queried at `now`, and the
 * results are recorded together. Queries run outside any transaction; only the short insert
 * of claims and snapshots touches the database.
 */
export async function sampleSlos(ctx: JobContext): Promise<JobResult> {
  const now = ctx.now();
  // The next slot boundary of any source: the round after this one should start there.
  let nextDue = Infinity;
  const due: Array<{
    rolloutId: string;
    environmentId: string;
    service: string;
    environment: string;
    source: SloSource;
    slotAt: Date;
  }> = [];
  for (const r of await rolloutsToSample(ctx.db)) {
    const parsed = parsePolicy(r.policy);
    const source = parsed.ok ? parsed.policy.sloSource : undefined;
    if (!source) continue;
    const slotAt = samplingSlot(now, source.intervalSeconds);
    nextDue = Math.min(nextDue, slotAt.getTime() + source.intervalSeconds * 1000);
    if (r.lastSlot && r.lastSlot >= slotAt) continue;
    due.push({ ...r, source, slotAt });
  }
  const nextRunAt = Number.isFinite(nextDue) ? new Date(nextDue) : undefined;
  if (due.length === 0) return { summary: "nothing due", nextRunAt };
  const sealed = await loadSloSourceSecrets(ctx.db, [...new Set(due.map((d) => d.environmentId))]);
  const cache = new Map<string, Promise<QueryResult>>();
  const limit = limiter(ctx.config.queryConcurrency);
  const fetchImpl = ctx.fetch ?? outboundFetch({ allowPrivate: ctx.config.allowPrivateDestinations });
  const query = (target: PrometheusTarget, promql: string) => {
    const key = `${target.url}\n${target.auth}\n${target.username ?? ""}\n${target.secret ?? ""}\n${promql}`;
    if (!cache.has(key))
      cache.set(
        key,
        limit(() => instantQuery(target, promql, now, fetchImpl)),
      );
    return cache.get(key)!;
  };
  const outcomes = await Promise.all(
    due.map(async (d): Promise<PullOutcome> => {
      const started = performance.now();
      const ciphertext = sealed.get(d.environmentId);
      let secret: string | null = null;
      try {
        secret = ciphertext ? decryptSecret(ciphertext, ctx.secretKey) : null;
      } catch {
        return {
          rolloutId: d.rolloutId,
          slotAt: d.slotAt,
          pulledAt: now,
          durationMs: 0,
          result: {
            ok: false,
            error: "the stored Prometheus credential cannot be decrypted (was ROLLGATE_SECRET_KEY changed?)",
          },
        };
      }
      const target: PrometheusTarget = {
        url: d.source.url,
        auth: d.source.auth,
        username: d.source.username,
        secret,
        timeoutSeconds: d.source.timeoutSeconds,
      };
      const vars = { service: d.service, environment: d.environment };
      const values: Partial<Record<SloObjective, number>> = {};
      for (const [objective, result] of await Promise.all(
        OBJECTIVES.filter((o) => d.source.queries[o]).map(
          async (o) => [o, await query(target, renderQuery(d.source.queries[o]!, vars))] as const,
        ),
      )) {
        const durationMs = Math.round(performance.now() - started);
        if (!result.ok)
          return {
            rolloutId: d.rolloutId,
            slotAt: d.slotAt,
            pulledAt: now,
            durationMs,
            result: {
              ok: false,
              error: `${LABEL[objective]} ${result.error.startsWith("query ") ? result.error : `query: ${result.error}`}`,
            },
          };
        const bad = outOfRange(objective, result.value);
        if (bad)
          return {
            rolloutId: d.rolloutId,
            slotAt: d.slotAt,
            pulledAt: now,
            durationMs,
            result: { ok: false, error: bad },
          };
        values[objective] = result.value;
      }
      return {
        rolloutId: d.rolloutId,
        slotAt: d.slotAt,
        pulledAt: now,
        durationMs: Math.round(performance.now() - started),
        result: {
          ok: true,
          availability: values.availability!,
          errorBudgetRemaining: values.errorBudgetRemaining!,
          burnRate: values.burnRate!,
          latencyP99Ms: values.latencyP99Ms ?? null,
        },
      };
    }),
  );
  const { claimed, snapshots } = await recordPulls(ctx.db, "prometheus", outcomes);
  const errors = outcomes.filter((o) => !o.result.ok).length;
  return { summary: `${due.length} due, ${claimed} claimed, ${snapshots} snapshot(s), ${errors} error(s)`, nextRunAt };
}

/** A value the snapshot columns (and the CI API) would refuse, as a reason. */
function outOfRange(objective: SloObjective, value: number): string | null {
  if (objective === "availability" && (value < 0 || value > 100))
    return `availability query returned ${value}; it must be a percentage from 0 to 100`;
  if (objective === "errorBudgetRemaining" && (value < -10 || value > 1))
    return `error budget query returned ${value}; it must be a fraction from -10 to 1`;
  if (objective === "burnRate" && value < 0) return `burn rate query returned ${value}; it must not be negative`;
  if (objective === "latencyP99Ms" && value < 0) return `p99 latency query returned ${value}; it must not be negative`;
  return null;
}

/** Runs at most `n` of the given tasks at once. */
function limiter(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
