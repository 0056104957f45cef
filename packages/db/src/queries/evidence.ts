import { asc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { auditEvents, leases, rolloutEvents } from "../schema/index.ts";
import { migrationHistory } from "./timeline.ts";

/** The record of one rollout, in order (events as received): events, migration runs, leases and its audit entries with their hashes. */
export async function loadEvidence(db: Db, rolloutId: string) {
  const [events, runs, leaseRows, audit] = await Promise.all([
    db
      .select()
      .from(rolloutEvents)
      .where(eq(rolloutEvents.rolloutId, rolloutId))
      .orderBy(asc(rolloutEvents.receivedAt), asc(rolloutEvents.id)),
    migrationHistory(db, rolloutId),
    db.select().from(leases).where(eq(leases.rolloutId, rolloutId)).orderBy(asc(leases.acquiredAt)),
    db.select().from(auditEvents).where(eq(auditEvents.rolloutId, rolloutId)).orderBy(asc(auditEvents.seq)),
  ]);
  return { events, runs, leases: leaseRows, audit };
}
