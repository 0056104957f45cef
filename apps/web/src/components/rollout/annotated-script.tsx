import type { Finding } from "@rollgate/core/sql";

const SEVERITY = {
  error: "text-red-800 dark:text-red-300",
  warning: "text-amber-800 dark:text-amber-300",
  info: "text-sky-800 dark:text-sky-300",
} as const;

/** A migration script with line numbers and the analyser's findings under the lines they concern. */
export function AnnotatedScript({
  title,
  sql,
  findings,
  notes = [],
}: {
  title: string;
  sql: string;
  findings: Finding[];
  notes?: Array<{ line: number; text: string; risky: boolean }>;
}) {
  const lines = sql.replace(/\n$/, "").split("\n");
  return (
    <figure className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <figcaption className="mb-2 font-semibold">
        {title}{" "}
        <span className="text-sm font-normal text-slate-500 dark:text-slate-400">
          {findings.length ? `${findings.length} finding(s)` : "no findings"}
        </span>
      </figcaption>
      {/* Focusable so a keyboard user can scroll long lines sideways. */}
      <ol
        tabIndex={0}
        aria-label={`${title}, line by line`}
        className="overflow-x-auto rounded bg-slate-100 py-2 font-mono text-sm focus-visible:ring-2 focus-visible:ring-sky-500 dark:bg-slate-950"
      >
        {lines.map((text, i) => {
          const here = findings.filter((f) => f.line === i + 1);
          return (
            <li key={i} className="px-3" data-line={i + 1}>
              <span
                aria-hidden
                className="mr-3 inline-block w-6 select-none text-right text-slate-500 dark:text-slate-400"
              >
                {i + 1}
              </span>
              <span className="whitespace-pre">{text}</span>
              {notes
                .filter((n) => n.line === i + 1)
                .map((n) => (
                  <p
                    key={n.text}
                    className={`ml-9 whitespace-normal font-sans text-xs ${n.risky ? SEVERITY.warning : "text-slate-600 dark:text-slate-300"}`}
                    data-lock-risk={i + 1}
                  >
                    {n.text}
                  </p>
                ))}
              {here.map((f) => (
                <p
                  key={`${f.rule}-${f.column}`}
                  className={`ml-9 whitespace-normal font-sans text-xs ${SEVERITY[f.severity]}`}
                  data-finding={f.rule}
                >
                  {f.severity} {f.rule}: {f.message} Fix: {f.suggestion}
                </p>
              ))}
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
