import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../client.ts";
import { environments, overrides, releases, rollouts, services, users } from "../schema/index.ts";

export async function createOverride(db: Db, params: { rolloutId: string; actorId: string; role: string; justification: string; checks: string[]; at: Date; expiresAt: Date }) {
  const [row] = await db
    .insert(overrides)
    .values({ rolloutId: params.rolloutId, actorId: params.actorId, role: params.role, justification: params.justification, checks: params.checks, createdAt: params.at, expiresAt: params.expiresAt })
    .returning({ id: overrides.id });
  return row!;
}

const reviewer = alias(users, "reviewer");

export async function listOverrides(db: Db, rolloutId: string) {
  return db
    .select({ id: overrides.id, actorId: overrides.actorId, actorEmail: users.email, role: overrides.role, justification: overrides.justification, checks: overrides.checks, createdAt: overrides.createdAt, expiresAt: overrides.expiresAt, reviewedAt: overrides.reviewedAt, reviewerEmail: reviewer.email, reviewNote: overrides.reviewNote })
    .from(overrides)
    .innerJoin(users, eq(users.id, overrides.actorId))
    .leftJoin(reviewer, eq(reviewer.id, overrides.reviewedBy))
    .where(eq(overrides.rolloutId, rolloutId))
    .orderBy(asc(overrides.createdAt));
}

/** Break-glass overrides nobody has reviewed yet, newest first, with where they happened. */
export async function listUnreviewedOverrides(db: Db) {
  return db
    .select({ id: overrides.id, actorEmail: users.email, justification: overrides.justification, checks: overrides.checks, createdAt: overrides.createdAt, service: services.slug, environment: environments.name, release: releases.key })
    .from(overrides)
    .innerJoin(users, eq(users.id, overrides.actorId))
    .innerJoin(rollouts, eq(rollouts.id, overrides.rolloutId))
    .innerJoin(releases, eq(releases.id, rollouts.releaseId))
    .innerJoin(environments, eq(environments.id, rollouts.environmentId))
    .innerJoin(services, eq(services.id, environments.serviceId))
    .where(isNull(overrides.reviewedAt))
    .orderBy(desc(overrides.createdAt));
}

export async function findOverride(db: Db, id: string) {
  const [row] = await db.select().from(overrides).where(eq(overrides.id, id)).limit(1).for("update");
  return row ?? null;
}

export async function reviewOverride(db: Db, params: { id: string; reviewerId: string; note: string; at: Date }): Promise<boolean> {
  const rows = await db
    .update(overrides)
    .set({ reviewedBy: params.reviewerId, reviewedAt: params.at, reviewNote: params.note })
    .where(and(eq(overrides.id, params.id), isNull(overrides.reviewedAt)))
    .returning({ id: overrides.id });
  return rows.length > 0;
}
