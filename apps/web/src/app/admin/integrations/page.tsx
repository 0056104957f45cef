import type { Metadata } from "next";
import { ActionForm } from "@/components/action-form";
import { ServiceSelect } from "@/components/admin/service-select";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { INPUT } from "@/lib/styles";
import { getIntegrationsView } from "@/server/admin/signals";
import { AdminOnly } from "../guard";
import { createReceiverAction } from "../signal-actions";

export const metadata: Metadata = { title: "Alerting receivers" };
export const dynamic = "force-dynamic";

export default function IntegrationsPage() {
  return (
    <AdminOnly path="/admin/integrations">
      {async () => {
        const { endpoints, services } = await getIntegrationsView();
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">Alerting receivers</h1>
            <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-300">
              A firing alert or a triggered incident for a service is a no-go for its contracts until it resolves. Each
              receiver belongs to one service (and optionally one environment); alerts labelled with another service are
              ignored.
            </p>
            <section
              aria-labelledby="new-receiver"
              className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            >
              <h2 id="new-receiver" className="mb-2 font-semibold">
                New receiver
              </h2>
              <ActionForm action={createReceiverAction} hidden={{}} submit="Create receiver">
                <div className="flex flex-wrap gap-3 text-sm">
                  <label>
                    Service
                    <ServiceSelect services={services} />
                  </label>
                  <label>
                    Environment (empty: all)
                    <input name="environment" className={INPUT} />
                  </label>
                  <label>
                    Kind
                    <select name="kind" className={INPUT}>
                      <option value="alertmanager">Alertmanager</option>
                      <option value="pagerduty">PagerDuty v3</option>
                    </select>
                  </label>
                  <label>
                    Name
                    <input name="name" required placeholder="prod-alertmanager" className={INPUT} />
                  </label>
                  <label>
                    PagerDuty signing secret
                    <input name="secret" type="password" autoComplete="off" className={INPUT} />
                  </label>
                </div>
              </ActionForm>
            </section>
            <DataTable caption="Receivers" headers={["Receiver", "Service", "Kind", "Last used", "Status"]}>
              {endpoints.map((e) => (
                <tr key={e.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">
                    {e.name}{" "}
                    {e.tokenPrefix ? (
                      <code className="text-xs">{e.tokenPrefix}…</code>
                    ) : (
                      <code className="text-xs">/api/v1/integrations/pagerduty/{e.id}</code>
                    )}
                  </td>
                  <td>{e.service}</td>
                  <td>{e.kind}</td>
                  <td>{e.lastUsedAt ? <LocalTime at={e.lastUsedAt} /> : "never"}</td>
                  <td>{e.revokedAt ? "revoked" : "active"}</td>
                </tr>
              ))}
            </DataTable>
          </div>
        );
      }}
    </AdminOnly>
  );
}
