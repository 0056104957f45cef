import type { Metadata } from "next";
import { DataTable } from "@/components/data-table";
import { ROLES } from "@rollgate/core/types";
import { ActionForm } from "@/components/action-form";
import { ServiceSelect } from "@/components/admin/service-select";
import { getUsersView } from "@rollgate/app/admin/views";
import { useCaseDeps } from "@/server/use-case-deps";
import { identityAction, roleAction, unlockSignInAction } from "../actions";
import { AdminOnly } from "../guard";
import { INPUT } from "@/lib/styles";

export const metadata: Metadata = { title: "Users and roles" };
export const dynamic = "force-dynamic";

export default function UsersPage() {
  return (
    <AdminOnly path="/admin/users">
      {async () => {
        const { users, services } = await getUsersView((await useCaseDeps()).db);
        return (
          <div className="space-y-6">
            <h1 className="text-2xl font-semibold">Users and roles</h1>
            <section
              aria-labelledby="grant"
              className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            >
              <h2 id="grant" className="mb-2 font-semibold">
                Grant a role
              </h2>
              <ActionForm action={roleAction} hidden={{ grant: "1" }} submit="Grant role">
                <div className="flex flex-wrap gap-3 text-sm">
                  <label>
                    E-mail
                    <input name="email" type="email" required className={INPUT} />
                  </label>
                  <label>
                    Role
                    <select name="role" className={INPUT}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r.replace("_", " ")}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    For
                    <ServiceSelect services={services} anyLabel="every service" />
                  </label>
                </div>
              </ActionForm>
            </section>
            <section
              aria-labelledby="link"
              className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            >
              <h2 id="link" className="mb-2 font-semibold">
                Link an identity
              </h2>
              <p className="mb-2 text-sm text-slate-600 dark:text-slate-300">
                A release&apos;s author may arrive from CI as a forge login (GitHub&apos;s{" "}
                <code>12345+login@users.noreply.github.com</code>) or another e-mail. Link it to the person so they can
                never approve their own release.
              </p>
              <ActionForm action={identityAction} hidden={{ link: "1" }} submit="Link identity">
                <div className="flex flex-wrap gap-3 text-sm">
                  <label>
                    Person&apos;s e-mail
                    <input name="email" type="email" required className={INPUT} />
                  </label>
                  <label>
                    Kind
                    <select name="kind" className={INPUT}>
                      <option value="login">forge login</option>
                      <option value="email">another e-mail</option>
                    </select>
                  </label>
                  <label>
                    Login or e-mail
                    <input name="value" required className={INPUT} />
                  </label>
                </div>
              </ActionForm>
            </section>
            <DataTable caption="Users" headers={["User", "Roles"]}>
              {users.map((u) => (
                <tr key={u.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <td className="py-2">
                    {u.name ?? u.email} <span className="block text-slate-500 dark:text-slate-400">{u.email}</span>
                    <ActionForm
                      action={unlockSignInAction}
                      hidden={{ email: u.email }}
                      submit="Clear failed sign-ins"
                    />
                    {u.identities.map((identity) => {
                      const [kind, value] = [
                        identity.slice(0, identity.indexOf(":")),
                        identity.slice(identity.indexOf(":") + 1),
                      ];
                      return (
                        <div key={identity} className="flex items-center gap-2 text-slate-500 dark:text-slate-400">
                          <span className="font-mono text-xs">{identity}</span>
                          {kind === "login" || kind === "email" ? (
                            <ActionForm
                              action={identityAction}
                              hidden={{ link: "0", email: u.email, kind, value }}
                              submit="Unlink"
                            />
                          ) : null}
                        </div>
                      );
                    })}
                  </td>
                  <td className="py-2">
                    {u.roles.length === 0 ? <span className="text-slate-500 dark:text-slate-400">none</span> : null}
                    {u.roles.map((r) => (
                      <div key={`${r.role}-${r.service}`} className="flex items-center gap-2">
                        <span>
                          {r.role.replace("_", " ")} {r.service ? `(${r.service})` : ""}
                        </span>
                        <ActionForm
                          action={roleAction}
                          hidden={{ grant: "0", email: u.email, role: r.role, service: r.service ?? "" }}
                          submit={`Revoke ${r.role.replace("_", " ")}`}
                        />
                      </div>
                    ))}
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
