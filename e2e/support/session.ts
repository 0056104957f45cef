// Sign-in and sign-out over plain HTTP, the way a script (or an attacker) drives next-auth.

export interface SignInAnswer {
  status: number;
  /** Where next-auth sends the browser: the callback on success, the error page otherwise. */
  url: string;
  /** `name=value` of the session cookie, when one was set. */
  cookie: string | null;
  /** The `error` query parameter of `url`, if any. */
  error: string | null;
}

const pairs = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!);

async function csrf(base: string, cookie = ""): Promise<{ token: string; cookie: string }> {
  const response = await fetch(`${base}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { token: csrfToken, cookie: [cookie, ...pairs(response)].filter(Boolean).join("; ") };
}

/** A local-account sign-in from `address` (as the ingress reports it in x-forwarded-for). */
export async function passwordSignIn(
  base: string,
  email: string,
  password: string,
  address: string,
  headers: Record<string, string> = {},
): Promise<SignInAnswer> {
  const { token, cookie } = await csrf(base);
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": address },
    body: new URLSearchParams({ csrfToken: token, email, password, json: "true", callbackUrl: `${base}/` }),
  });
  const body = (await response.json().catch(() => null)) as { url?: string } | null;
  const url = body?.url ?? response.headers.get("location") ?? "";
  const session =
    pairs(response).find(
      (c) => c.startsWith("next-auth.session-token=") && c.length > "next-auth.session-token=".length,
    ) ?? null;
  return {
    status: response.status,
    url,
    cookie: session,
    error: url ? new URL(url, base).searchParams.get("error") : null,
  };
}

/** The session next-auth reports for a cookie, and the cookie it hands back. */
export async function readSession(
  base: string,
  cookie: string,
): Promise<{ session: { expires?: string; user?: { email?: string } }; cookie: string }> {
  const response = await fetch(`${base}/api/auth/session`, { headers: { cookie } });
  const renewed = pairs(response).find((c) => c.startsWith("next-auth.session-token="));
  return {
    session: (await response.json()) as { expires?: string },
    cookie: renewed && renewed.length > "next-auth.session-token=".length ? renewed : cookie,
  };
}

export async function signOut(base: string, cookie: string): Promise<void> {
  const { token, cookie: withCsrf } = await csrf(base, cookie);
  const response = await fetch(`${base}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: withCsrf },
    body: new URLSearchParams({ csrfToken: token, json: "true", callbackUrl: `${base}/` }),
  });
  if (response.status >= 400) throw new Error(`sign-out answered ${response.status}`);
}

/** A random documentation address (RFC 5737), so throttling in one test never touches another. */
export function randomAddress(): string {
  const n = () => Math.floor(Math.random() * 254) + 1;
  return `203.0.${n()}.${n()}`;
}
