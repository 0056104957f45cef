import { SloSourceNote } from "@/components/rollout/slo-source-note";
import { withGaps } from "@/lib/gaps";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalForm } from "@/components/rollout/approval-form";
import { Chart } from "@/components/charts/chart";
import { AnnotatedScript } from "@/components/rollout/annotated-script";
import { LiveGatePanel } from "@/components/rollout/live-gate-panel";
import { StateBadge } from "@/components/state-badge";
import { BreakGlassPanel } from "@/components/rollout/break-glass-panel";
import { BackfillPanel } from "@/components/rollout/backfill-panel";
import { dashboardBackfill } from "@rollgate/app/backfills/backfill-view";
import {
  mayBreakGlass,
  mayConfirmOverride,
  mayStartRecovery,
  OVERRIDABLE_CHECKS,
  overrideMaxMinutes,
} from "@rollgate/core/access/decide";
import { shownState } from "@rollgate/core/gate/shown-state";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { rolloutPath } from "@rollgate/core/contract/rollout-path";
import { Refusal } from "@/components/refusal";
import { gateContext, personOf } from "@rollgate/app/access/rollout-context";
import { pageReader } from "@/server/auth/reading";
import { AppError } from "@/server/errors";
import { gateJson } from "@rollgate/app/gate/evaluate-rollout-gate";
import { getRolloutView } from "@rollgate/app/rollouts/get-rollout-view";
import { useCaseDeps } from "@/server/use-case-deps";
import { rolloutKeysSchema } from "@/server/rollouts/rollout-keys";
import { backfillAction, breakGlassAction, confirmAction, decide, recoveryAction, reviewAction } from "./actions";
import { DataTable } from "@/components/data-table";
import { Pager } from "@/components/pager";
import type { TimelineItem } from "@rollgate/app/rollouts/get-rollout-view";
import { LocalTime } from "@/components/local-time";
import { InspectionHistory } from "@/components/rollout/inspection-history";
import { ProductionBadge } from "@/components/production-badge";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<RolloutKey> }): Promise<Metadata> {
  const p = await params;
  return { title: `${p.service} ${p.release} in ${p.environment}` };
}

export default async function RolloutPage({
  params,
  searchParams,
}: {
  params: Promise<RolloutKey>;
  searchParams: Promise<{ before?: string }>;
}) {
  const keys = await params;
  const { before } = await searchParams;
  const path = rolloutPath(keys);
  // The layout has answered an anonymous visitor (307) and an unknown rollout (404) already.
  const { user } = await pageReader(null, path);
  if (!rolloutKeysSchema.safeParse(keys).success) notFound();
  const view = await getRolloutView(await useCaseDeps(), keys, before).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const { row, verdict, approvals, overrides, policy } = view;
  const { refusal } = await pageReader({ kind: "rollout", serviceId: row.serviceId }, path, user);
  if (refusal || !user) return <Refusal message={refusal ?? ""} />;
  // The page shows what the rules in core would allow; the server actions ask them again.
  const ctx = gateContext(view);
  const person = personOf(user);
  const canBreakGlass = mayBreakGlass(person, ctx, [OVERRIDABLE_CHECKS[0]]).ok;
  const canRecover = mayStartRecovery(person, ctx).ok;
  const confirmable = overrides.filter((o) => mayConfirmOverride(person, ctx, o).ok).map((o) => o.id);
  const open = verdict.checks.filter(
    (c) => c.status !== "pass" && !c.overridden && (OVERRIDABLE_CHECKS as readonly string[]).includes(c.id),
  );
  const checksum = row.rollout.contractChecksum;
  // The approval panel says when the data is not carried over: approving cannot unlock that.
  const dataFails = verdict.checks.find((c) => c.id === "data" && c.status === "fail");
  const mine = approvals.find((a) => a.approverId === user.id && a.contractChecksum === checksum && !a.withdrawnAt);
  const state = shownState(row.rollout.state, verdict.allowed);
  const windowMarks = {
    windowStart: row.rollout.windowStartedAt?.getTime() ?? null,
    windowEnd: verdict.windowEndsAt?.getTime() ?? null,
  };
  // A pulled source's gap: longer without a sample than the policy allows (and than two of the chart's ~300 buckets).
  const sloGapMs = policy.sloSource
    ? Math.max(
        policy.sloSource.maxGapSeconds * 1000,
        (2 * (view.now.getTime() - (view.slo[0]?.at.getTime() ?? view.now.getTime()))) / 300,
      )
    : null;

  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <p className="font-mono text-sm text-slate-500 dark:text-slate-400">
          {keys.service} · {keys.environment} · {keys.release}
        </p>
        <h1 className="text-2xl font-semibold">{row.release.title}</h1>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <StateBadge state={state} />
          <ProductionBadge productionLike={row.environmentProductionLike} /> version {row.rollout.releaseVersion} by{" "}
          {row.rollout.author ?? row.release.author}
          {row.rollout.provisional && " (provisional: this environment's pipeline has not registered the release yet)"}
          <a className="underline" href={`${path}/evidence`}>
            Evidence (JSON)
          </a>
          <a className="underline" href={`${path}/evidence?format=md`}>
            Evidence (printable)
          </a>
        </p>
      </header>
      <div className="grid gap-6 lg:grid-cols-2">
        <LiveGatePanel keys={keys} initial={{ now: view.now.toISOString(), ...gateJson(keys, view) }} />
        <section
          aria-labelledby="approvals-heading"
          className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
        >
          <h2 id="approvals-heading" className="text-lg font-semibold">
            Approvals{" "}
            <span className="text-sm font-normal text-slate-500 dark:text-slate-400">
              {verdict.approvals.have} of {verdict.approvals.need}
            </span>
          </h2>
          {checksum ? (
            <p className="mt-1 break-all font-mono text-xs text-slate-500 dark:text-slate-400">
              contract script SHA-256 {checksum}
            </p>
          ) : null}
          <ul className="my-3 space-y-2">
            {approvals.length === 0 ? (
              <li className="text-sm text-slate-500 dark:text-slate-400">No decisions yet.</li>
            ) : null}
            {approvals.map((a) => (
              <li key={a.id} className="text-sm">
                <span className="font-medium">{a.approverName ?? a.approverEmail}</span>{" "}
                {a.withdrawnAt ? "withdrew their decision" : a.decision === "approve" ? "approved" : "rejected"}
                {a.contractChecksum !== checksum ? (
                  <span className="text-amber-700 dark:text-amber-300">
                    {" "}
                    an earlier version of the script (no longer counts)
                  </span>
                ) : null}
                <span className="text-slate-500 dark:text-slate-400">
                  {" "}
                  at <LocalTime at={a.decidedAt} />
                </span>
                {a.comment ? <span className="block text-slate-600 dark:text-slate-300">“{a.comment}”</span> : null}
              </li>
            ))}
          </ul>
          {dataFails ? (
            <p role="note" data-approval-note="data" className="mb-3 text-sm text-red-700 dark:text-red-300">
              {dataFails.title} fails: {dataFails.message} An approval does not unlock the contract, and break-glass
              cannot override this check.
            </p>
          ) : null}
          <ApprovalForm action={decide} keys={keys} checksum={checksum ?? ""} canWithdraw={Boolean(mine)} />
        </section>
      </div>
      <BackfillPanel
        keys={keys}
        action={backfillAction}
        initial={{
          now: view.now.toISOString(),
          backfills: view.backfills.map((b) => dashboardBackfill(b, row.serviceId, person)),
        }}
      />
      {canBreakGlass || canRecover || overrides.length > 0 ? (
        <BreakGlassPanel
          keys={keys}
          actions={{
            breakGlass: breakGlassAction,
            confirm: confirmAction,
            recovery: recoveryAction,
            review: reviewAction,
          }}
          open={canBreakGlass ? open : []}
          canRecover={canRecover}
          confirmable={confirmable}
          overrides={overrides}
          userId={user.id}
          maxMinutes={overrideMaxMinutes(policy)}
        />
      ) : null}
      <section aria-labelledby="slo-heading" className="space-y-2">
        <h2 id="slo-heading" className="text-lg font-semibold">
          Service level objectives and the flag
        </h2>
        {policy.sloSource ? <SloSourceNote source={policy.sloSource} failures={view.pullFailures} /> : null}
        {view.slo.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">
            No SLO snapshot yet. CI sends them as slo.snapshot events; the gate needs them for the whole window.
          </p>
        ) : null}
        <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
          {view.slo.length ? (
            <>
              <Chart
                title="Availability"
                unit=" %"
                threshold={policy.slo.minAvailability}
                data={withGaps(
                  view.slo.map((p) => ({ t: p.at.getTime(), value: p.availability })),
                  sloGapMs,
                )}
                {...windowMarks}
              />
              <Chart
                title="Error budget remaining"
                unit=""
                threshold={policy.slo.minErrorBudgetRemaining}
                data={withGaps(
                  view.slo.map((p) => ({ t: p.at.getTime(), value: p.errorBudgetRemaining })),
                  sloGapMs,
                )}
                {...windowMarks}
              />
              <Chart
                title="Burn rate"
                unit="×"
                threshold={policy.slo.maxBurnRate}
                data={withGaps(
                  view.slo.map((p) => ({ t: p.at.getTime(), value: p.burnRate })),
                  sloGapMs,
                )}
                {...windowMarks}
              />
            </>
          ) : null}
          {view.flag.length ? (
            <Chart
              title={`Flag ${view.flag.at(-1)!.flag}`}
              unit=" %"
              step
              domain={[0, 100]}
              data={[
                ...view.flag.map((f) => ({ t: f.at.getTime(), value: f.percent })),
                { t: view.now.getTime(), value: view.flag.at(-1)!.percent },
              ]}
              {...windowMarks}
            />
          ) : (
            <p className="text-sm text-slate-600 dark:text-slate-300">
              The flag has not moved yet: CI reports each step of the ramp as a flag.changed event.
            </p>
          )}
        </div>
      </section>
      <section
        aria-labelledby="runs-heading"
        className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="runs-heading" className="text-lg font-semibold">
          Migration runs
        </h2>
        {view.runs.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            No script has run yet. CI reports runs with <code className="font-mono">rollgate run --phase expand</code>.
          </p>
        ) : (
          <DataTable
            caption="Migration runs"
            headers={["Phase", "Name", "Started", "Outcome", "Duration", "Exit code", "Statements"]}
          >
            {view.runs.map((r) => (
              <tr key={r.id} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1">{r.phase}</td>
                <td className="font-mono">{r.name}</td>
                <td>
                  <LocalTime at={r.startedAt} seconds />
                </td>
                <td className={r.status === "failed" ? "font-semibold text-red-700 dark:text-red-400" : ""}>
                  {r.status}
                </td>
                <td>{r.durationMs !== null ? duration(r.durationMs) : "—"}</td>
                <td>{r.exitCode ?? "—"}</td>
                <td data-statements={r.id}>
                  {r.statements
                    ? `${r.statements.length} run by Rollgate, ${r.statements.reduce((n, s) => n + s.retries, 0)} lock-timeout retr${r.statements.reduce((n, s) => n + s.retries, 0) === 1 ? "y" : "ies"}; slowest line ${[...r.statements].sort((a, b) => b.duration_ms - a.duration_ms)[0]?.line ?? "—"}`
                    : "—"}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <InspectionHistory rows={view.inspections} />
      <section
        aria-labelledby="timeline-heading"
        className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="timeline-heading" className="text-lg font-semibold">
          Timeline{" "}
          <span className="text-sm font-normal text-slate-500 dark:text-slate-400">
            {view.firstPage ? "newest first" : "older entries"}
          </span>
        </h2>
        {view.timeline.items.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            Nothing has happened yet: CI starts a rollout with release.created.
          </p>
        ) : null}
        <ol className="mt-2 space-y-1 text-sm">
          {view.timeline.items.map((item, i, all) => (
            <li key={`${item.kind}-${item.id}`} data-kind={item.kind} className="flex flex-wrap gap-x-3">
              <LocalTime at={item.at} seconds className="w-48 font-mono text-xs text-slate-500 dark:text-slate-400" />
              <span
                className={`font-medium ${item.kind === "rejected" || item.kind === "override" ? "text-red-700 dark:text-red-400" : ""}`}
              >
                {headline(item)}
              </span>
              <span className="text-slate-600 dark:text-slate-300">{describe(item)}</span>
              {item.stateBefore && item.stateBefore !== item.stateAfter ? (
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {item.stateBefore.replaceAll("_", " ")} → {item.stateAfter!.replaceAll("_", " ")}
                </span>
              ) : null}
              {all[i + 1] ? (
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {duration(item.at.getTime() - all[i + 1]!.at.getTime())} after the previous
                </span>
              ) : null}
            </li>
          ))}
        </ol>
        <div className="mt-3">
          <Pager
            label="Timeline"
            newest={view.firstPage ? null : path}
            older={view.olderCursor ? `${path}?before=${encodeURIComponent(view.olderCursor)}` : null}
          />
        </div>
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        {row.rollout.expandSql ? (
          <AnnotatedScript title="Expand script" sql={row.rollout.expandSql} findings={view.expandFindings} />
        ) : null}
        {row.rollout.contractSql ? (
          <AnnotatedScript
            title="Contract script"
            sql={row.rollout.contractSql}
            findings={view.contractFindings}
            notes={view.lockNotes}
          />
        ) : null}
      </div>
    </div>
  );
}

const HEADLINE: Record<TimelineItem["kind"], (what: string) => string> = {
  event: (what) => what,
  approval: (what) => (what === "approve" ? "approved" : "rejected the contract"),
  withdrawal: () => "withdrew a decision",
  override: () => "break-glass override",
  rejected: (what) => `refused ${what}`,
};

function headline(item: TimelineItem): string {
  return `${item.actor ? `${item.actor} ` : ""}${HEADLINE[item.kind](item.what)}`;
}

/** One line for an item's data: the fields a person scans for. */
function describe(item: TimelineItem): string {
  const d = item.data;
  if (item.kind === "rejected") return String(d.message ?? d.code ?? "");
  if (item.kind === "override")
    return `${(d.checks as string[] | undefined)?.join(", ") ?? ""}: “${String(d.justification ?? "")}”`;
  if (item.kind === "approval") return d.comment ? `“${String(d.comment)}”` : "";
  if (item.kind === "event" && item.what.startsWith("backfill.")) return describeBackfill(item.what, d);
  if (item.kind === "event" && item.what === "rollback.rehearsed") return describeRehearsal(d);
  const parts = [
    d.version && `version ${d.version}`,
    d.phase && `${d.phase} ${d.name ?? ""}`.trim(),
    d.percent !== undefined && `flag ${d.flag ?? ""} ${d.percent} %`,
    d.backup_id && `backup ${d.backup_id}${d.restore_tested ? " (restore tested)" : ""}`,
    d.statistics !== undefined &&
      `database inspected: ${d.statements ?? 0} statement(s) using removed objects, ${d.expand_drift ?? 0} drift(s)${d.data_checks ? `, ${d.data_checks_failing ?? 0} of ${d.data_checks} data check(s) failing` : ""}`,
    d.title && String(d.title),
  ];
  return parts.filter(Boolean).join(", ");
}

/** A backfill's event: what it copies, why it waits, how it ended. */
function describeBackfill(what: string, d: Record<string, unknown>): string {
  const n = (v: unknown) => Number(v ?? 0).toLocaleString("en");
  switch (what) {
    case "backfill.started":
      return `${String(d.table)}: SET ${String(d.set)}${d.where ? ` WHERE ${String(d.where)}` : ""}, ~${n(d.estimate_rows)} rows${Number(d.rows_done) > 0 ? `, resumed at ${n(d.rows_done)}` : ""}`;
    case "backfill.paused":
      return `at ${n(d.rows_done)} rows: ${String(d.reason ?? "")}`;
    case "backfill.finished":
      return `${n(d.rows_done)} rows, ${n(d.rows_written)} written, in ${duration(Number(d.duration_ms ?? 0))}`;
    case "backfill.failed":
      return `${d.cancelled ? "cancelled" : "failed"} at ${n(d.rows_done)} rows: ${String(d.error ?? "")}`;
    default:
      return `${n(d.rows_done)} rows`;
  }
}

/** A rehearsal: the version, its counts, and the first proof's statement and error. */
function describeRehearsal(d: Record<string, unknown>): string {
  const proof = d.first_proof as { statement?: string; error?: string } | undefined;
  const counts = `${Number(d.statements ?? 0)} statement(s), ${Number(d.passed ?? 0)} passed, ${Number(d.proof_count ?? 0)} proof(s), ${Number(d.unverifiable ?? 0)} unverifiable`;
  return `version ${String(d.version)} rehearsed against contract ${String(d.contract_checksum ?? "").slice(0, 12)}…: ${counts}${proof ? `; ${String(proof.statement)} fails: ${String(proof.error)}` : ""}`;
}

/** 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ""}`;
}
