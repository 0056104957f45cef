import { and, eq, gt, isNull, lte } from "drizzle-orm";
import type { Db } from "../client.ts";
import { leases } from "../schema/index.ts";

/** Marks leases past their expiry as released. Call with the rollout row locked. */
export async function expireLeases(db: Db, rolloutId: string, now: Date): Promise<void> {
  await db
    .update(leases)
    .set({ releasedAt: now, outcome: "expired" })
    .where(and(eq(leases.rolloutId, rolloutId), isNull(leases.releasedAt), lte(leases.expiresAt, now)));
}

export async function activeLease(db: Db, rolloutId: string, now: Date) {
  const [row] = await db
    .select({
      id: leases.id,
      kind: leases.kind,
      holder: leases.holder,
      expiresAt: leases.expiresAt,
      tokenId: leases.tokenId,
      checksum: leases.checksum,
    })
    .from(leases)
    .where(and(eq(leases.rolloutId, rolloutId), isNull(leases.releasedAt), gt(leases.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

/** A lease for exactly one script (`checksum`), to be used only by the token that took it. */
export async function grantLease(
  db: Db,
  params: {
    rolloutId: string;
    tokenId: string | null;
    holder: string;
    now: Date;
    ttlSeconds: number;
    kind: "gate" | "recovery";
    checksum: string;
  },
) {
  const [row] = await db
    .insert(leases)
    .values({
      rolloutId: params.rolloutId,
      tokenId: params.tokenId,
      holder: params.holder,
      kind: params.kind,
      checksum: params.checksum,
      acquiredAt: params.now,
      expiresAt: new Date(params.now.getTime() + params.ttlSeconds * 1000),
    })
    .returning({ id: leases.id, expiresAt: leases.expiresAt });
  return row!;
}

/** Ends the rollout's live lease with `outcome`: its contract's result, or `void: …` (its script changed, or it was misused). */
export async function endLeases(db: Db, rolloutId: string, now: Date, outcome: string): Promise<number> {
  const rows = await db
    .update(leases)
    .set({ releasedAt: now, outcome })
    .where(and(eq(leases.rolloutId, rolloutId), isNull(leases.releasedAt)))
    .returning({ id: leases.id });
  return rows.length;
}
