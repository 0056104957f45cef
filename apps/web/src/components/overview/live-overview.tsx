"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback } from "react";
import { Countdown, useServerNow } from "@/components/countdown";
import { LiveStatus } from "@/components/live-status";
import { LocalTime } from "@/components/local-time";
import { StateBadge } from "@/components/state-badge";
import { overviewQueries, type AttentionJson, type GateSummaryJson, type OverviewJson } from "@/lib/fetchers";
import { useSeededQuery } from "@/lib/use-seeded-query";

const href = (i: { service: string; environment: string; release: string }) =>
  `/rollouts/${i.service}/${i.environment}/${i.release}`;

/**
 * The overview, live: refreshed every 30 s, and at once when a window's countdown reaches
 * zero. The server renders the first answer; later ones come from /api/dashboard/overview.
 */
export function LiveOverview({ initial }: { initial: OverviewJson }) {
  const client = useQueryClient();
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
        services.map((service) => (
          <section
            key={service.slug}
            aria-labelledby={`svc-${service.slug}`}
            className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
          >
            <h2
              id={`svc-${service.slug}`}
              className="border-b border-slate-200 px-4 py-3 font-semibold dark:border-slate-800"
            >
              {service.name}{" "}
              <span className="font-mono text-sm font-normal text-slate-500 dark:text-slate-400">{service.slug}</span>
            </h2>
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {service.environments.map((env) => (
                <li
                  key={env.id}
                  data-environment={env.name}
                  className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3"
                >
                  <span className="w-24 font-medium">{env.name}</span>
                  {env.rollout ? (
                    <>
                      <StateBadge
                        state={
                          env.gate?.allowed && env.rollout.state === "verifying" ? "contract_ready" : env.rollout.state
                        }
                      />
                      <Link
                        href={href({ service: service.slug, environment: env.name, release: env.rollout.release })}
                        className="text-sm underline-offset-2 hover:underline"
                      >
                        {env.rollout.title}{" "}
                        <span className="font-mono text-slate-500 dark:text-slate-400">{env.rollout.release}</span>
                      </Link>
                      <span className="text-sm text-slate-600 dark:text-slate-300">
                        app {env.rollout.current_version ?? "not deployed"} · flag {env.rollout.flag_percent}%
                      </span>
                      {env.gate ? <GateStatus gate={env.gate} now={data.now} onEnd={refresh} /> : null}
                    </>
                  ) : (
                    <span className="text-sm text-slate-500 dark:text-slate-400">
                      No rollout yet: CI starts one with release.created.
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </div>
  );
}

function GateStatus({ gate, now, onEnd }: { gate: GateSummaryJson; now: string; onEnd: () => void }) {
  const windowOpen = gate.window_ends_at && Date.parse(gate.window_ends_at) > Date.parse(now);
  return (
    <span
      data-gate={gate.allowed ? "allowed" : "locked"}
      className={`text-sm font-medium ${gate.allowed ? "text-emerald-700 dark:text-emerald-400" : "text-amber-800 dark:text-amber-300"}`}
    >
      {gate.allowed ? "gate open" : `gate locked: ${gate.open} check(s) open`}
      {windowOpen ? (
        <>
          {" · window "}
          <Countdown until={gate.window_ends_at!} serverNow={now} onEnd={onEnd} />
        </>
      ) : null}
    </span>
  );
}

function Attention({ item, now, onEnd }: { item: AttentionJson; now: string; onEnd: () => void }) {
  const link = (
    <Link href={href(item)} className="font-medium underline">
      {item.service} {item.release} in {item.environment}
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
