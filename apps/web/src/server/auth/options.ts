import "server-only";
import { appendAudit } from "@rollgate/db/queries/audit";
import { findUserByEmail, grantRole, upsertUser } from "@rollgate/db/queries/users";
import { database } from "@rollgate/db/runtime";
import { verifyPassword } from "@rollgate/db/secrets";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { now } from "../clock";
import { env } from "../env";

interface OidcProfile {
  sub: string;
  email?: string;
  name?: string;
}

/** next-auth configuration: a generic OpenID Connect provider from the environment, and
 * local accounts for demos and development (off in production unless enabled). */
export function authOptions(): NextAuthOptions {
  const e = env();
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
        async authorize(credentials) {
          if (!credentials?.email || !credentials.password) return null;
          const { db } = await database();
          const user = await findUserByEmail(db, credentials.email);
          if (!user?.passwordHash || !verifyPassword(credentials.password, user.passwordHash)) return null;
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    );
  }
  return {
    providers,
    session: { strategy: "jwt", maxAge: e.ROLLGATE_SESSION_HOURS * 3600 },
    secret: e.NEXTAUTH_SECRET,
    callbacks: {
      async signIn({ user, account }) {
        if (!user.email) return false;
        const { db } = await database();
        await db.transaction(async (tx) => {
          const row = await upsertUser(tx, { email: user.email!, name: user.name });
          if (e.adminEmails.includes(row.email) && (await grantRole(tx, { userId: row.id, role: "admin" })))
            await appendAudit(tx, { at: now(), actorType: "system", actorId: "ROLLGATE_ADMIN_EMAILS", action: "role.granted", subjectType: "user", subjectId: row.id, data: { email: row.email, role: "admin" } });
          await appendAudit(tx, { at: now(), actorType: "user", actorId: row.id, action: "auth.signed_in", subjectType: "user", subjectId: row.id, data: { email: row.email, provider: account?.provider ?? "unknown" } });
        });
        return true;
      },
      async jwt({ token, user }) {
        // The token carries the e-mail only; roles are read from the database per request,
        // so a role change applies at once.
        if (user?.email) token.email = user.email.toLowerCase();
        return token;
      },
    },
  };
}
