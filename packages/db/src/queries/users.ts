import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { userRoles, users } from "../schema/index.ts";

/** The user with this e-mail (case-insensitive), created on first sign-in. A name given
 * replaces the stored one; no name (an admin granting a role) keeps it. */
export async function upsertUser(db: Db, params: { email: string; name?: string | null }) {
  const email = params.email.trim().toLowerCase();
  const [row] = await db
    .insert(users)
    .values({ email, name: params.name ?? null })
    .onConflictDoUpdate({ target: users.email, set: { name: sql`coalesce(excluded.name, ${users.name})` } })
    .returning({ id: users.id, email: users.email, name: users.name });
  return row!;
}

export async function findUserByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return row ?? null;
}

/** Roles of a user: global ones (serviceId null) and per service. */
export async function rolesOf(db: Db, userId: string) {
  return db
    .select({ role: userRoles.role, serviceId: userRoles.serviceId })
    .from(userRoles)
    .where(eq(userRoles.userId, userId));
}

export async function grantRole(
  db: Db,
  params: { userId: string; role: string; serviceId?: string | null; grantedBy?: string | null },
): Promise<boolean> {
  const rows = await db
    .insert(userRoles)
    .values({
      userId: params.userId,
      role: params.role,
      serviceId: params.serviceId ?? null,
      grantedBy: params.grantedBy ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: userRoles.id });
  return rows.length > 0;
}

export async function revokeRole(
  db: Db,
  params: { userId: string; role: string; serviceId?: string | null },
): Promise<boolean> {
  const scope = params.serviceId ? eq(userRoles.serviceId, params.serviceId) : isNull(userRoles.serviceId);
  const rows = await db
    .delete(userRoles)
    .where(and(eq(userRoles.userId, params.userId), eq(userRoles.role, params.role), scope))
    .returning({ id: userRoles.id });
  return rows.length > 0;
}

/** Whether anyone holds the global admin role. */
export async function adminExists(db: Db): Promise<boolean> {
  const rows = await db
    .select({ id: userRoles.id })
    .from(userRoles)
    .where(and(eq(userRoles.role, "admin"), isNull(userRoles.serviceId)))
    .limit(1);
  return rows.length > 0;
}

/** Ends every session of the user that began before `at`. */
export async function revokeSessions(db: Db, params: { userId: string; at: Date }): Promise<void> {
  await db.update(users).set({ sessionsRevokedAt: params.at }).where(eq(users.id, params.userId));
}
