import type { CheckDetailsJson } from "@/lib/fetchers";
import { utc } from "@/lib/format";
import { SAMPLES_WITHHELD_TEXT } from "@rollgate/core/contract/samples-withheld";

/** The evidence under a database check: statements and calls, drift, lock risk per statement, each data check's run, or the rehearsal's proofs. */
export function CheckEvidence({ details }: { details: CheckDetailsJson }) {
  if (details.kind === "usage") {
    if (details.statements.length === 0) return null;
    return (
      <details className="mt-1 text-sm" data-evidence="usage">
        <summary className="cursor-pointer text-slate-600 dark:text-slate-300">
          {details.statements.length} statement(s), inspections {details.baseline_at ? utc(details.baseline_at) : "—"} →{" "}
          {details.recent_at ? utc(details.recent_at) : "—"}
        </summary>
        <ul className="mt-1 space-y-1">
          {details.statements.map((s) => (
            <li key={s.id} data-statement={s.id}>
              <code className="block whitespace-pre-wrap break-all rounded bg-slate-100 px-1 dark:bg-slate-800">
                {s.text}
              </code>
              <span className="text-xs text-slate-600 dark:text-slate-300">
                {s.calls_after - s.calls_before} call(s) ({s.calls_before} → {s.calls_after})
                {s.objects.length ? ` · uses ${s.objects.join(", ")}` : ""}
                {s.unknown ? ` · unresolved: ${s.unknown}` : ""}
              </span>
            </li>
          ))}
        </ul>
      </details>
    );
  }
  if (details.kind === "expand_live") {
    const drift = details.objects.filter((o) => o.state !== "present");
    if (drift.length === 0) return null;
    return (
      <ul className="mt-1 text-sm" data-evidence="expand_live">
        {drift.map((o) => (
          <li key={`${o.kind}:${o.name}`}>
            {o.kind} <code>{o.name}</code>: {o.state === "missing" ? "missing" : `${o.actual} instead of ${o.expected}`}
          </li>
        ))}
      </ul>
    );
  }
  if (details.kind === "data") {
    if (details.checks.length === 0) return null;
    return (
      <ul className="mt-1 space-y-1 text-sm" data-evidence="data">
        {details.checks.map((c) => (
          <li key={c.name} data-data-check={c.name} data-status={c.status}>
            <code>{c.name}</code> <span className="text-xs text-slate-600 dark:text-slate-300">({c.source})</span>:{" "}
            {c.error !== null
              ? `could not run: ${c.error}`
              : c.rows === null
                ? "no run since the window started"
                : `${c.rows.toLocaleString("en")} row(s)${c.sample_keys.length ? `, keys ${c.sample_keys.join(", ")}` : c.samples_withheld ? ` (${SAMPLES_WITHHELD_TEXT[c.samples_withheld]})` : ""}`}
            {c.ran_at ? (
              <span className="text-xs text-slate-600 dark:text-slate-300"> · run {utc(c.ran_at)}</span>
            ) : null}
          </li>
        ))}
      </ul>
    );
  }
  if (details.kind === "rehearsal") {
    return (
      <div className="mt-1 space-y-1 text-sm" data-evidence="rehearsal">
        <p className="text-xs text-slate-600 dark:text-slate-300">
          {details.version} against SHA-256 {details.contract_checksum.slice(0, 12)}… · {details.statements}{" "}
          statement(s) ({details.source}): {details.passed} passed, {details.proof_count} proof(s),{" "}
          {details.unverifiable} unverifiable, {details.noise} noise · rehearsed {utc(details.received_at)}
        </p>
        {details.proofs.length ? (
          <ul className="space-y-1">
            {details.proofs.map((p) => (
              <li key={p.statement} data-proof>
                <code className="block whitespace-pre-wrap break-all rounded bg-slate-100 px-1 dark:bg-slate-800">
                  {p.statement}
                </code>
                <span className="text-xs text-slate-600 dark:text-slate-300">
                  {p.error}
                  {p.sqlstate ? ` (${p.sqlstate})` : ""} · at {p.step}
                  {p.calls !== null ? ` · ${p.calls.toLocaleString("en")} call(s)` : ""}
                </span>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  if (details.statements.length === 0) return null;
  return (
    <table className="mt-1 w-full text-left text-xs" data-evidence="lock_risk">
      <caption className="sr-only">Lock risk per contract statement</caption>
      <thead>
        <tr>
          <th scope="col">line</th>
          <th scope="col">lock</th>
          <th scope="col">table</th>
          <th scope="col">size</th>
          <th scope="col">rows</th>
          <th scope="col">rewrite</th>
          <th scope="col">blockers now</th>
        </tr>
      </thead>
      <tbody>
        {details.statements.map((s) => (
          <tr key={s.statement}>
            <td>{s.line}</td>
            <td>{s.lock}</td>
            <td>{s.table ?? "—"}</td>
            <td>{s.bytes === null ? "—" : bytes(s.bytes)}</td>
            <td>{s.rows === null ? "—" : s.rows.toLocaleString("en")}</td>
            <td>{s.rewrites ? "yes" : "no"}</td>
            <td>
              {s.blockers.length
                ? s.blockers
                    .map(
                      (b) =>
                        `pid ${b.pid} (${b.state}, ${b.mode}${b.xact_seconds !== null ? `, ${b.xact_seconds} s` : ""})`,
                    )
                    .join("; ")
                : "none"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
