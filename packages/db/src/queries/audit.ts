import { createHash } from "node:crypto";
import { asc, desc, gt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { canonicalJson } from "../canonical-json.ts";
import { auditEvents } from "../schema/index.ts";

export interface AuditEntry {
  at: Date;
  actorType: "user" | "token" | "system";
  actorId: string;
  action: string;
  subjectType: string;
  subjectId: string;
  rolloutId?: string | null;
  data?: Record<string, unknown>;
}

/** Every appender takes this lock for the rest of its transaction, so the chain has no forks. */
const AUDIT_CHAIN_LOCK_KEY = 7_263_114_530_002;

export function auditHash(prevHash: string, entry: AuditEntry): string {
  const body = canonicalJson({ ...entry, rolloutId: entry.rolloutId ?? null, data: entry.data ?? {} });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/** Appends one entry, chained to the previous one. Call inside the transaction of the change it records. */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<{ seq: number; hash: string }> {
  await db.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`);
  const [last] = await db.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  const prevHash = last?.hash ?? "";
  const hash = auditHash(prevHash, entry);
  const [row] = await db
    .insert(auditEvents)
    .values({ ...entry, rolloutId: entry.rolloutId ?? null, data: entry.data ?? {}, prevHash, hash })
    .returning({ seq: auditEvents.seq, hash: auditEvents.hash });
  return row!;
}

export type ChainVerdict = { intact: true; entries: number } | { intact: false; entries: number; brokenAt: number; reason: string };

/** Recomputes the chain from the first entry, in pages; reports the first entry that does not fit. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<ChainVerdict> {
  let prevHash = "";
  let afterSeq = 0;
  let entries = 0;
  for (;;) {
    const page = await db.select().from(auditEvents).where(gt(auditEvents.seq, afterSeq)).orderBy(asc(auditEvents.seq)).limit(pageSize);
    if (page.length === 0) return { intact: true, entries };
    for (const row of page) {
      entries += 1;
      const { seq, prevHash: storedPrev, hash, ...entry } = row;
      if (storedPrev !== prevHash) return { intact: false, entries, brokenAt: seq, reason: "it does not point to the entry before it" };
      const expected = auditHash(prevHash, { ...entry, actorType: entry.actorType as AuditEntry["actorType"], data: entry.data as Record<string, unknown> });
      if (expected !== hash) return { intact: false, entries, brokenAt: seq, reason: "its content does not match its hash" };
      prevHash = hash;
      afterSeq = seq;
    }
  }
}
