// Framing and content protection, sent on every answer: pages, Next's route handlers (through
// next.config.ts `headers()`) and the machine routes the standalone front answers itself
// (`front/main.ts`). No page may be framed (clickjacking): `frame-ancestors 'none'`, and
// `X-Frame-Options: DENY` for browsers that predate it.
//
// Pages load scripts, styles, images and fonts only from Rollgate's own origin. Scripts and
// styles keep 'unsafe-inline': Next.js writes its bootstrap and the streamed React Server
// Component payload as inline scripts, and charts set inline styles; a per-request nonce would
// make every page dynamic (three are prerendered) for little gain where no page renders HTML it
// was sent (the runbook renders Rollgate's own Markdown). `connect-src 'self'`: the pages call
// only their own API. No form action is restricted: the single sign-on button posts to
// next-auth, which redirects to the identity provider.
// Answers from /api/ are data, never a document: nothing may load from them or frame them.

export interface HeaderPair {
  key: string;
  value: string;
}

export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

const common: HeaderPair[] = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

export const PAGE_SECURITY_HEADERS: HeaderPair[] = [
  ...common,
  { key: "Content-Security-Policy", value: PAGE_CONTENT_SECURITY_POLICY },
];

export const API_SECURITY_HEADERS: HeaderPair[] = [
  ...common,
  { key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY },
];
