import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalForm } from "@/components/rollout/approval-form";
import { SloChart } from "@/components/charts/slo-chart";
import { AnnotatedScript } from "@/components/rollout/annotated-script";
import { LiveGatePanel } from "@/components/rollout/live-gate-panel";
import { StateBadge } from "@/components/state-badge";
import { BreakGlassPanel } from "@/components/rollout/break-glass-panel";
import { currentUser, rolesFor } from "@/server/auth/current-user";
import { AppError } from "@/server/errors";
import { gateJson } from "@/server/gate/evaluate-rollout-gate";
import { getRolloutView } from "@/server/rollouts/get-rollout-view";
import { decide } from "./actions";
import { utc } from "@/lib/format";

export const dynamic = "force-dynamic";
type Params = { service: string; environment: string; release: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const p = await params;
  return { title: `${p.service} ${p.release} in ${p.environment}` };
}

export default async function RolloutPage({ params }: { params: Promise<Params> }) {
  const keys = await params;
  const view = await getRolloutView(keys).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const user = await currentUser();
  const { row, verdict, approvals, overrides, policy } = view;
  const canBreakGlass = Boolean(user && policy && rolesFor(user, row.serviceId).some((r) => policy.breakGlass.allowedRoles.includes(r)));
  const open = verdict.checks.filter((c) => c.status !== "pass" && !c.overridden);
  const checksum = row.rollout.contractChecksum;
  const mine = user ? approvals.find((a) => a.approverId === user.id && a.contractChecksum === checksum && !a.withdrawnAt) : undefined;
  const state = verdict.allowed && row.rollout.state === "verifying" ? "contract_ready" : row.rollout.state;
  const signIn = `/api/auth/signin?callbackUrl=${encodeURIComponent(`/rollouts/${keys.service}/${keys.environment}/${keys.release}`)}`;

  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <p className="font-mono text-sm text-slate-500 dark:text-slate-400">
          {keys.service} · {keys.environment} · {keys.release}
        </p>
        <h1 className="text-2xl font-semibold">{row.release.title}</h1>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <StateBadge state={state} /> version {row.rollout.releaseVersion} by {row.release.author}
          <a className="underline" href={`/rollouts/${keys.service}/${keys.environment}/${keys.release}/evidence`}>
            Evidence (JSON)
          </a>
          <a className="underline" href={`/rollouts/${keys.service}/${keys.environment}/${keys.release}/evidence?format=md`}>
            Evidence (printable)
          </a>
        </p>
      </header>
      <div className="grid gap-6 lg:grid-cols-2">
        <LiveGatePanel keys={keys} initial={{ now: view.now.toISOString(), ...gateJson(keys, view) }} />
        <section aria-labelledby="approvals-heading" className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <h2 id="approvals-heading" className="text-lg font-semibold">
            Approvals <span className="text-sm font-normal text-slate-500 dark:text-slate-400">{verdict.approvals.have} of {verdict.approvals.need}</span>
          </h2>
          {checksum ? <p className="mt-1 break-all font-mono text-xs text-slate-500 dark:text-slate-400">contract script SHA-256 {checksum}</p> : null}
          <ul className="my-3 space-y-2">
            {approvals.length === 0 ? <li className="text-sm text-slate-500 dark:text-slate-400">No decisions yet.</li> : null}
            {approvals.map((a) => (
              <li key={a.id} className="text-sm">
                <span className="font-medium">{a.approverName ?? a.approverEmail}</span> {a.withdrawnAt ? "withdrew their decision" : a.decision === "approve" ? "approved" : "rejected"}
                {a.contractChecksum !== checksum ? <span className="text-amber-700 dark:text-amber-300"> an earlier version of the script (no longer counts)</span> : null}
                <time dateTime={a.decidedAt.toISOString()} title={a.decidedAt.toISOString()} className="text-slate-500 dark:text-slate-400">
                  {" "}
                  at {utc(a.decidedAt)} UTC
                </time>
                {a.comment ? <span className="block text-slate-600 dark:text-slate-300">“{a.comment}”</span> : null}
              </li>
            ))}
          </ul>
          {user ? (
            <ApprovalForm action={decide} keys={keys} canWithdraw={Boolean(mine)} />
          ) : (
            <a href={signIn} className="inline-block rounded bg-slate-900 px-3 py-1.5 text-sm font-medium text-white dark:bg-slate-100 dark:text-slate-900">
              Sign in to approve
            </a>
          )}
        </section>
      </div>
      {user && policy && (canBreakGlass || overrides.length > 0) ? (
        <BreakGlassPanel keys={keys} open={canBreakGlass ? open : []} overrides={overrides} userId={user.id} maxMinutes={policy.breakGlass.maxDurationSeconds / 60} />
      ) : null}
      {policy ? (
        <section aria-labelledby="slo-heading" className="space-y-2">
          <h2 id="slo-heading" className="text-lg font-semibold">
            Service level objectives
          </h2>
          {view.slo.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">No SLO snapshot yet. CI sends them as slo.snapshot events; the gate needs them for the whole window.</p>
          ) : (
            <div className="grid gap-3 md:grid-cols-3">
              <SloChart title="Availability" unit=" %" threshold={policy.slo.minAvailability} data={view.slo.map((p) => ({ t: p.at.getTime(), value: p.availability }))} windowStart={row.rollout.windowStartedAt?.getTime() ?? null} windowEnd={verdict.windowEndsAt?.getTime() ?? null} />
              <SloChart title="Error budget remaining" unit="" threshold={policy.slo.minErrorBudgetRemaining} data={view.slo.map((p) => ({ t: p.at.getTime(), value: p.errorBudgetRemaining }))} windowStart={row.rollout.windowStartedAt?.getTime() ?? null} windowEnd={verdict.windowEndsAt?.getTime() ?? null} />
              <SloChart title="Burn rate" unit="×" threshold={policy.slo.maxBurnRate} data={view.slo.map((p) => ({ t: p.at.getTime(), value: p.burnRate }))} windowStart={row.rollout.windowStartedAt?.getTime() ?? null} windowEnd={verdict.windowEndsAt?.getTime() ?? null} />
            </div>
          )}
        </section>
      ) : null}
      <section aria-labelledby="timeline-heading" className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <h2 id="timeline-heading" className="text-lg font-semibold">
          Timeline
        </h2>
        <ol className="mt-2 space-y-1 text-sm">
          {view.events
            .filter((e) => e.type !== "slo.snapshot")
            .map((e) => (
              <li key={e.id} className="flex flex-wrap gap-x-3">
                <time dateTime={e.occurredAt.toISOString()} title={`${e.occurredAt.toISOString()} (UTC)`} className="w-36 font-mono text-xs text-slate-500 dark:text-slate-400">
                  {utc(e.occurredAt)}
                </time>
                <span className="font-medium">{e.type}</span>
                <span className="text-slate-600 dark:text-slate-300">{describeEvent(e.data as Record<string, unknown>)}</span>
                {e.stateBefore !== e.stateAfter ? <span className="text-xs text-slate-500 dark:text-slate-400">{e.stateBefore.replaceAll("_", " ")} → {e.stateAfter.replaceAll("_", " ")}</span> : null}
              </li>
            ))}
        </ol>
        {view.runs.length ? (
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">
            Migration runs:{" "}
            {view.runs.map((r) => `${r.phase} ${r.name} ${r.status}${r.durationMs !== null ? ` in ${(r.durationMs / 1000).toFixed(1)} s` : ""}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ""}`).join("; ")}
          </p>
        ) : null}
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        {row.release.expandSql ? <AnnotatedScript title="Expand script" sql={row.release.expandSql} findings={view.expandFindings} /> : null}
        {row.release.contractSql ? <AnnotatedScript title="Contract script" sql={row.release.contractSql} findings={view.contractFindings} /> : null}
      </div>
    </div>
  );
}

/** One line for an event's data: the fields a person scans for. */
function describeEvent(d: Record<string, unknown>): string {
  const parts = [d.version && `version ${d.version}`, d.phase && `${d.phase} ${d.name ?? ""}`.trim(), d.percent !== undefined && `flag ${d.flag ?? ""} ${d.percent} %`, d.backup_id && `backup ${d.backup_id}${d.restore_tested ? " (restore tested)" : ""}`, d.title && String(d.title)];
  return parts.filter(Boolean).join(", ");
}
