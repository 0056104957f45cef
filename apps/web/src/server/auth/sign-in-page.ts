import "server-only";
import { createHash } from "node:crypto";
import { pausedMessage } from "@rollgate/core/access/sign-in";
import { DEMO_PASSWORD, findDemoAccounts, type DemoAccount } from "@rollgate/db/seed/accounts";
import { database } from "@rollgate/db/runtime";
import { cookies } from "next/headers";
import { env } from "../env";

export interface SignInPage {
  /** next-auth's double-submit token, from its own cookie: every form posts it back. */
  csrfToken: string;
  callbackUrl: string;
  sso: { id: string; name: string } | null;
  credentials: boolean;
  demo: { accounts: DemoAccount[]; password: string } | null;
  error: string | null;
}

/** The marker the page adds when it sends the browser to next-auth for a CSRF cookie; back without one, cookies are off. */
const NO_COOKIE = "Cookies";

/**
 * What /sign-in shows. The forms post straight to next-auth (no JavaScript needed), so they
 * need next-auth's CSRF token, which lives in its cookie. A server component cannot set a
 * cookie: without a valid one the browser is sent once through `/api/auth/signin`, which sets
 * it and redirects back here (next-auth's `pages.signIn`).
 */
export async function loadSignInPage(query: {
  callbackUrl?: string;
  error?: string;
}): Promise<{ redirect: string } | { page: SignInPage }> {
  const e = env();
  const callbackUrl = sameSite(query.callbackUrl ?? (await cookieValue("next-auth.callback-url")), e.NEXTAUTH_URL);
  const csrfToken = validToken(await cookieValue("next-auth.csrf-token"), e.NEXTAUTH_SECRET);
  if (!csrfToken && query.error !== NO_COOKIE)
    return { redirect: `/api/auth/signin?${new URLSearchParams({ callbackUrl, error: NO_COOKIE })}` };
  // Back from next-auth (the marker, or its absolute callbackUrl): once more to the plain address.
  const error = query.error === NO_COOKIE ? undefined : query.error;
  if (
    csrfToken &&
    (query.error === NO_COOKIE || (query.callbackUrl !== undefined && query.callbackUrl !== callbackUrl))
  )
    return { redirect: `/sign-in?${new URLSearchParams({ callbackUrl, ...(error ? { error } : {}) })}` };
  const sso =
    e.ROLLGATE_OIDC_ISSUER && e.ROLLGATE_OIDC_CLIENT_ID && e.ROLLGATE_OIDC_CLIENT_SECRET
      ? { id: "oidc", name: e.ROLLGATE_OIDC_NAME }
      : null;
  const accounts = e.credentialsLogin
    ? await database()
        .then(({ db }) => findDemoAccounts(db))
        .catch(() => [])
    : [];
  return {
    page: {
      csrfToken: csrfToken ?? "",
      callbackUrl,
      sso,
      credentials: e.credentialsLogin,
      demo: accounts.length ? { accounts, password: DEMO_PASSWORD } : null,
      error: csrfToken
        ? error
          ? sentence(error)
          : null
        : "Your browser did not keep Rollgate's sign-in cookie. Allow cookies for this site, then reload this page.",
    },
  };
}

/** next-auth's cookies are `__Host-`/`__Secure-` prefixed on https. */
async function cookieValue(name: string): Promise<string | undefined> {
  return (await cookies()).getAll().find((c) => c.name === name || c.name.endsWith(`-${name}`))?.value;
}

/** `token|sha256(token + secret)`, as next-auth writes it; without a configured secret (development) the hash cannot be checked here. */
function validToken(cookie: string | undefined, secret: string | undefined): string | null {
  const [token, hash] = (cookie ?? "").split("|");
  if (!token || !hash) return null;
  if (secret && createHash("sha256").update(`${token}${secret}`).digest("hex") !== hash) return null;
  return token;
}

/** A path on this site (an absolute URL on NEXTAUTH_URL's origin becomes its path); anything else goes to the overview. */
function sameSite(url: string | undefined, base: string | undefined): string {
  if (!url) return "/";
  if (url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\")) return url;
  try {
    const absolute = new URL(url);
    return base && absolute.origin === new URL(base).origin
      ? `${absolute.pathname}${absolute.search}${absolute.hash}`
      : "/";
  } catch {
    return "/";
  }
}

// Known codes only: a sentence taken from the URL as such would let anyone put words on this page.
const SENTENCES: Record<string, string> = {
  CredentialsSignin: "The e-mail or the password is wrong. Check both and try again.",
  EmailUnverified:
    "Your identity provider has not verified this e-mail address, so Rollgate cannot trust it. Verify it with the provider, or ask an admin.",
  SubjectLinked:
    "This single sign-on account is linked to another Rollgate user (its e-mail changed at the provider). Ask an admin to move it.",
  AccessDenied: "Sign-in was refused. Ask an admin whether your account may use Rollgate.",
  OAuthSignin: "Single sign-on could not start. Try again; if it keeps failing, tell an admin.",
  OAuthCallback: "Single sign-on did not complete. Try again; if it keeps failing, tell an admin.",
  Callback: "Single sign-on did not complete. Try again; if it keeps failing, tell an admin.",
  SessionRequired: "Sign in to open that page.",
  Configuration: "Sign-in is not configured correctly on this server. Tell an admin.",
};

function sentence(code: string): string {
  const paused = /^Paused:(account|address):(\d+)$/.exec(code);
  if (paused) return pausedMessage(paused[1] as "account" | "address", Number(paused[2]));
  return SENTENCES[code] ?? "Sign-in did not work. Try again, or ask an admin.";
}
