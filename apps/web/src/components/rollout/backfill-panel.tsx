"use client";

import type { DashboardBackfill } from "@rollgate/core/contract/backfill";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { ActionForm } from "@/components/action-form";
import { formatCountdown, useServerNow } from "@/components/countdown";
import { LiveStatus } from "@/components/live-status";
import type { ActionState } from "@/lib/action-state";
import { backfillQueries, type BackfillsJson } from "@/lib/fetchers";
import { utc } from "@/lib/format";
import { useSeededQuery } from "@/lib/use-seeded-query";

const STATE_TONE: Record<DashboardBackfill["state"], string> = {
  running: "text-sky-700 dark:text-sky-300",
  paused: "text-amber-700 dark:text-amber-300",
  finished: "text-emerald-700 dark:text-emerald-400",
  failed: "text-red-700 dark:text-red-400",
  cancelled: "text-slate-600 dark:text-slate-300",
};
const LABEL = { pause: "Pause", resume: "Resume", cancel: "Cancel" } as const;
const rows = (n: number) => n.toLocaleString("en");

/**
 * The rollout's backfills (`rollgate backfill`), live: refreshed every 5 s. Each shows its
 * state, rows done of the estimate, rate, ETA, replica lag and why it waits; Pause, Resume and
 * Cancel are shown to whom the server says may press them (and it decides again when pressed).
 */
export function BackfillPanel({
  keys,
  initial,
  action,
}: {
  keys: RolloutKey;
  initial: BackfillsJson;
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
}) {
  const query = useSeededQuery(backfillQueries.list(keys), initial);
  const data = query.data;
  const serverNow = useServerNow(data.now);
  if (data.backfills.length === 0) return null;
  return (
    <section
      aria-labelledby="backfill-heading"
      className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-baseline justify-between gap-2">
        <h2 id="backfill-heading" className="text-lg font-semibold">
          Backfill
        </h2>
        <LiveStatus dataAt={data.now} serverNow={serverNow} failed={query.isError} />
      </div>
      <ul className="mt-2 divide-y divide-slate-100 dark:divide-slate-800">
        {data.backfills.map((b) => (
          <li key={b.backfill_id} data-backfill={b.backfill_id} data-state={b.state} className="space-y-2 py-3">
            <BackfillRow backfill={b} />
            {b.actions.length ? (
              <ActionForm action={action} hidden={{ ...keys, backfillId: b.backfill_id }}>
                <div className="flex gap-2">
                  {b.actions.map((a) => (
                    <button
                      key={a}
                      name="action"
                      value={a}
                      className={`rounded px-3 py-1.5 text-sm font-medium focus-visible:ring-2 focus-visible:ring-sky-500 ${
                        a === "cancel"
                          ? "bg-red-700 text-white hover:bg-red-800"
                          : "bg-slate-900 text-white hover:bg-slate-700 dark:bg-slate-100 dark:text-slate-900"
                      }`}
                    >
                      {LABEL[a]}
                    </button>
                  ))}
                </div>
              </ActionForm>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function BackfillRow({ backfill: b }: { backfill: DashboardBackfill }) {
  const estimate = b.estimate_rows && b.estimate_rows > 0 ? b.estimate_rows : null;
  const percent = estimate ? Math.min(100, Math.round((b.rows_done / estimate) * 100)) : null;
  const live = b.state === "running" || b.state === "paused";
  return (
    <div className="space-y-1 text-sm">
      <p>
        <span className={`font-medium uppercase ${STATE_TONE[b.state]}`} data-backfill-state>
          {b.state}
        </span>{" "}
        <code className="font-mono">
          {b.table ?? "(table not yet reported)"}
          {b.set ? ` SET ${b.set}` : ""}
          {b.where ? ` WHERE ${b.where}` : ""}
        </code>
      </p>
      <div
        role="progressbar"
        aria-label="Rows done"
        aria-valuemin={0}
        aria-valuemax={estimate ?? undefined}
        aria-valuenow={b.rows_done}
        className="h-2 overflow-hidden rounded bg-slate-100 dark:bg-slate-800"
      >
        <div className="h-full bg-sky-600" style={{ width: `${percent ?? 0}%` }} />
      </div>
      <p className="text-slate-600 dark:text-slate-300" data-backfill-rows>
        {rows(b.rows_done)} of {estimate ? `~${rows(estimate)}` : "an unknown number of"} rows done
        {percent !== null ? ` (${percent} %)` : ""}, {rows(b.rows_written)} written
        {live && b.rate_per_s !== null ? `; ${rows(Math.round(b.rate_per_s))} rows/s` : ""}
        {live && b.eta_s !== null && b.state === "running" ? `; about ${formatCountdown(b.eta_s * 1000)} left` : ""}
        {b.replica_lag_ms !== null
          ? `; replica lag ${rows(Math.round(b.replica_lag_ms))} ms`
          : "; no replica lag known"}
      </p>
      {live && b.throttle ? (
        <p className="text-amber-800 dark:text-amber-300" data-backfill-throttle>
          {b.state === "paused" ? "Waiting: " : "Throttled: "}
          {b.throttle}
        </p>
      ) : null}
      {b.control !== "run" && live ? (
        <p className="font-medium" data-backfill-control={b.control}>
          {b.control === "pause" ? "Pause" : "Cancel"} requested by {b.requested_by ?? "someone"}
          {b.requested_at ? ` at ${utc(b.requested_at, true)} UTC` : ""}: the backfill stops before its next batch.
        </p>
      ) : null}
      {b.error ? <p className="text-red-800 dark:text-red-300">{b.error}</p> : null}
      <p className="text-xs text-slate-500 dark:text-slate-400">
        started {utc(b.started_at, true)} UTC, updated {utc(b.updated_at, true)} UTC
        {b.finished_at ? `, ended ${utc(b.finished_at, true)} UTC` : ""}
        {b.check_name ? `; data check ${b.check_name}` : ""}
      </p>
    </div>
  );
}
