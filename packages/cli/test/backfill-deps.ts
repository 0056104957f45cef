import type { BackfillDeps, BackfillReport } from "../src/backfill/engine.ts";

/**
 * For benchmarks and tests that run `runBackfill` without a Rollgate: the rollout is rolling
 * out with no failing check, the control is always `run`, events are kept in `events`.
 */
export function offlineDeps(report: (r: BackfillReport) => void = () => undefined) {
  const events: Array<{ type: string; data: unknown }> = [];
  const deps: BackfillDeps = {
    gate: async () => ({ state: "rolling_out", checks: [] }),
    control: async () => "run",
    send: async (type, data) => {
      events.push({ type, data });
      return { ok: true };
    },
    report,
  };
  return { deps, events };
}
