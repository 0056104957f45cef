import { rolloutAuthor } from "@rollgate/core/access/release-binding";
import { and, asc, desc, eq, gt, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../client.ts";
import { environments, overrides, releases, rollouts, services, users } from "../schema/index.ts";

export interface RecoveryFix {
  phase: "expand" | "contract";
  name: string;
  sql: string;
  checksum: string;
}

/** A break-glass override of chosen checks, or (with `fix`) the authorisation of one recovery run. */
export async function createOverride(
  db: Db,
  params: {
    rolloutId: string;
    actorId: string;
    role: string;
    justification: string;
    checks: string[];
    at: Date;
    expiresAt: Date;
    confirmed: boolean;
    fix?: RecoveryFix;
  },
) {
  const fix = params.fix;
  const [row] = await db
    .insert(overrides)
    .values({
      rolloutId: params.rolloutId,
      actorId: params.actorId,
      role: params.role,
      justification: params.justification,
      checks: params.checks,
      createdAt: params.at,
      expiresAt: params.expiresAt,
      kind: fix ? "recovery" : "break_glass",
      confirmedAt: params.confirmed ? params.at : null,
      ...(fix ? { phase: fix.phase, fixName: fix.name, fixSql: fix.sql, fixChecksum: fix.checksum } : {}),
    })
    .returning({ id: overrides.id });
  return row!;
}

const reviewer = alias(users, "reviewer");
const confirmer = alias(users, "confirmer");

export async function listOverrides(db: Db, rolloutId: string) {
  return db
    .select({
      id: overrides.id,
      kind: overrides.kind,
      actorId: overrides.actorId,
      actorEmail: users.email,
      role: overrides.role,
      justification: overrides.justification,
      checks: overrides.checks,
      createdAt: overrides.createdAt,
      expiresAt: overrides.expiresAt,
      confirmedAt: overrides.confirmedAt,
      confirmerEmail: confirmer.email,
      fixName: overrides.fixName,
      fixChecksum: overrides.fixChecksum,
      reviewedAt: overrides.reviewedAt,
      reviewerEmail: reviewer.email,
      reviewNote: overrides.reviewNote,
    })
    .from(overrides)
    .innerJoin(users, eq(users.id, overrides.actorId))
    .leftJoin(reviewer, eq(reviewer.id, overrides.reviewedBy))
    .leftJoin(confirmer, eq(confirmer.id, overrides.confirmedBy))
    .where(eq(overrides.rolloutId, rolloutId))
    .orderBy(asc(overrides.createdAt));
}

/** Break-glass overrides nobody has reviewed yet, newest first, with where they happened. */
export async function listUnreviewedOverrides(db: Db) {
  return db
    .select({
      id: overrides.id,
      actorEmail: users.email,
      justification: overrides.justification,
      checks: overrides.checks,
      createdAt: overrides.createdAt,
      service: services.slug,
      environment: environments.name,
      release: releases.key,
    })
    .from(overrides)
    .innerJoin(users, eq(users.id, overrides.actorId))
    .innerJoin(rollouts, eq(rollouts.id, overrides.rolloutId))
    .innerJoin(releases, eq(releases.id, rollouts.releaseId))
    .innerJoin(environments, eq(environments.id, rollouts.environmentId))
    .innerJoin(services, eq(services.id, environments.serviceId))
    .where(isNull(overrides.reviewedAt))
    .orderBy(desc(overrides.createdAt));
}

/** One override with the service it belongs to, locked for the rest of the transaction. */
export async function findOverride(db: Db, id: string) {
  const [row] = await db
    .select({
      override: overrides,
      serviceId: environments.serviceId,
      releaseAuthor: releases.author,
      rollout: { provisional: rollouts.provisional, author: rollouts.author },
    })
    .from(overrides)
    .innerJoin(rollouts, eq(rollouts.id, overrides.rolloutId))
    .innerJoin(releases, eq(releases.id, rollouts.releaseId))
    .innerJoin(environments, eq(environments.id, rollouts.environmentId))
    .where(eq(overrides.id, id))
    .limit(1)
    .for("update", { of: overrides });
  // The author that counts in this rollout's environment (null while provisional: could be anyone).
  return row
    ? { ...row.override, serviceId: row.serviceId, author: rolloutAuthor(row.rollout, row.releaseAuthor) }
    : null;
}

export async function confirmOverride(db: Db, params: { id: string; confirmerId: string; at: Date }): Promise<boolean> {
  const rows = await db
    .update(overrides)
    .set({ confirmedBy: params.confirmerId, confirmedAt: params.at })
    .where(and(eq(overrides.id, params.id), isNull(overrides.confirmedAt)))
    .returning({ id: overrides.id });
  return rows.length > 0;
}

/** The newest confirmed, unexpired recovery authorisation of a rollout, if any. */
export async function liveRecovery(db: Db, rolloutId: string, now: Date) {
  const [row] = await db
    .select({
      id: overrides.id,
      phase: overrides.phase,
      fixName: overrides.fixName,
      fixSql: overrides.fixSql,
      fixChecksum: overrides.fixChecksum,
      confirmedAt: overrides.confirmedAt,
      expiresAt: overrides.expiresAt,
    })
    .from(overrides)
    .where(and(eq(overrides.rolloutId, rolloutId), eq(overrides.kind, "recovery"), gt(overrides.expiresAt, now)))
    .orderBy(desc(overrides.createdAt))
    .limit(1);
  return row ?? null;
}

export async function reviewOverride(
  db: Db,
  params: { id: string; reviewerId: string; note: string; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(overrides)
    .set({ reviewedBy: params.reviewerId, reviewedAt: params.at, reviewNote: params.note })
    .where(and(eq(overrides.id, params.id), isNull(overrides.reviewedAt)))
    .returning({ id: overrides.id });
  return rows.length > 0;
}
