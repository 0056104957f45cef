import { authorIdentities, GITHUB_NOREPLY_DOMAIN, type AuthorMatching } from "@rollgate/core/access/identity";
import { eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import { authorMatching } from "../env.ts";
import { userIdentities, users } from "../schema/index.ts";

/**
 * A stored identity as core's `canonicalIdentity` compares it, in SQL (stored identities are
 * already folded): with plus-addressing, an e-mail's tag is dropped, except on GitHub's privacy
 * address, whose "+" separates an account id.
 */
export function canonicalIdentitySql(identity: SQL, matching: AuthorMatching): SQL {
  if (!matching.plusAddressing) return identity;
  const noreply = sql.raw(`'%@${GITHUB_NOREPLY_DOMAIN}'`);
  return sql`(case when ${identity} like 'email:%' and ${identity} not like ${noreply}
    then regexp_replace(${identity}, '^(email:[^+@]*)\\+[^@]*@', '\\1@') else ${identity} end)`;
}

/** A user's own e-mail as a stored identity. */
export const userEmailIdentitySql = (email: SQL | typeof users.email): SQL => sql`'email:' || lower(btrim(${email}))`;

/**
 * The people a release's author text names: through any linked identity or their e-mail,
 * however CI spelled it (core's `authorIdentities`). `null`: no author that counts here yet.
 */
export async function authorIdsOf(
  db: Db,
  author: string | null,
  matching: AuthorMatching = authorMatching(),
): Promise<string[]> {
  const named = author === null ? [] : authorIdentities(author, matching);
  if (named.length === 0) return [];
  const rows = await db
    .select({ id: userIdentities.userId })
    .from(userIdentities)
    .where(inArray(canonicalIdentitySql(sql`${userIdentities.identity}`, matching), named))
    .union(
      db
        .select({ id: users.id })
        .from(users)
        .where(inArray(canonicalIdentitySql(userEmailIdentitySql(users.email), matching), named)),
    );
  return rows.map((r) => r.id);
}

/** Who holds an identity, if anyone. */
export async function identityOwner(db: Db, identity: string): Promise<{ id: string; email: string } | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(eq(userIdentities.identity, identity))
    .limit(1);
  return row ?? null;
}

/** Links an identity to a person; false when it already belongs to someone else. */
export async function linkIdentity(db: Db, params: { userId: string; identity: string }): Promise<boolean> {
  const [row] = await db
    .insert(userIdentities)
    .values(params)
    .onConflictDoNothing()
    .returning({ userId: userIdentities.userId });
  if (row) return true;
  const [existing] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(eq(userIdentities.identity, params.identity))
    .limit(1);
  return existing?.userId === params.userId;
}

export async function unlinkIdentity(db: Db, params: { userId: string; identity: string }): Promise<boolean> {
  const rows = await db
    .delete(userIdentities)
    .where(sql`${userIdentities.userId} = ${params.userId} and ${userIdentities.identity} = ${params.identity}`)
    .returning({ identity: userIdentities.identity });
  return rows.length > 0;
}

/** Every linked identity, by person (e-mails of the users table are not repeated here). */
export async function listIdentities(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ userId: userIdentities.userId, identity: userIdentities.identity })
    .from(userIdentities)
    .orderBy(userIdentities.identity);
  const byUser = new Map<string, string[]>();
  for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r.identity]);
  return byUser;
}
