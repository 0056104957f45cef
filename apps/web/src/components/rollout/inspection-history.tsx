import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";

export interface InspectionRow {
  id: string;
  receivedAt: Date;
  windowStart: boolean;
  available: boolean;
  statements: number;
  flagged: number;
  drift: number;
  sessions: number;
  durationMs: number;
}

/** The environment's newest `database.inspected` summaries: what the database checks compare. */
export function InspectionHistory({ rows }: { rows: InspectionRow[] }) {
  return (
    <section
      aria-labelledby="inspections-heading"
      className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h2 id="inspections-heading" className="text-lg font-semibold">
        Database inspections
      </h2>
      {rows.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          No inspection yet. The pipeline runs{" "}
          <code className="font-mono">
            rollgate inspect --database-url … --contract contract.sql --expand expand.sql
          </code>{" "}
          (with <code className="font-mono">--window-start</code> when the flag reaches 100 %).
        </p>
      ) : (
        <DataTable
          caption="Database inspections, newest first"
          headers={["Received", "Statements", "Using removed objects", "Expand drift", "Blocking sessions", "Took"]}
        >
          {rows.map((r) => (
            <tr key={r.id} data-inspection={r.id} className="border-t border-slate-100 dark:border-slate-800">
              <td className="py-1">
                <LocalTime at={r.receivedAt} seconds />
                {r.windowStart ? (
                  <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">(window start)</span>
                ) : null}
              </td>
              <td>
                {r.available ? (
                  r.statements.toLocaleString("en")
                ) : (
                  <span className="text-violet-700 dark:text-violet-300">no pg_stat_statements</span>
                )}
              </td>
              <td className={r.flagged ? "font-semibold text-red-700 dark:text-red-400" : ""}>{r.flagged}</td>
              <td className={r.drift ? "font-semibold text-red-700 dark:text-red-400" : ""}>{r.drift}</td>
              <td>{r.sessions}</td>
              <td>{r.durationMs} ms</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
