import type { Metadata } from "next";
import { DataTable } from "@/components/data-table";
import { API_SCOPES } from "@rollgate/core/types";
import { ActionForm } from "@/components/action-form";
import { ServiceSelect } from "@/components/admin/service-select";
import { getTokensView } from "@rollgate/app/admin/views";
import { useCaseDeps } from "@/server/use-case-deps";
import { createTokenAction, revokeTokenAction } from "../actions";
import { AdminOnly } from "../guard";
import { INPUT } from "@/lib/styles";
import { LocalTime } from "@/components/local-time";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";
const time = (d: Date | null) => (d ? <LocalTime at={d} /> : "never");

export default function TokensPage() {
  return (
    <AdminOnly path="/admin/tokens">
      {async () => {
        const { tokens, services } = await getTokensView((await useCaseDeps()).db);
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">API tokens</h1>
            <section
              aria-labelledby="new-token"
              className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            >
              <h2 id="new-token" className="mb-2 font-semibold">
                New token for a pipeline
              </h2>
              <ActionForm action={createTokenAction} hidden={{}} submit="Create token">
                <div className="flex flex-wrap gap-3 text-sm">
                  <label>
                    Service
                    <ServiceSelect services={services} />
                  </label>
                  <label>
                    Name
                    <input name="name" required placeholder="github-actions-release" className={INPUT} />
                  </label>
                  <label>
                    Environments (comma-separated)
                    <input name="environments" required defaultValue="staging,production" className={INPUT} />
                  </label>
                  <fieldset>
                    <legend>Scopes</legend>
                    {API_SCOPES.map((s) => (
                      <label key={s} className="mr-3 inline-flex items-center gap-1">
                        <input type="checkbox" name="scopes" value={s} defaultChecked /> {s}
                      </label>
                    ))}
                  </fieldset>
                </div>
              </ActionForm>
            </section>
            <DataTable caption="Tokens" headers={["Token", "Scope", "Last used", "Status"]}>
              {tokens.map((t) => (
                <tr key={t.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">
                    {t.name} <code className="block font-mono text-xs">{t.tokenPrefix}…</code>
                  </td>
                  <td className="py-2">
                    {t.serviceSlug}: {t.environments.join(", ")}{" "}
                    <span className="block text-xs">{t.scopes.join(", ")}</span>
                  </td>
                  <td className="py-2">{time(t.lastUsedAt)}</td>
                  <td className="py-2">
                    {t.revokedAt ? (
                      <>revoked {time(t.revokedAt)}</>
                    ) : (
                      <ActionForm
                        action={revokeTokenAction}
                        hidden={{ id: t.id }}
                        submit={`Revoke ${t.name}`}
                        tone="danger"
                      />
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
