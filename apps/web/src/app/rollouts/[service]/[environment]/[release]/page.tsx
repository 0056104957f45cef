import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalForm } from "@/components/rollout/approval-form";
import { LiveGatePanel } from "@/components/rollout/live-gate-panel";
import { StateBadge } from "@/components/state-badge";
import { BreakGlassPanel } from "@/components/rollout/break-glass-panel";
import { currentUser, rolesFor } from "@/server/auth/current-user";
import { AppError } from "@/server/errors";
import { gateJson } from "@/server/gate/evaluate-rollout-gate";
import { getRolloutView } from "@/server/rollouts/get-rollout-view";
import { decide } from "./actions";

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
                  at {a.decidedAt.toISOString().replace("T", " ").slice(0, 16)} UTC
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
      {row.release.contractSql ? (
        <section aria-labelledby="contract-heading" className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <h2 id="contract-heading" className="text-lg font-semibold">
            Contract script
          </h2>
          <pre className="mt-2 overflow-x-auto rounded bg-slate-100 p-3 text-sm dark:bg-slate-950">{row.release.contractSql}</pre>
        </section>
      ) : null}
    </div>
  );
}
