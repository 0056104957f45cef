"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { gateQueries, type GateJson } from "@/lib/fetchers";
import { useSeededQuery } from "@/lib/use-seeded-query";
import { utc } from "@/lib/format";
import { formatCountdown, useServerNow } from "@/components/countdown";
import { LiveStatus } from "@/components/live-status";
import { openChecks } from "@rollgate/core/gate/open-checks";
import { CheckEvidence } from "./check-evidence";

const ICON = { pass: "✓", fail: "✗", pending: "…", unknown: "?" } as const;
const TONE = {
  pass: "text-emerald-700 dark:text-emerald-400",
  fail: "text-red-700 dark:text-red-400",
  pending: "text-amber-700 dark:text-amber-300",
  unknown: "text-violet-700 dark:text-violet-300",
} as const;

/**
 * The gate panel, live: refreshed every 15 s, and at once when a countdown reaches zero.
 * Countdowns tick in the browser against the server's clock (useServerNow).
 */
export function LiveGatePanel({ keys, initial }: { keys: RolloutKey; initial: GateJson }) {
  const client = useQueryClient();
  const query = useSeededQuery(gateQueries.verdict(keys), initial);
  const gate = query.data;
  const serverNow = useServerNow(gate.now);
  const expired = gate.checks.some((c) => c.until && c.status !== "pass" && Date.parse(c.until) <= serverNow);
  useEffect(() => {
    if (expired && !query.isFetching) void client.invalidateQueries({ queryKey: gateQueries.verdict(keys).queryKey });
  }, [expired, query.isFetching, client, keys]);
  const open = openChecks(gate.checks).length;

  return (
    <section
      aria-labelledby="gate-heading"
      className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-baseline justify-between gap-2">
        <h2 id="gate-heading" className="text-lg font-semibold">
          Contract gate
        </h2>
        <LiveStatus dataAt={gate.now} serverNow={serverNow} failed={query.isError} />
      </div>
      <p role="status" className={`mt-1 font-medium ${gate.allowed ? TONE.pass : TONE.pending}`}>
        {gate.allowed
          ? "Contract unlocked: every check passes. CI may take the lease."
          : `Contract locked: ${open} check(s) still open.`}
      </p>
      <ul className="mt-3 divide-y divide-slate-100 dark:divide-slate-800">
        {gate.checks.map((c) => (
          <li
            key={c.id}
            data-check={c.id}
            data-status={c.status}
            data-blocking={c.blocking}
            className="flex gap-3 py-2"
          >
            <span aria-hidden className={`w-4 font-bold ${TONE[c.status]}`}>
              {ICON[c.status]}
            </span>
            <div>
              <p className="font-medium">
                {c.title}{" "}
                <span className={`text-xs uppercase ${TONE[c.status]}`}>
                  {c.overridden ? `${c.status}, overridden` : c.status}
                </span>
                {c.blocking === false ? (
                  <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">(informational)</span>
                ) : null}
              </p>
              <p className="text-sm text-slate-600 dark:text-slate-300">{c.message}</p>
              {c.links?.length ? (
                <p className="text-sm">
                  {c.links.map((l) => (
                    <a key={l.href} href={l.href} rel="noreferrer noopener" target="_blank" className="mr-3 underline">
                      {l.label}
                    </a>
                  ))}
                </p>
              ) : null}
              {c.details ? <CheckEvidence details={c.details} /> : null}
              {c.until && c.status !== "pass" ? (
                <p className="text-sm font-medium" data-countdown={c.id}>
                  <time dateTime={c.until} title={`${utc(c.until, true)} UTC`}>
                    {Date.parse(c.until) > serverNow
                      ? `${formatCountdown(Date.parse(c.until) - serverNow)} left`
                      : "now — checking…"}
                  </time>
                </p>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
