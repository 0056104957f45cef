import { useRouter } from "next/navigation";
import { memo, useCallback, type MouseEvent } from "react";
import { Countdown } from "@/components/countdown";
import { StateBadge } from "@/components/state-badge";
import { shownState } from "@rollgate/core/gate/shown-state";
import { rolloutPath } from "@rollgate/core/contract/rollout-path";
import type { GateSummaryJson, OverviewJson } from "@/lib/dashboard-json";
import { ProductionBadge } from "@/components/production-badge";

/**
 * Every service with each environment's rollout and gate, one line an environment. A page can
 * hold hundreds of these lines, so their styles are named once in globals.css (`.overview-*`)
 * rather than repeated in every line, and the list re-renders only when new data arrives (not
 * on the page's one-second clock). Its links are plain anchors with one click handler for the
 * whole list (`useListNavigation`): a `next/link` per line cost the server render about 6 ms of
 * CPU and 1.4 MB of garbage per page at 600 lines, and prefetched nothing here anyway.
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
  const navigate = useListNavigation();
  return (
    <div className="space-y-6" onClick={navigate}>
      {services.map((service) => (
        <section key={service.slug} aria-labelledby={`svc-${service.slug}`} className="overview-service">
          <h2 id={`svc-${service.slug}`}>
            {service.name} <span>{service.slug}</span>
          </h2>
          <ul>
            {service.environments.map((env) => (
              <li key={env.name} data-environment={env.name}>
                <b>{env.name}</b>
                <ProductionBadge productionLike={env.production_like} />
                {env.rollout ? (
                  <>
                    <StateBadge state={shownState(env.rollout.state, env.gate?.allowed ?? false)} />
                    <a
                      href={rolloutPath({ service: service.slug, environment: env.name, release: env.rollout.release })}
                    >
                      {env.rollout.title} <code>{env.rollout.release}</code>
                    </a>
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
      ))}
    </div>
  );
});

/**
 * A plain left click on one of the list's links navigates inside the app, as `next/link`
 * would (no reload, the page's data and clock kept); a click with a modifier, another button,
 * or on a link to elsewhere is left to the browser (new tab, download, another site).
 */
function useListNavigation() {
  const router = useRouter();
  return useCallback(
    (event: MouseEvent<HTMLElement>) => {
      const link = event.target instanceof Element ? event.target.closest("a") : null;
      const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0;
      if (!link || event.defaultPrevented || modified || link.target || link.hasAttribute("download")) return;
      if (link.origin !== window.location.origin) return;
      event.preventDefault();
      router.push(`${link.pathname}${link.search}${link.hash}`);
    },
    [router],
  );
}

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
