// A person is known by several identities: e-mail addresses, an OpenID Connect subject and a
// forge login. The release's `author` is free text from CI, so it is turned into the
// identities it can stand for, and a person whose identities meet those is its author.

/** `email:<address>`, `oidc:<issuer>|<subject>` or `login:<forge login>`, lower-cased. */
export type Identity = string;

// GitHub's privacy address: `12345+octocat@users.noreply.github.com` or `octocat@users.noreply.github.com`.
const GITHUB_NOREPLY = /^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]{0,38}))@users\.noreply\.github\.com$/;

export function emailIdentity(email: string): Identity {
  return `email:${email.trim().toLowerCase()}`;
}

export function loginIdentity(login: string): Identity {
  return `login:${login.trim().toLowerCase().replace(/^@/, "")}`;
}

export function oidcIdentity(issuer: string, subject: string): Identity {
  return `oidc:${issuer.trim().replace(/\/+$/, "")}|${subject.trim()}`;
}

/** Every identity the author text from CI may name (empty for blank text). */
export function authorIdentities(author: string): Identity[] {
  const text = author.trim().toLowerCase();
  if (!text) return [];
  const noreply = GITHUB_NOREPLY.exec(text);
  if (noreply) return [emailIdentity(text), loginIdentity(noreply[1]!)];
  if (text.includes("@")) return [emailIdentity(text)];
  return [loginIdentity(text)];
}

/** Whether a person with these identities wrote a release with this author text. */
export function isAuthor(identities: readonly Identity[], author: string): boolean {
  const named = new Set(authorIdentities(author));
  return identities.some((i) => named.has(i.toLowerCase()));
}
