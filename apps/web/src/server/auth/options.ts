import "server-only";
import { sessionStatus } from "@rollgate/core/access/session";
import { bootstrapAdmin, oidcEmailAccepted } from "@rollgate/core/access/sign-in";
import { appendAudit } from "@rollgate/db/queries/audit";
import { oidcIdentity } from "@rollgate/core/access/identity";
import { identityOwner, linkIdentity } from "@rollgate/db/queries/identities";
import { adminExists, findUserByEmail, grantRole, revokeSessions, upsertUser } from "@rollgate/db/queries/users";
import { database } from "@rollgate/db/runtime";
import { log } from "@rollgate/log";
import type { NextAuthOptions } from "next-auth";
import { encode } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { now } from "../clock";
import { env } from "../env";
import { checkPassword } from "./check-password";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: unknown;
  name?: string;
}

/** next-auth configuration: a generic OpenID Connect provider from the environment, and
 * local accounts for demos and development (off in production unless enabled). */
export function authOptions(): NextAuthOptions {
  const e = env();
  const lifetimeMs = e.ROLLGATE_SESSION_HOURS * 3_600_000;
  const providers: NextAuthOptions["providers"] = [];
  if (e.ROLLGATE_OIDC_ISSUER && e.ROLLGATE_OIDC_CLIENT_ID && e.ROLLGATE_OIDC_CLIENT_SECRET) {
    const oidc: OAuthConfig<OidcProfile> = {
      id: "oidc",
      name: e.ROLLGATE_OIDC_NAME,
      type: "oauth",
      wellKnown: `${e.ROLLGATE_OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: e.ROLLGATE_OIDC_CLIENT_ID,
      clientSecret: e.ROLLGATE_OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile: (p) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.email ?? p.sub }),
    };
    providers.push(oidc);
  }
  if (e.credentialsLogin) {
    providers.push(
      CredentialsProvider({
        id: "credentials",
        name: "Local account",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          if (!credentials?.email || !credentials.password) return null;
          const outcome = await checkPassword({
            email: credentials.email,
            password: credentials.password,
            headers: request.headers ?? {},
          });
          // next-auth sends the message to the sign-in page as ?error=…, which turns it into a sentence.
          if (outcome.kind === "paused") throw new Error(`Paused:${outcome.scope}:${outcome.retryAfterSeconds}`);
          return outcome.kind === "ok" ? outcome.user : null;
        },
      }),
    );
  }
  /** Seconds the token may still live: until its sign-in's absolute end, never longer. */
  const remainingSeconds = (signedInAt: unknown) =>
    typeof signedInAt === "number" ? Math.max(1, Math.floor((signedInAt + lifetimeMs - now().getTime()) / 1000)) : 1;
  return {
    providers,
    session: { strategy: "jwt", maxAge: e.ROLLGATE_SESSION_HOURS * 3600 },
    jwt: { encode: (params) => encode({ ...params, maxAge: remainingSeconds(params.token?.signedInAt) }) },
    secret: e.NEXTAUTH_SECRET,
    // Rollgate's own page (app/sign-in) for signing in and for every sign-in error.
    pages: { signIn: "/sign-in", error: "/sign-in" },
    // An ended session is expected, not an error worth a stack trace per request.
    // Only the code: next-auth's metadata can hold the provider's tokens, the client secret or the profile.
    logger: {
      error: (code) => void (code === "JWT_SESSION_ERROR" || log().error({ code }, "next-auth error")),
      warn: (code) => log().warn({ code }, "next-auth warning"),
      debug: () => {},
    },
    callbacks: {
      async signIn({ user, account, profile }) {
        if (!user.email) return false;
        if (
          account?.provider === "oidc" &&
          !oidcEmailAccepted(
            (profile as OidcProfile | undefined)?.email_verified,
            e.ROLLGATE_OIDC_ACCEPT_MISSING_EMAIL_VERIFIED === "1",
          )
        )
          return "/sign-in?error=EmailUnverified";
        const { db } = await database();
        // The provider's subject is the person's stable identity: it is linked on first sign-in, and a
        // subject already linked to someone else (an e-mail reassigned at the provider) is refused.
        const subject =
          account?.provider === "oidc" && e.ROLLGATE_OIDC_ISSUER
            ? oidcIdentity(e.ROLLGATE_OIDC_ISSUER, account.providerAccountId)
            : null;
        const owner = subject ? await identityOwner(db, subject) : null;
        if (owner && owner.email !== user.email.trim().toLowerCase()) return "/sign-in?error=SubjectLinked";
        await db.transaction(async (tx) => {
          const row = await upsertUser(tx, { email: user.email!, name: user.name });
          if (subject && !owner) await linkIdentity(tx, { userId: row.id, identity: subject });
          if (
            bootstrapAdmin({ email: row.email, listed: e.adminEmails, adminExists: await adminExists(tx) }) &&
            (await grantRole(tx, { userId: row.id, role: "admin" }))
          )
            await appendAudit(tx, {
              at: now(),
              actorType: "system",
              actorId: "ROLLGATE_ADMIN_EMAILS",
              action: "role.granted",
              subjectType: "user",
              subjectId: row.id,
              data: { email: row.email, role: "admin" },
            });
          await appendAudit(tx, {
            at: now(),
            actorType: "user",
            actorId: row.id,
            action: "auth.signed_in",
            subjectType: "user",
            subjectId: row.id,
            data: { email: row.email, provider: account?.provider ?? "unknown" },
          });
        });
        return true;
      },
      async jwt({ token, user }) {
        // The token carries the e-mail and the sign-in time only; roles are read from the
        // database per request, so a role change applies at once.
        if (user?.email) return { ...token, email: user.email.toLowerCase(), signedInAt: now().getTime() };
        const { db } = await database();
        const row = token.email ? await findUserByEmail(db, token.email) : null;
        const status = sessionStatus({
          signedInAt: typeof token.signedInAt === "number" ? new Date(token.signedInAt) : null,
          revokedAt: row?.sessionsRevokedAt ?? null,
          lifetimeHours: e.ROLLGATE_SESSION_HOURS,
          now: now(),
        });
        // Throwing ends the session: next-auth answers with no session and clears the cookie.
        if (!row || !status.valid)
          throw new Error(`session ended: ${row ? (status.valid ? "" : status.reason) : "no such user"}`);
        return token;
      },
      session({ session, token }) {
        if (typeof token.signedInAt === "number")
          session.expires = new Date(token.signedInAt + lifetimeMs).toISOString();
        return session;
      },
    },
    events: {
      // Signing out ends every session of that person (all devices), so a copied cookie dies too.
      async signOut({ token }) {
        const email = token?.email;
        if (!email) return;
        const { db } = await database();
        await db.transaction(async (tx) => {
          const row = await findUserByEmail(tx, email);
          if (!row) return;
          await revokeSessions(tx, { userId: row.id, at: now() });
          await appendAudit(tx, {
            at: now(),
            actorType: "user",
            actorId: row.id,
            action: "auth.signed_out",
            subjectType: "user",
            subjectId: row.id,
            data: { email: row.email },
          });
        });
      },
    },
  };
}
