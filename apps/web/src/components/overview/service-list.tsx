import Link from "next/link";
import { memo } from "react";
import { Countdown } from "@/components/countdown";
import { StateBadge } from "@/components/state-badge";
import type { GateSummaryJson, OverviewJson } from "@/lib/fetchers";

/**
 * Every service with each environment's rollout and gate, one line an environment. A page can
 * hold hundreds of these lines, so their styles are named once in globals.css (`.overview-*`)
 * rather than repeated in every line, and the list re-renders only when new data arrives (not
 * on the page's one-second clock).
 */
export const ServiceList = memo(function ServiceList({
  services,
  now,
  onEnd,
}: {
  services: OverviewJson["services"];
  now: string;
  onEnd: () => void;
}) {
  return services.map((service) => (
    <section key={service.slug} aria-labelledby={`svc-${service.slug}`} className="overview-service">
      <h2 id={`svc-${service.slug}`}>
        {service.name} <span>{service.slug}</span>
      </h2>
      <ul>
        {service.environments.map((env) => (
          <li key={env.name} data-environment={env.name}>
            <b>{env.name}</b>
            {env.rollout ? (
              <>
                <StateBadge
                  state={env.gate?.allowed && env.rollout.state === "verifying" ? "contract_ready" : env.rollout.state}
                />
                {/* Hundreds of links: none is prefetched for being on screen, only on hover. */}
                <Link href={`/rollouts/${service.slug}/${env.name}/${env.rollout.release}`} prefetch={false}>
                  {env.rollout.title} <code>{env.rollout.release}</code>
                </Link>
                <span>{`app ${env.rollout.current_version ?? "not deployed"} · flag ${env.rollout.flag_percent}%`}</span>
                {env.gate ? <GateStatus gate={env.gate} now={now} onEnd={onEnd} /> : null}
              </>
            ) : (
              <span>No rollout yet: CI starts one with release.created.</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  ));
});

function GateStatus({ gate, now, onEnd }: { gate: GateSummaryJson; now: string; onEnd: () => void }) {
  const windowOpen = gate.window_ends_at && Date.parse(gate.window_ends_at) > Date.parse(now);
  return (
    <span data-gate={gate.allowed ? "allowed" : "locked"}>
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
