import Link from "next/link";
import { StateBadge } from "@/components/state-badge";
import { getOverview, getUnreviewedOverrides } from "@/server/overview/get-overview";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const [services, unreviewed] = await Promise.all([getOverview(), getUnreviewedOverrides()]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Overview</h1>
      {unreviewed.length ? (
        <section aria-labelledby="attention" className="rounded-lg border border-red-300 bg-red-50 p-4 dark:border-red-900 dark:bg-red-950">
          <h2 id="attention" className="font-semibold text-red-900 dark:text-red-200">
            Needs attention: break-glass awaiting review
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {unreviewed.map((o) => (
              <li key={o.id}>
                <Link href={`/rollouts/${o.service}/${o.environment}/${o.release}`} className="underline">
                  {o.service} {o.release} in {o.environment}
                </Link>
                : {o.actorEmail} overrode {o.checks.join(", ")} — “{o.justification}”
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {services.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 p-6 text-slate-600 dark:border-slate-700 dark:text-slate-300">
          No services yet. Run <code className="font-mono">pnpm db:seed</code> for demo data, or send a <code className="font-mono">release.created</code> event from CI.
        </p>
      ) : (
        services.map((service) => (
          <section key={service.slug} aria-labelledby={`svc-${service.slug}`} className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <h2 id={`svc-${service.slug}`} className="border-b border-slate-200 px-4 py-3 font-semibold dark:border-slate-800">
              {service.name} <span className="font-mono text-sm font-normal text-slate-500 dark:text-slate-400">{service.slug}</span>
            </h2>
            <ul className="divide-y divide-slate-100 dark:divide-slate-800">
              {service.environments.map((env) => (
                <li key={env.environmentId} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3">
                  <span className="w-24 font-medium">{env.environmentName}</span>
                  {env.rollout ? (
                    <>
                      <StateBadge state={env.rollout.state} />
                      <Link href={`/rollouts/${service.slug}/${env.environmentName}/${env.rollout.releaseKey}`} className="text-sm underline-offset-2 hover:underline">
                        {env.rollout.releaseTitle} <span className="font-mono text-slate-500 dark:text-slate-400">{env.rollout.releaseKey}</span>
                      </Link>
                      <span className="text-sm text-slate-600 dark:text-slate-300">
                        app {env.rollout.currentVersion ?? "not deployed"} · flag {env.rollout.flagPercent}%
                      </span>
                    </>
                  ) : (
                    <span className="text-sm text-slate-500 dark:text-slate-400">No rollout yet</span>
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
