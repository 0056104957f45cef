import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { loadSignInPage } from "@/server/auth/sign-in-page";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const field =
  "mt-1 block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900";
const primary =
  "w-full rounded bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800 focus-visible:ring-2 focus-visible:ring-sky-500";

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

// GET /sign-in — next-auth's sign-in and error page (pages.signIn, pages.error): plain HTML forms
// that post to next-auth with its CSRF token, so signing in works without JavaScript.
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = await searchParams;
  const loaded = await loadSignInPage({ callbackUrl: first(query.callbackUrl), error: first(query.error) });
  if ("redirect" in loaded) redirect(loaded.redirect);
  const { csrfToken, callbackUrl, sso, credentials, demo, error } = loaded.page;
  const hidden = (
    <>
      <input type="hidden" name="csrfToken" value={csrfToken} />
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
    </>
  );
  return (
    <div className="mx-auto max-w-sm space-y-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Sign in to Rollgate</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Rollout pages, approvals and overrides need a signed-in person.
        </p>
      </div>
      {error && (
        <p
          role="alert"
          className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950"
        >
          {error}
        </p>
      )}
      {sso && (
        <form method="post" action={`/api/auth/signin/${sso.id}`}>
          {hidden}
          <button className={primary}>Sign in with {sso.name}</button>
        </form>
      )}
      {sso && credentials && (
        <p
          className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-600 dark:text-slate-400"
          aria-hidden="true"
        >
          <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
          or with a local account
          <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
        </p>
      )}
      {credentials && (
        <form
          method="post"
          action="/api/auth/callback/credentials"
          className="space-y-3 rounded border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
        >
          {hidden}
          <label className="block text-sm font-medium">
            E-mail
            <input name="email" type="email" autoComplete="username" required className={field} />
          </label>
          <label className="block text-sm font-medium">
            Password
            <input name="password" type="password" autoComplete="current-password" required className={field} />
          </label>
          <button className={primary}>Sign in with password</button>
        </form>
      )}
      {!sso && !credentials && (
        <p className="text-sm">
          No way to sign in is configured on this server. An admin sets up single sign-on (ROLLGATE_OIDC_ISSUER and its
          client).
        </p>
      )}
      {demo && (
        <section
          aria-labelledby="demo-accounts"
          className="rounded border border-slate-200 p-4 text-sm dark:border-slate-800"
        >
          <h2 id="demo-accounts" className="font-medium">
            Demo accounts
          </h2>
          <p className="mt-1 text-slate-600 dark:text-slate-400">
            The same password for each: <code className="font-mono">{demo.password}</code>
          </p>
          <ul className="mt-2 space-y-1">
            {demo.accounts.map((a) => (
              <li key={a.email}>
                <code className="font-mono">{a.email}</code> — {a.name}, {a.role.replace("_", " ")}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
