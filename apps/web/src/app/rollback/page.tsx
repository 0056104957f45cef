import Link from "next/link";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DataTable } from "@/components/data-table";
import { getRollbackView } from "@rollgate/app/eligibility/get-rollback-view";
import type { EligibilityBasis } from "@rollgate/core/eligibility";
import { LocalTime } from "@/components/local-time";
import { Refusal } from "@/components/refusal";
import { pageReader } from "@/server/auth/reading";
import { useCaseDeps } from "@/server/use-case-deps";

export const metadata: Metadata = { title: "Can I roll back?" };
export const dynamic = "force-dynamic";

const VERDICT = {
  SAFE: {
    text: "SAFE",
    tone: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
    say: "Rolling the app back is data-safe.",
  },
  UNSAFE: {
    text: "UNSAFE",
    tone: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
    say: "Do not roll the app back: the old version cannot read what it needs. Roll forward, or follow the data-rollback runbook.",
  },
  UNKNOWN: {
    text: "UNKNOWN",
    tone: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
    say: "Rollgate cannot tell: check the named migrations against that version by hand; when unsure, treat it as unsafe.",
  },
} as const;
/** Which way the answer knows, in words. */
function basisText(basis: EligibilityBasis | undefined): string {
  if (!basis) return "nothing to check (no contract since)";
  switch (basis.source) {
    case "rehearsed": {
      const rest = basis.rest
        ? `; the other ${basis.contracts - basis.covered} contract(s) by the ${basis.rest === "unknown" ? "nothing (unknown)" : `${basis.rest} manifest`}`
        : "";
      return `rehearsed: ${basis.statements} statement(s), ${basis.proofs} proof(s)${basis.unverifiable ? `, ${basis.unverifiable} unverifiable` : ""} (${basis.covered} of ${basis.contracts} contract(s))${rest}`;
    }
    case "observed":
      return "observed by inspections";
    case "declared":
      return "declared manifest";
    case "unknown":
      return "unknown";
  }
}

const FIELD =
  "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-2 dark:border-slate-700 dark:bg-slate-900";

export default async function RollbackPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const params = await searchParams;
  const { refusal } = await pageReader({ kind: "rollback" }, "/rollback");
  if (refusal) return <Refusal message={refusal} />;
  const view = await getRollbackView((await useCaseDeps()).db, params);
  if (!view) notFound();
  const { targets, chosen, report, problem } = view;
  const verdict = report ? VERDICT[report.verdict] : null;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Can I roll back?</h1>
      <form method="get" className="grid gap-3 sm:grid-cols-4 sm:items-end">
        <label className="text-sm sm:col-span-2">
          Service and environment
          <select
            name="target"
            defaultValue={chosen ? `${chosen.service}/${chosen.environment}` : undefined}
            className={FIELD}
          >
            {targets.map((t) => (
              <option key={`${t.service}/${t.environment}`} value={`${t.service}/${t.environment}`}>
                {t.service} · {t.environment}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Version
          <input
            name="version"
            defaultValue={params.version ?? ""}
            placeholder="the one before the current"
            className={FIELD}
          />
        </label>
        <button className="rounded bg-slate-900 px-4 py-2 text-sm font-medium text-white focus-visible:ring-2 focus-visible:ring-sky-500 dark:bg-slate-100 dark:text-slate-900">
          Check
        </button>
      </form>
      {targets.length === 0 ? (
        <p>
          No service has environments yet. Create a token with <code>rollgate token create</code> to register one.
        </p>
      ) : null}
      {problem ? <p role="alert">{problem}</p> : null}
      {report && verdict ? (
        <section aria-labelledby="verdict" className="space-y-4">
          <div className={`rounded-lg p-5 ${verdict.tone}`}>
            <p className="text-sm">
              Rolling {chosen!.service} in {chosen!.environment} back from {report.currentVersion ?? "?"} to{" "}
              {report.targetVersion}
            </p>
            <h2 id="verdict" className="text-5xl font-black tracking-tight">
              {verdict.text}
            </h2>
            <p className="mt-2 font-medium">{verdict.say}</p>
            <p className="mt-1 text-sm" data-testid="eligibility-basis">
              Known by: {basisText(report.basis)}
            </p>
          </div>
          <ul className="list-disc space-y-1 pl-5">
            {report.reasons.map((r) => (
              <li key={r.message}>
                {r.proof ? (
                  <div className="space-y-1" data-testid="rehearsal-proof">
                    <p>
                      Rehearsal proof against contract migration {r.migration} of release {r.release}:
                    </p>
                    <pre className="overflow-x-auto rounded bg-slate-100 p-2 text-sm whitespace-pre-wrap dark:bg-slate-900">
                      <code>{r.proof.statement}</code>
                    </pre>
                    <p className="text-sm">
                      PostgreSQL: <span className="font-mono">{r.proof.error}</span>
                      {r.proof.sqlstate ? ` (SQLSTATE ${r.proof.sqlstate})` : ""} when{" "}
                      {r.proof.step === "prepare" ? "preparing it" : "executing it in a rolled-back savepoint"}
                      {r.proof.calls !== undefined ? ` · ${r.proof.calls} call(s) observed` : ""}
                    </p>
                  </div>
                ) : (
                  r.message
                )}
              </li>
            ))}
          </ul>
          <DataTable
            caption="Every version deployed here"
            headers={["Version", "Last deployed", "Rollback", "Known by"]}
            showCaption
          >
            {report.versions.map((v) => (
              <tr key={v.version} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1 font-mono">
                  <a
                    className="underline"
                    href={`/rollback?target=${chosen!.service}/${chosen!.environment}&version=${encodeURIComponent(v.version)}`}
                  >
                    {v.version}
                  </a>
                  {v.version === report.currentVersion ? " (current)" : ""}
                </td>
                <td>
                  <LocalTime at={v.lastDeployedAt} />
                </td>
                <td className="font-semibold">{v.verdict}</td>
                <td className="text-sm">{basisText(v.basis)}</td>
              </tr>
            ))}
          </DataTable>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            What to do next:{" "}
            <Link className="underline" href="/runbook">
              the rollback runbook
            </Link>{" "}
            (app rollback versus data rollback).
          </p>
        </section>
      ) : null}
    </div>
  );
}
