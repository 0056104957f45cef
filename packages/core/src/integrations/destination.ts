// Where Rollgate may send requests an admin configured (Prometheus, the GitHub API, outbound
// webhooks, Slack): never into the server's own network unless the operator allows it
// (ROLLGATE_ALLOW_PRIVATE_DESTINATIONS=1). Pure: the caller resolves names and passes the
// addresses; it checks them again each time it connects, so a name that later resolves to an
// internal address (DNS rebinding) is refused at send time too.

export type DestinationCheck = { ok: true } | { ok: false; reason: string };

/** Ranges no admin-configured request may reach: [first bytes, prefix length, name]. */
const V4_BLOCKED: Array<[number[], number, string]> = [
  [[0], 8, "this network (0.0.0.0/8)"],
  [[10], 8, "a private network (10.0.0.0/8)"],
  [[100, 64], 10, "shared address space (100.64.0.0/10)"],
  [[127], 8, "loopback (127.0.0.0/8)"],
  [[169, 254], 16, "link-local, where cloud metadata lives (169.254.0.0/16)"],
  [[172, 16], 12, "a private network (172.16.0.0/12)"],
  [[192, 0, 0], 24, "IETF protocol assignments (192.0.0.0/24)"],
  [[192, 0, 2], 24, "documentation (192.0.2.0/24)"],
  [[192, 168], 16, "a private network (192.168.0.0/16)"],
  [[198, 18], 15, "benchmarking (198.18.0.0/15)"],
  [[198, 51, 100], 24, "documentation (198.51.100.0/24)"],
  [[203, 0, 113], 24, "documentation (203.0.113.0/24)"],
  [[224], 4, "multicast (224.0.0.0/4)"],
  [[240], 4, "reserved (240.0.0.0/4)"],
];
const V6_BLOCKED: Array<[number[], number, string]> = [
  [[0x01, 0x00], 64, "discard (100::/64)"],
  [[0x20, 0x01, 0x0d, 0xb8], 32, "documentation (2001:db8::/32)"],
  [[0x20, 0x01, 0x00, 0x00], 32, "Teredo (2001::/32)"],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, "local NAT64 (64:ff9b:1::/48)"],
  [[0xfc], 7, "a unique local network (fc00::/7)"],
  [[0xfe, 0x80], 10, "link-local (fe80::/10)"],
  [[0xfe, 0xc0], 10, "site-local (fec0::/10)"],
  [[0xff], 8, "multicast (ff00::/8)"],
];

function inRange(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

function parseIPv6(input: string): number[] | null {
  let text = input.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIPv4(dotted[2]!);
    if (!v4) return null;
    tail.push(...v4);
    text = `${dotted[1]}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Why an IPv4 address (4 bytes) may not be reached, or null when it is public. */
function v4Problem(bytes: readonly number[]): string | null {
  return V4_BLOCKED.find(([prefix, bits]) => inRange(bytes, prefix, bits))?.[2] ?? null;
}

/**
 * Why an IP address may not be reached, or null when it is a public unicast address. IPv6
 * forms that carry an IPv4 address (`::ffff:127.0.0.1`, `::127.0.0.1`, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) are judged by that address. Text that is not an address is refused.
 */
export function addressProblem(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4) return v4Problem(v4);
  const v6 = parseIPv6(address);
  if (!v6) return "not an IP address";
  const zero = (from: number, to: number) => v6.slice(from, to).every((b) => b === 0);
  if (zero(0, 16)) return "the unspecified address (::)";
  if (zero(0, 15) && v6[15] === 1) return "loopback (::1)";
  const embedded = (at: number) => v4Problem(v6.slice(at, at + 4));
  if (zero(0, 10) && v6[10] === 0xff && v6[11] === 0xff) return embedded(12); // ::ffff:a.b.c.d
  if (zero(0, 12)) return embedded(12) ?? "an IPv4-compatible address (::/96)";
  if (inRange(v6, [0x00, 0x64, 0xff, 0x9b], 96)) return embedded(12); // NAT64
  if (inRange(v6, [0x20, 0x02], 16)) return embedded(2); // 6to4
  return V6_BLOCKED.find(([prefix, bits]) => inRange(v6, prefix, bits))?.[2] ?? null;
}

/** The URL's host as an address, when it is an IP literal (brackets removed), else null. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return parseIPv4(bare) || parseIPv6(bare) ? bare : null;
}

/**
 * Whether a configured URL may be sent to, judged before any name is resolved: http(s) only,
 * and not `localhost` or an IP literal in a blocked range. `allowPrivate` lifts the range rule.
 * WHATWG URL parsing has already made `http://2130706433/` and `http://0x7f.1/` read 127.0.0.1.
 */
export function checkDestinationUrl(url: string, allowPrivate: boolean): DestinationCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "is not a URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { ok: false, reason: "must be http(s)" };
  if (allowPrivate) return { ok: true };
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost"))
    return { ok: false, reason: `points at ${host}, this server itself` };
  const literal = literalAddress(host);
  const problem = literal ? addressProblem(literal) : null;
  return problem ? { ok: false, reason: `points at ${literal}, ${problem}` } : { ok: true };
}

/** Whether a name may be connected to given every address it resolved to now (all must be public). */
export function checkResolvedAddresses(
  hostname: string,
  addresses: readonly string[],
  allowPrivate: boolean,
): DestinationCheck {
  if (allowPrivate) return { ok: true };
  if (addresses.length === 0) return { ok: false, reason: `${hostname} resolved to no address` };
  for (const address of addresses) {
    const problem = addressProblem(address);
    if (problem) return { ok: false, reason: `${hostname} resolves to ${address}, ${problem}` };
  }
  return { ok: true };
}

/** Whether two configured URLs are the same destination (a stored credential may stay with it). */
export function sameDestination(before: string | null | undefined, after: string | null | undefined): boolean {
  const norm = (u: string | null | undefined) => {
    if (!u) return null;
    try {
      const p = new URL(u);
      return `${p.protocol}//${p.host}${p.pathname.replace(/\/+$/, "")}`.toLowerCase();
    } catch {
      return u;
    }
  };
  return norm(before) !== null && norm(before) === norm(after);
}

const REDACTED = "[redacted]";

/**
 * Error text fit to show an admin: every known secret (as sent, base64 as in basic auth,
 * URL-encoded) and anything that looks like a credential (an authorization value, a JWT, a
 * GitHub token, a PEM key) replaced. A hostile or chatty server may echo what it was sent.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined> = []): string {
  let out = text;
  const forms = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 4)
    .flatMap((s) => [s, encodeURIComponent(s), base64(s)])
    .sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED)
    .replace(/\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`)
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED)
    .replace(/\bgh[pousr]_[A-Za-z0-9]{16,}/g, REDACTED);
}

function base64(s: string): string {
  // btoa needs Latin-1; encode as UTF-8 bytes first, as Buffer would.
  const bytes = new TextEncoder().encode(s);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
