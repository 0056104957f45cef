import type { Metadata } from "next";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { getJobsView } from "@/server/admin/signals";
import { AdminOnly } from "../guard";

export const metadata: Metadata = { title: "Background jobs" };
export const dynamic = "force-dynamic";
const time = (d: Date | null) => (d ? <LocalTime at={d} /> : "never");

export default function JobsPage() {
  return (
    <AdminOnly path="/admin/jobs">
      {async () => {
        const jobs = await getJobsView();
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">Background jobs</h1>
            <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-300">
              The worker beside every web server samples SLO sources, expires leases and prunes old rows. A failed run
              is retried with a growing delay; requests never wait for a job. The same figures are on{" "}
              <code>/api/metrics</code>.
            </p>
            <DataTable caption="Jobs" headers={["Job", "Last run", "Last success", "Failing", "Runs", "Last result"]}>
              {jobs.map((j) => (
                <tr
                  key={j.job}
                  data-job={j.job}
                  data-failing={j.consecutiveFailures > 0 ? "yes" : "no"}
                  className="border-t border-slate-100 align-top dark:border-slate-800"
                >
                  <td className="py-2 font-mono text-xs">{j.job}</td>
                  <td>{time(j.lastFinishedAt)}</td>
                  <td>{time(j.lastSucceededAt)}</td>
                  <td className={j.consecutiveFailures > 0 ? "font-semibold text-red-700 dark:text-red-400" : ""}>
                    {j.consecutiveFailures > 0 ? `${j.consecutiveFailures} in a row` : "no"}
                  </td>
                  <td>
                    {j.runs} ({j.failures} failed)
                  </td>
                  <td className="text-sm">{j.consecutiveFailures > 0 ? j.lastError : j.lastSummary}</td>
                </tr>
              ))}
            </DataTable>
          </div>
        );
      }}
    </AdminOnly>
  );
}
