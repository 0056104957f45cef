"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { rolloutPath } from "@rollgate/core/contract/rollout-path";
import { useCallback, useMemo } from "react";
import { Countdown, useServerNow } from "@/components/countdown";
import { LiveStatus } from "@/components/live-status";
import { LocalTime } from "@/components/local-time";
import type { AttentionJson, OverviewJson } from "@/lib/dashboard-json";
import { overviewQueries } from "@/lib/fetchers";
import { useSeededQuery } from "@/lib/use-seeded-query";
import { ServiceList } from "./service-list";

/**
 * The overview, live: refreshed every 30 s, and at once when a window's countdown reaches
 * zero. The server renders the first answer; later ones come from /api/dashboard/overview.
 * The first answer arrives as JSON text: with hundreds of rollouts, React's own encoding of a
 * prop (value by value, on the server and again in the browser) cost more than JSON's.
 */
export function LiveOverview({ initialJson }: { initialJson: string }) {
  const client = useQueryClient();
  const initial = useMemo(() => JSON.parse(initialJson) as OverviewJson, [initialJson]);
  const query = useSeededQuery(overviewQueries.all(), initial);
  const data = query.data;
  const serverNow = useServerNow(data.now);
  const refresh = useCallback(
    () => void client.invalidateQueries({ queryKey: overviewQueries.all().queryKey }),
    [client],
  );
  const { attention, services } = data;

  return (
    <div className="space-y-6">
      <div className="flex items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Overview</h1>
        <LiveStatus dataAt={data.now} serverNow={serverNow} failed={query.isError} />
      </div>
      <section
        aria-labelledby="attention"
        className={`rounded-lg border p-4 ${attention.length ? "border-red-300 bg-red-50 dark:border-red-900 dark:bg-red-950" : "border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"}`}
      >
        <h2 id="attention" className={`font-semibold ${attention.length ? "text-red-900 dark:text-red-200" : ""}`}>
          Needs attention {attention.length ? `(${attention.length})` : ""}
        </h2>
        {attention.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            Nothing right now: no approval waits for you{data.signed_in ? "" : " (sign in to see yours)"}, no window
            ends within two hours, no run failed and no delivery was refused in the last day.
          </p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {attention.map((item, i) => (
              <li
                key={`${item.kind}-${item.service}-${item.environment}-${item.release}-${i}`}
                data-attention={item.kind}
              >
                <Attention item={item} now={data.now} onEnd={refresh} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {services.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 p-6 text-slate-600 dark:border-slate-700 dark:text-slate-300">
          No services yet. Run <code className="font-mono">pnpm db:seed</code> for demo data, or send a{" "}
          <code className="font-mono">release.created</code> event from CI.
        </p>
      ) : (
        <ServiceList services={services} now={data.now} onEnd={refresh} />
      )}
    </div>
  );
}

function Attention({ item, now, onEnd }: { item: AttentionJson; now: string; onEnd: () => void }) {
  const link = (
    <Link href={rolloutPath(item)} className="font-medium underline">
      {`${item.service} ${item.release} in ${item.environment}`}
    </Link>
  );
  switch (item.kind) {
    case "approval":
      return (
        <>
          {link} waits for your approval ({item.have} of {item.need}).
        </>
      );
    case "window":
      return (
        <>
          {link}: rollback window ends in <Countdown until={item.ends_at} serverNow={now} label="" onEnd={onEnd} />.
        </>
      );
    case "failed":
      return (
        <>
          {link}: {item.state === "expand_failed" ? "the expand migration failed" : "the contract migration failed"};
          see its migration runs.
        </>
      );
    case "refused":
      return (
        <>
          {link}: {item.count} refused deliver{item.count === 1 ? "y" : "ies"}, last <LocalTime at={item.last_at} />
          {item.last_message ? `: ${item.last_message}` : ""}
        </>
      );
    case "override":
      return (
        <>
          {link}: break-glass by {item.actor} overrode {item.checks.join(", ")} — “{item.justification}” awaits review.
        </>
      );
  }
}
