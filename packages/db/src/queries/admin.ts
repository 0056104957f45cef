import { asc, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../client.ts";
import { apiTokens, auditEvents, environments, services, userRoles, users } from "../schema/index.ts";

export async function listUsersWithRoles(db: Db) {
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: userRoles.role, serviceSlug: services.slug })
    .from(users)
    .leftJoin(userRoles, eq(userRoles.userId, users.id))
    .leftJoin(services, eq(services.id, userRoles.serviceId))
    .orderBy(asc(users.email));
  const byId = new Map<
    string,
    { id: string; email: string; name: string | null; roles: Array<{ role: string; service: string | null }> }
  >();
  for (const r of rows) {
    const user = byId.get(r.id) ?? { id: r.id, email: r.email, name: r.name, roles: [] };
    if (r.role) user.roles.push({ role: r.role, service: r.serviceSlug });
    byId.set(r.id, user);
  }
  return [...byId.values()];
}

export async function listServices(db: Db) {
  return db
    .select({ id: services.id, slug: services.slug, name: services.name })
    .from(services)
    .orderBy(asc(services.slug));
}

export async function listEnvironmentsWithPolicy(db: Db) {
  return db
    .select({
      id: environments.id,
      name: environments.name,
      position: environments.position,
      productionLike: environments.productionLike,
      policy: environments.policy,
      serviceSlug: services.slug,
    })
    .from(environments)
    .innerJoin(services, eq(services.id, environments.serviceId))
    .orderBy(asc(services.slug), asc(environments.position));
}

/** Replaces an environment's policy; the policy it had before, for what the change implies (a moved SLO source). */
export async function updatePolicy(db: Db, environmentId: string, policy: unknown, at: Date) {
  const [before] = await db
    .select({ policy: environments.policy })
    .from(environments)
    .where(eq(environments.id, environmentId))
    .for("update");
  if (!before) return null;
  const [row] = await db
    .update(environments)
    .set({ policy, updatedAt: at })
    .where(eq(environments.id, environmentId))
    .returning({ id: environments.id, name: environments.name });
  return row ? { ...row, previousPolicy: before.policy } : null;
}

/** Sets whether an environment is production-like; null when there is no such environment. */
export async function setProductionLike(db: Db, environmentId: string, productionLike: boolean, at: Date) {
  const [row] = await db
    .update(environments)
    .set({ productionLike, updatedAt: at })
    .where(eq(environments.id, environmentId))
    .returning({ id: environments.id, name: environments.name, productionLike: environments.productionLike });
  return row ?? null;
}

export async function listApiTokens(db: Db) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      tokenPrefix: apiTokens.tokenPrefix,
      serviceSlug: services.slug,
      environments: apiTokens.environments,
      scopes: apiTokens.scopes,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .innerJoin(services, eq(services.id, apiTokens.serviceId))
    .orderBy(desc(apiTokens.createdAt));
}

/** A page of the audit trail, newest first, by keyset on its sequence number. */
export async function auditEntriesPage(db: Db, options: { beforeSeq?: number | null; limit: number }) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(options.beforeSeq ? lt(auditEvents.seq, options.beforeSeq) : undefined)
    .orderBy(desc(auditEvents.seq))
    .limit(options.limit + 1);
  const entries = rows.slice(0, options.limit);
  return { entries, nextBeforeSeq: rows.length > options.limit ? (entries.at(-1)?.seq ?? null) : null };
}
