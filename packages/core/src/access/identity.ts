// A person is known by several identities: e-mail addresses, an OpenID Connect subject and a
// forge login. The release's `author` is free text from CI, so it is turned into the
// identities it can stand for, and a person whose identities meet those is its author.
// CI writes authors as git does (`Name <email>`), as forges do (`@login`), with plus tags and
// with characters nobody sees: every such spelling of one person must name that person, or the
// author could act on their own release as "somebody else".

/** `email:<address>`, `oidc:<issuer>|<subject>` or `login:<forge login>`, lower-cased. */
export type Identity = string;

/** How author text and identities are matched; a deployment setting (ROLLGATE_AUTHOR_PLUS_ADDRESSING). */
export interface AuthorMatching {
  /** `a+tag@x` is the mailbox `a@x` (true by default: most mail hosts deliver it there). */
  plusAddressing: boolean;
}
export const DEFAULT_AUTHOR_MATCHING: AuthorMatching = { plusAddressing: true };

// GitHub's privacy address: `12345+octocat@users.noreply.github.com` or `octocat@users.noreply.github.com`.
// Its "+" separates an account id, not a tag, so plus-addressing never applies to it.
export const GITHUB_NOREPLY_DOMAIN = "users.noreply.github.com";
const GITHUB_NOREPLY = /^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]{0,38}))@users\.noreply\.github\.com$/;

/** Zero-width characters, the byte-order mark, soft hyphen and bidirectional marks and isolates. */
const INVISIBLE =
  /[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]/g;

/** Text as compared: compatibility forms folded (NFKC), invisible characters removed, trimmed, lower-cased. */
export function foldText(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "").trim().toLowerCase();
}

/** The mailbox an address delivers to: the plus tag dropped where the setting says so. */
function canonicalEmail(email: string, matching: AuthorMatching): string {
  const address = foldText(email);
  if (!matching.plusAddressing || address.endsWith(`@${GITHUB_NOREPLY_DOMAIN}`)) return address;
  return address.replace(/^([^+@]*)\+[^@]*@/, "$1@");
}

/** An e-mail identity as stored: folded, its plus tag kept (matching drops it, per the setting). */
export function emailIdentity(email: string): Identity {
  return `email:${foldText(email)}`;
}

export function loginIdentity(login: string): Identity {
  return `login:${foldText(login).replace(/^@/, "")}`;
}

export function oidcIdentity(issuer: string, subject: string): Identity {
  return `oidc:${issuer.trim().replace(/\/+$/, "")}|${subject.trim()}`;
}

/** An identity as it is compared (an e-mail identity as the mailbox it delivers to). */
export function canonicalIdentity(identity: Identity, matching: AuthorMatching = DEFAULT_AUTHOR_MATCHING): Identity {
  if (identity.startsWith("email:")) return `email:${canonicalEmail(identity.slice("email:".length), matching)}`;
  if (identity.startsWith("login:")) return loginIdentity(identity.slice("login:".length));
  return identity;
}

/**
 * Every identity the author text from CI may name (empty for blank text): `Name <email>`
 * names the e-mail (the display name is free text and names nobody), `@login` and a bare word
 * name a forge login, anything else with an `@` an e-mail.
 */
export function authorIdentities(author: string, matching: AuthorMatching = DEFAULT_AUTHOR_MATCHING): Identity[] {
  const folded = foldText(author);
  const text = (/<([^<>]*)>$/.exec(folded)?.[1] ?? folded).replace(/^mailto:/, "").trim();
  if (!text) return [];
  if (/^@[^@\s]+$/.test(text)) return [loginIdentity(text)];
  const noreply = GITHUB_NOREPLY.exec(text);
  if (noreply) return [emailIdentity(text), loginIdentity(noreply[1]!)];
  if (text.includes("@")) return [`email:${canonicalEmail(text, matching)}`];
  return [loginIdentity(text)];
}
