import type { Metadata } from "next";
import { NOTIFICATION_EVENTS, NOTIFICATION_EVENT_TYPES } from "@rollgate/core/integrations/notifications";
import { ActionForm } from "@/components/action-form";
import { ServiceSelect } from "@/components/admin/service-select";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { INPUT } from "@/lib/styles";
import { getNotificationsView } from "@rollgate/app/admin/notifications";
import { useCaseDeps } from "@/server/use-case-deps";
import { AdminOnly } from "../guard";
import { disableSubscriptionAction, retryDeliveryAction, subscribeAction } from "./actions";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

export default function NotificationsPage() {
  return (
    <AdminOnly path="/admin/notifications">
      {async () => {
        const { subscriptions, deliveries, services } = await getNotificationsView((await useCaseDeps()).db);
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">Notifications</h1>
            <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-300">
              Events of a service go to Slack (an incoming webhook) or to any receiver as webhooks signed with Standard
              Webhooks. A message only links to the rollout page; approving and every other decision happen there,
              signed in. Addresses on this server&apos;s own network (loopback, link-local, private) are refused when
              saved and again at each delivery, unless the server allows them.
            </p>
            <section
              aria-labelledby="new-subscription"
              className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            >
              <h2 id="new-subscription" className="mb-2 font-semibold">
                New subscription
              </h2>
              <ActionForm action={subscribeAction} hidden={{}} submit="Subscribe">
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
                      <option value="slack">Slack incoming webhook</option>
                      <option value="webhook">Webhook (Standard Webhooks)</option>
                    </select>
                  </label>
                  <label>
                    Address
                    <input
                      name="url"
                      type="url"
                      required
                      placeholder="https://hooks.slack.com/services/…"
                      className={INPUT}
                    />
                  </label>
                </div>
                <fieldset className="mt-3 flex flex-wrap gap-3 text-sm">
                  <legend className="mb-1">Events</legend>
                  {NOTIFICATION_EVENT_TYPES.map((e) => (
                    <label key={e} className="flex items-center gap-1">
                      <input type="checkbox" name="events" value={e} defaultChecked />
                      {NOTIFICATION_EVENTS[e]}
                    </label>
                  ))}
                </fieldset>
              </ActionForm>
            </section>
            <DataTable
              caption="Subscriptions"
              headers={["Service", "Environment", "Kind", "Address", "Events", "Status"]}
            >
              {subscriptions.map((s) => (
                <tr key={s.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">{s.service}</td>
                  <td>{s.environment ?? "all"}</td>
                  <td>{s.kind}</td>
                  <td>
                    <code className="text-xs">{s.url}</code>
                  </td>
                  <td className="text-xs">
                    {s.eventTypes.length === NOTIFICATION_EVENT_TYPES.length ? "all" : s.eventTypes.join(", ")}
                  </td>
                  <td>
                    {s.disabledAt ? (
                      "disabled"
                    ) : (
                      <ActionForm
                        action={disableSubscriptionAction}
                        hidden={{ id: s.id }}
                        submit="Disable"
                        tone="danger"
                      />
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
            <DataTable
              caption="Deliveries (newest 100)"
              headers={["Queued", "Service", "Event", "Kind", "Status", "Attempts", "Last error", ""]}
            >
              {deliveries.map((d) => (
                <tr key={d.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">
                    <LocalTime at={d.createdAt} />
                  </td>
                  <td>{d.service}</td>
                  <td>{d.eventType}</td>
                  <td>{d.kind}</td>
                  <td>
                    {d.status === "delivered" && d.deliveredAt ? (
                      <>
                        delivered <LocalTime at={d.deliveredAt} />
                      </>
                    ) : d.status === "pending" ? (
                      <>
                        pending, next <LocalTime at={d.nextAttemptAt} />
                      </>
                    ) : (
                      d.status
                    )}
                  </td>
                  <td>{d.attempts}</td>
                  <td className="max-w-xs break-words text-xs">{d.lastError ?? "—"}</td>
                  <td>
                    {d.status === "delivered" ? null : (
                      <ActionForm action={retryDeliveryAction} hidden={{ id: d.id }} submit="Retry now" />
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>
        );
      }}
    </AdminOnly>
  );
}
