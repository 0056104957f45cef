import type { Metadata } from "next";
import { ActionForm } from "@/components/action-form";
import { DataTable } from "@/components/data-table";
import { LocalTime } from "@/components/local-time";
import { INPUT } from "@/lib/styles";
import { getGithubIntegrationView } from "@rollgate/app/admin/github-integration";
import { useCaseDeps } from "@/server/use-case-deps";
import { AdminOnly } from "../guard";
import { githubSettingsAction, linkGithubAction, unlinkGithubAction } from "./actions";

export const metadata: Metadata = { title: "GitHub" };
export const dynamic = "force-dynamic";
const BOX = "rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900";

export default function GithubPage() {
  return (
    <AdminOnly path="/admin/github">
      {async () => {
        const { app, links, environments, callbacks } = await getGithubIntegrationView((await useCaseDeps()).db);
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">GitHub</h1>
            <section aria-labelledby="github-app" className={BOX}>
              <h2 id="github-app" className="mb-2 font-semibold">
                GitHub App (deployment protection rule)
              </h2>
              <p className="mb-3 text-sm">
                {app ? (
                  <>
                    App {app.appId} on {app.apiBaseUrl}, saved by {app.updatedBy} <LocalTime at={app.updatedAt} />.
                    Leave the key and secret empty to keep them; a new API URL needs the private key again (the stored
                    key is never used with a new address). Internal addresses are refused unless the server allows them.
                  </>
                ) : (
                  "Not configured. Create a GitHub App with read & write access to Deployments, subscribe it to deployment protection rule events, point its webhook at /api/v1/integrations/github on this server, and enable it on the environments below."
                )}
              </p>
              <ActionForm action={githubSettingsAction} hidden={{}} submit="Save GitHub App">
                <div className="flex flex-wrap gap-3 text-sm">
                  <label>
                    App ID
                    <input
                      name="appId"
                      required
                      inputMode="numeric"
                      defaultValue={app?.appId ?? ""}
                      className={INPUT}
                    />
                  </label>
                  <label>
                    API URL
                    <input
                      name="apiBaseUrl"
                      required
                      defaultValue={app?.apiBaseUrl ?? "https://api.github.com"}
                      className={INPUT}
                    />
                  </label>
                  <label>
                    Webhook secret
                    <input name="webhookSecret" type="password" autoComplete="off" className={INPUT} />
                  </label>
                  <label className="w-full">
                    Private key (PEM)
                    <textarea
                      name="privateKey"
                      rows={3}
                      autoComplete="off"
                      className={`${INPUT} w-full font-mono text-xs`}
                    />
                  </label>
                </div>
              </ActionForm>
            </section>
            <section aria-labelledby="github-links" className={BOX}>
              <h2 id="github-links" className="mb-2 font-semibold">
                Guarded GitHub environments
              </h2>
              <ActionForm action={linkGithubAction} hidden={{}} submit="Link">
                <div className="flex flex-wrap gap-3 text-sm">
                  <label>
                    Repository
                    <input name="repository" required placeholder="acme/billing-api" className={INPUT} />
                  </label>
                  <label>
                    GitHub environment
                    <input name="githubEnvironment" required placeholder="production-contract" className={INPUT} />
                  </label>
                  <label>
                    Rollgate environment
                    <select name="target" className={INPUT}>
                      {environments.map((e) => (
                        <option key={`${e.service}/${e.environment}`} value={`${e.service}/${e.environment}`}>
                          {e.service}/{e.environment}
                        </option>
                      ))}
                    </select>
                  </label>
                </div>
              </ActionForm>
            </section>
            <DataTable caption="Links" headers={["GitHub", "Rollgate", "Linked by", ""]}>
              {links.map((l) => (
                <tr key={l.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">
                    {l.repository} · {l.githubEnvironment}
                  </td>
                  <td className="py-2">
                    {l.service}/{l.environment}
                  </td>
                  <td className="py-2">{l.createdBy}</td>
                  <td className="py-2">
                    <ActionForm
                      action={unlinkGithubAction}
                      hidden={{ id: l.id }}
                      submit={`Unlink ${l.repository} ${l.githubEnvironment}`}
                      tone="danger"
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
            <DataTable
              caption="Recent protection rules"
              headers={["Received", "GitHub", "Release", "State", "Comment"]}
            >
              {callbacks.map((c) => (
                <tr key={c.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">
                    <LocalTime at={c.receivedAt} />
                  </td>
                  <td className="py-2">
                    {c.repository} · {c.githubEnvironment}
                  </td>
                  <td className="py-2">{c.release ?? c.sha?.slice(0, 7) ?? "—"}</td>
                  <td className="py-2">
                    {c.state}
                    {c.lastError ? <span className="block text-xs">{c.lastError}</span> : null}
                  </td>
                  <td className="whitespace-pre-line py-2 text-xs">{c.comment}</td>
                </tr>
              ))}
            </DataTable>
          </div>
        );
      }}
    </AdminOnly>
  );
}
