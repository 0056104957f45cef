import { eq, inArray } from "drizzle-orm";
import type { Db } from "../client.ts";
import { sloSourceSecrets } from "../schema/index.ts";

/** Stores (or replaces) an environment's SLO-source credential, already encrypted. */
export async function saveSloSourceSecret(
  db: Db,
  params: { environmentId: string; secretCiphertext: string; updatedBy: string; at: Date },
): Promise<void> {
  const { environmentId, secretCiphertext, updatedBy, at } = params;
  await db
    .insert(sloSourceSecrets)
    .values({ environmentId, secretCiphertext, updatedBy, updatedAt: at })
    .onConflictDoUpdate({
      target: sloSourceSecrets.environmentId,
      set: { secretCiphertext, updatedBy, updatedAt: at },
    });
}

/** Forgets an environment's SLO-source credential (its address changed); whether there was one. */
export async function deleteSloSourceSecret(db: Db, environmentId: string): Promise<boolean> {
  const removed = await db
    .delete(sloSourceSecrets)
    .where(eq(sloSourceSecrets.environmentId, environmentId))
    .returning({ id: sloSourceSecrets.environmentId });
  return removed.length > 0;
}

/** The encrypted credentials of some environments, by environment id. */
export async function loadSloSourceSecrets(db: Db, environmentIds: string[]): Promise<Map<string, string>> {
  if (environmentIds.length === 0) return new Map();
  const rows = await db
    .select({ id: sloSourceSecrets.environmentId, secret: sloSourceSecrets.secretCiphertext })
    .from(sloSourceSecrets)
    .where(inArray(sloSourceSecrets.environmentId, environmentIds));
  return new Map(rows.map((r) => [r.id, r.secret]));
}
