import type { Metadata } from "next";
import { ActionForm } from "@/components/action-form";
import { getPoliciesView } from "@rollgate/app/admin/views";
import { useCaseDeps } from "@/server/use-case-deps";
import { policyAction, productionLikeAction } from "../actions";
import { ProductionBadge } from "@/components/production-badge";
import { prometheusSecretAction, testQueryAction } from "../signal-actions";
import { INPUT } from "@/lib/styles";
import { AdminOnly } from "../guard";

export const metadata: Metadata = { title: "Policies" };
export const dynamic = "force-dynamic";

export default function PoliciesPage() {
  return (
    <AdminOnly path="/admin/policies">
      {async () => {
        const environments = await getPoliciesView((await useCaseDeps()).db);
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">Policies</h1>
            <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-300">
              One policy per environment. Durations are in seconds. A policy with errors is refused with each
              field&apos;s problem and nothing changes. A production-like environment starts with production&apos;s
              defaults (proposed from its name when it is created: production, prod…, prd…, live) and its overrides wait
              for a second person unless its policy says otherwise; change the flag below. An SLO source may not point
              at this server&apos;s own network, and changing its URL removes the stored credential: store it again
              after.
            </p>
            {environments.map((e) => (
              <section
                key={e.id}
                aria-labelledby={`policy-${e.id}`}
                className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
              >
                <h2 id={`policy-${e.id}`} className="mb-2 font-semibold">
                  {e.serviceSlug} · {e.name}
                </h2>
                <ActionForm
                  action={productionLikeAction}
                  hidden={{ environmentId: e.id, productionLike: e.productionLike ? "0" : "1" }}
                  submit={
                    e.productionLike
                      ? `Mark ${e.serviceSlug} ${e.name} as not production-like`
                      : `Mark ${e.serviceSlug} ${e.name} as production-like`
                  }
                >
                  <p className="text-sm text-slate-600 dark:text-slate-300">
                    <ProductionBadge productionLike={e.productionLike} />{" "}
                    {e.productionLike
                      ? "Production-like: overrides wait for a second person unless the policy says otherwise."
                      : "Not production-like: overrides take effect at once unless the policy asks for a second person."}
                  </p>
                </ActionForm>
                <ActionForm
                  action={policyAction}
                  hidden={{ environmentId: e.id }}
                  submit={`Save ${e.serviceSlug} ${e.name} policy`}
                >
                  <label className="block text-sm">
                    Policy (JSON)
                    <textarea
                      name="policy"
                      rows={12}
                      defaultValue={JSON.stringify(e.policy, null, 2)}
                      className="mt-1 block w-full rounded border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
                    />
                  </label>
                </ActionForm>
                {(e.policy as { sloSource?: unknown } | null)?.sloSource ? (
                  <div className="mt-3 grid gap-3 md:grid-cols-2">
                    <ActionForm action={testQueryAction} hidden={{ environmentId: e.id }} submit="Test this query now">
                      <label className="block text-sm">
                        Prometheus query
                        <select name="objective" className={INPUT}>
                          <option value="availability">availability</option>
                          <option value="errorBudgetRemaining">error budget remaining</option>
                          <option value="burnRate">burn rate</option>
                          <option value="latencyP99Ms">p99 latency</option>
                        </select>
                      </label>
                    </ActionForm>
                    <ActionForm
                      action={prometheusSecretAction}
                      hidden={{ environmentId: e.id }}
                      submit="Store credential"
                    >
                      <label className="block text-sm">
                        Prometheus bearer token or password (stored encrypted, never shown)
                        <input name="secret" type="password" autoComplete="off" className={INPUT} />
                      </label>
                    </ActionForm>
                  </div>
                ) : null}
              </section>
            ))}
          </div>
        );
      }}
    </AdminOnly>
  );
}
