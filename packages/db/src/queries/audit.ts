import { createHash, createHmac } from "node:crypto";
import { currentRequestId } from "@rollgate/log/context";
import { asc, desc, gt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { canonicalJson } from "../canonical-json.ts";
import { readDbEnv } from "../env.ts";
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

/** `hmac-sha256` for every new entry. `sha256` (unkeyed) only for entries written before migration 0003. */
export type AuditAlg = "hmac-sha256" | "sha256";

/** The chain's key: ROLLGATE_AUDIT_KEY, else one derived from ROLLGATE_SECRET_KEY. Neither lives in the
 * database, so whoever owns the database can still not write an entry that verifies. */
export function auditKey(env = readDbEnv()): Buffer {
  return createHash("sha256")
    .update(`rollgate-audit-key:${env.ROLLGATE_AUDIT_KEY ?? env.ROLLGATE_SECRET_KEY}`)
    .digest();
}

export function auditHash(prevHash: string, entry: AuditEntry, key: Buffer | null = auditKey()): string {
  const body = canonicalJson({ ...entry, rolloutId: entry.rolloutId ?? null, data: entry.data ?? {} });
  const mac = key ? createHmac("sha256", key) : createHash("sha256");
  return mac.update(prevHash).update("\n").update(body).digest("hex");
}

/**
 * Appends one entry, chained to the previous one. Call inside the transaction of the change it records.
 * An entry written while a request is served records that request's id as `data.requestId`
 * (before hashing, so the chain covers it), which ties it to the request's log lines.
 */
export async function appendAudit(db: Db, given: AuditEntry): Promise<{ seq: number; hash: string }> {
  const requestId = currentRequestId();
  const entry =
    requestId && given.data?.requestId === undefined ? { ...given, data: { ...given.data, requestId } } : given;
  await db.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`);
  const [last] = await db.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  const prevHash = last?.hash ?? "";
  const hash = auditHash(prevHash, entry);
  const [row] = await db
    .insert(auditEvents)
    .values({
      ...entry,
      rolloutId: entry.rolloutId ?? null,
      data: entry.data ?? {},
      alg: "hmac-sha256",
      prevHash,
      hash,
    })
    .returning({ seq: auditEvents.seq, hash: auditEvents.hash });
  return row!;
}

/** The newest entry: evidence bundles carry it, so a later rewrite of the chain shows against the copy. */
export async function auditHead(db: Db): Promise<{ seq: number; hash: string } | null> {
  const [row] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row ?? null;
}

/** `legacy`: entries from before keyed hashing (migration 0003), which only a plain SHA-256 links:
 * they cannot prove that the database's owner did not rewrite them. */
export type ChainVerdict =
  | { intact: true; entries: number; legacy: number; head: string | null }
  | { intact: false; entries: number; brokenAt: number; reason: string };

/**
 * Recomputes the chain from the first entry, in pages, with the key; reports the first entry
 * that does not fit. Unkeyed entries are accepted only before the first keyed one, so nobody
 * can append (or rewrite) an entry after it without the key.
 */
export async function verifyAuditChain(db: Db, pageSize = 5000, key: Buffer = auditKey()): Promise<ChainVerdict> {
  let prevHash = "";
  let afterSeq = 0;
  let entries = 0;
  let keyed = false;
  let legacy = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, afterSeq))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    if (page.length === 0) return { intact: true, entries, legacy, head: prevHash || null };
    for (const row of page) {
      entries += 1;
      const { seq, prevHash: storedPrev, hash, alg, ...entry } = row;
      if (storedPrev !== prevHash)
        return { intact: false, entries, brokenAt: seq, reason: "it does not point to the entry before it" };
      if (alg === "sha256" && keyed)
        return { intact: false, entries, brokenAt: seq, reason: "it is unkeyed but follows keyed entries" };
      keyed ||= alg === "hmac-sha256";
      if (!keyed) legacy += 1;
      const expected = auditHash(
        prevHash,
        {
          ...entry,
          actorType: entry.actorType as AuditEntry["actorType"],
          data: entry.data as Record<string, unknown>,
        },
        alg === "sha256" ? null : key,
      );
      if (expected !== hash)
        return { intact: false, entries, brokenAt: seq, reason: "its content does not match its keyed hash" };
      prevHash = hash;
      afterSeq = seq;
    }
  }
}
