import "server-only";
import { DEVELOPMENT_SECRET_KEY, readDbEnv } from "@rollgate/db/env";
import { z } from "zod";

// The web app's settings, parsed once on first use. Database settings and the secret key
// come from @rollgate/db's env, which the CLI shares.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  ROLLGATE_READY_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  ROLLGATE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  ROLLGATE_ALLOW_DEV_SECRET_KEY: z.enum(["0", "1"]).default("0"),
  // Sign-in (next-auth reads NEXTAUTH_URL and NEXTAUTH_SECRET itself as well).
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  /** The dashboard's public URL: a sign-in may return to an absolute URL on its origin. */
  NEXTAUTH_URL: z.url().optional(),
  ROLLGATE_OIDC_ISSUER: z.url().optional(),
  ROLLGATE_OIDC_CLIENT_ID: z.string().min(1).optional(),
  ROLLGATE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  ROLLGATE_OIDC_NAME: z.string().min(1).default("Single sign-on"),
  /** Local e-mail + password accounts: on outside production unless set to 0; off in production unless set to 1. */
  ROLLGATE_CREDENTIALS_LOGIN: z.enum(["0", "1"]).optional(),
  ROLLGATE_ADMIN_EMAILS: z.string().default(""),
  ROLLGATE_SESSION_HOURS: z.coerce.number().positive().default(8),
  /** 1: accept an OpenID sign-in whose ID token has no email_verified claim (explicit false is always refused). */
  ROLLGATE_OIDC_ACCEPT_MISSING_EMAIL_VERIFIED: z.enum(["0", "1"]).default("0"),
  /** 1: anonymous visitors may read the overview (a read-only wallboard); everything else still needs sign-in. */
  ROLLGATE_PUBLIC_WALLBOARD: z.enum(["0", "1"]).default("0"),
  /** A bearer token that lets Prometheus scrape /api/metrics without a session. */
  ROLLGATE_METRICS_TOKEN: z.string().min(16, "use at least 16 characters").optional(),
  /** How often pending GitHub deployment protection rules are checked again. */
  ROLLGATE_GITHUB_POLL_SECONDS: z.coerce.number().positive().default(15),
  /** 1: Prometheus, the GitHub API and notifications may be internal addresses (loopback, link-local, private). */
  ROLLGATE_ALLOW_PRIVATE_DESTINATIONS: z.enum(["0", "1"]).default("0"),
});

export type WebEnv = z.infer<typeof schema> & {
  secretKey: string;
  credentialsLogin: boolean;
  adminEmails: string[];
  publicWallboard: boolean;
  allowPrivateDestinations: boolean;
};
let cached: WebEnv | undefined;

export function env(): WebEnv {
  if (!cached) {
    const web = schema.parse({
      ...process.env,
      ROLLGATE_METRICS_TOKEN: process.env.ROLLGATE_METRICS_TOKEN || undefined,
    });
    const secretKey = readDbEnv().ROLLGATE_SECRET_KEY;
    if (
      web.NODE_ENV === "production" &&
      secretKey === DEVELOPMENT_SECRET_KEY &&
      web.ROLLGATE_ALLOW_DEV_SECRET_KEY !== "1"
    )
      throw new Error(
        "ROLLGATE_SECRET_KEY must be set in production: it encrypts the webhook signing secrets (see .env.example).",
      );
    const credentialsLogin = web.ROLLGATE_CREDENTIALS_LOGIN
      ? web.ROLLGATE_CREDENTIALS_LOGIN === "1"
      : web.NODE_ENV !== "production";
    const adminEmails = web.ROLLGATE_ADMIN_EMAILS.split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean);
    cached = {
      ...web,
      secretKey,
      credentialsLogin,
      adminEmails,
      publicWallboard: web.ROLLGATE_PUBLIC_WALLBOARD === "1",
      allowPrivateDestinations: web.ROLLGATE_ALLOW_PRIVATE_DESTINATIONS === "1",
    };
  }
  return cached;
}

/**
 * Whether every answer under /api is checked against the schema its endpoint declares
 * (`server/api/serve.ts`): in tests, and with ROLLGATE_CHECK_ANSWERS=1 (the end-to-end
 * servers). Read apart from `env()`, which a liveness probe must not depend on.
 */
export function checkingAnswers(): boolean {
  // Read once: every request asks, and process.env is slow to read.
  return (checking ??= process.env.NODE_ENV === "test" || process.env.ROLLGATE_CHECK_ANSWERS === "1");
}
let checking: boolean | undefined;
