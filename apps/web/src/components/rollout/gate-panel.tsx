import type { GateVerdict } from "@rollgate/core/gate";

const ICON = { pass: "✓", fail: "✗", pending: "…" } as const;
const TONE = { pass: "text-emerald-700 dark:text-emerald-400", fail: "text-red-700 dark:text-red-400", pending: "text-amber-700 dark:text-amber-300" } as const;

/** The gate's verdict: every check with its sentence, computed on the server. */
export function GatePanel({ verdict }: { verdict: GateVerdict }) {
  return (
    <section aria-labelledby="gate-heading" className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="gate-heading" className="text-lg font-semibold">
        Contract gate
      </h2>
      <p role="status" className={`mt-1 font-medium ${verdict.allowed ? TONE.pass : TONE.pending}`}>
        {verdict.allowed ? "Contract unlocked: every check passes. CI may take the lease." : `Contract locked: ${verdict.checks.filter((c) => c.status !== "pass" && !c.overridden).length} check(s) still open.`}
      </p>
      <ul className="mt-3 divide-y divide-slate-100 dark:divide-slate-800">
        {verdict.checks.map((c) => (
          <li key={c.id} data-check={c.id} data-status={c.status} className="flex gap-3 py-2">
            <span aria-hidden className={`w-4 font-bold ${TONE[c.status]}`}>
              {ICON[c.status]}
            </span>
            <div>
              <p className="font-medium">
                {c.title} <span className={`text-xs uppercase ${TONE[c.status]}`}>{c.overridden ? `${c.status}, overridden` : c.status}</span>
              </p>
              <p className="text-sm text-slate-600 dark:text-slate-300">{c.message}</p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
