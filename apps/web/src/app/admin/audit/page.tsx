import type { Metadata } from "next";
import { DataTable } from "@/components/data-table";
import { getAuditView } from "@/server/admin/audit-view";
import { AdminOnly } from "../guard";
import { LocalTime } from "@/components/local-time";
import { Pager } from "@/components/pager";
import { auditVerdictText } from "@/lib/audit-verdict";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { before } = await searchParams;
  return (
    <AdminOnly path="/admin/audit">
      {async () => {
        const { verdict, keyRecord, keyWarning, entries, nextBeforeSeq, firstPage } = await getAuditView(before);
        return (
          <div className="space-y-4">
            <h1 className="text-2xl font-semibold">Audit log</h1>
            {keyWarning ? (
              <p
                role="alert"
                className="rounded border-2 border-red-600 bg-red-50 p-3 font-semibold text-red-900 dark:bg-red-950 dark:text-red-200"
              >
                {keyWarning.message}
              </p>
            ) : null}
            <p
              role="status"
              className={`rounded p-3 font-medium ${verdict.intact ? "bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200" : "bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-200"}`}
            >
              {auditVerdictText(verdict)}
            </p>
            {keyRecord?.macValid ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Key record: keyed hashing began at entry {keyRecord.seq}. Keep a copy outside the database (the start-up
                log and evidence bundles carry it):{" "}
                <code className="break-all">
                  ROLLGATE_AUDIT_KEYED_FROM={keyRecord.seq}:{keyRecord.hash}
                </code>
              </p>
            ) : null}
            <DataTable
              caption={firstPage ? "Latest audit entries" : "Older audit entries"}
              headers={["#", "When", "Who", "What", "Subject"]}
            >
              {entries.map((e) => (
                <tr
                  key={e.seq}
                  className={`border-t border-slate-100 dark:border-slate-800 ${e.action.startsWith("override.") ? "font-semibold text-red-800 dark:text-red-300" : ""}`}
                >
                  <td className="py-1 font-mono">{e.seq}</td>
                  <td>
                    <LocalTime at={e.at} seconds />
                  </td>
                  <td>
                    {String(
                      (e.data as Record<string, unknown>).email ??
                        (e.data as Record<string, unknown>).by ??
                        `${e.actorType} ${e.actorId.slice(0, 8)}`,
                    )}
                  </td>
                  <td className="font-mono">{e.action}</td>
                  <td>
                    {e.subjectType} {e.subjectId.slice(0, 8)}
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager
              label="Audit log"
              newest={firstPage ? null : "/admin/audit"}
              older={nextBeforeSeq ? `/admin/audit?before=${nextBeforeSeq}` : null}
            />
          </div>
        );
      }}
    </AdminOnly>
  );
}
