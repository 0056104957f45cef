import { createHash, createHmac } from "node:crypto";
import {
  auditChainCheck,
  formatKeyedFrom,
  KEYED_ALG,
  keyRecordDue,
  keyRecordMessage,
  LEGACY_ALG,
  parseKeyedFrom,
  type AuditChainVerdict,
  type KeyedFrom,
} from "@rollgate/core/access/audit-chain";
import { log } from "@rollgate/log";
import { currentRequestId } from "@rollgate/log/context";
import { asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { canonicalJson } from "../canonical-json.ts";
import { readDbEnv } from "../env.ts";
import { auditEvents, auditKeyRecords } from "../schema/index.ts";

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
      alg: KEYED_ALG,
      prevHash,
      hash,
    })
    .returning({ seq: auditEvents.seq, hash: auditEvents.hash });
  await ensureKeyRecord(db);
  return row!;
}

/** ROLLGATE_AUDIT_KEYED_FROM: the operator's copy of the key record (`N:hash`), outside the database. */
export function pinnedKeyedFrom(env = readDbEnv()): KeyedFrom | null {
  return env.ROLLGATE_AUDIT_KEYED_FROM ? parseKeyedFrom(env.ROLLGATE_AUDIT_KEYED_FROM) : null;
}

export function keyRecordMac(from: KeyedFrom, key: Buffer = auditKey()): string {
  return createHmac("sha256", key).update(keyRecordMessage(from)).digest("hex");
}

/** The key record the database holds, and whether its MAC verifies under `key`. */
export async function readKeyRecord(
  db: Db,
  key: Buffer = auditKey(),
): Promise<(KeyedFrom & { mac: string; macValid: boolean }) | null> {
  const [row] = await db
    .select({ seq: auditKeyRecords.firstKeyedSeq, hash: auditKeyRecords.firstKeyedHash, mac: auditKeyRecords.mac })
    .from(auditKeyRecords)
    .limit(1);
  return row ? { ...row, macValid: keyRecordMac(row, key) === row.mac } : null;
}

/**
 * Writes the key record, once, in the transaction of the entry just appended: it names the
 * chain's first entry when that one is keyed (a chain keyed from the start, which it vouches
 * nothing unkeyed for), or the entry the operator pinned. An unkeyed prefix nobody pinned gets
 * no record: the server cannot tell a chain from before keyed hashing from a downgraded one.
 */
async function ensureKeyRecord(db: Db, key: Buffer = auditKey(), pinned = pinnedKeyedFrom()): Promise<void> {
  const [held] = await db.select({ id: auditKeyRecords.id }).from(auditKeyRecords).limit(1);
  if (held) return;
  const named = pinned ? eq(auditEvents.seq, pinned.seq) : undefined;
  const [first] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash, alg: auditEvents.alg })
    .from(auditEvents)
    .where(named)
    .orderBy(asc(auditEvents.seq))
    .limit(1);
  const from = keyRecordDue(first ?? null, pinned);
  if (!from) return;
  await db
    .insert(auditKeyRecords)
    .values({ firstKeyedSeq: from.seq, firstKeyedHash: from.hash, mac: keyRecordMac(from, key) })
    .onConflictDoNothing();
  log().info(
    { auditKeyedFrom: formatKeyedFrom(from) },
    "audit key record written: keyed hashing begins at this entry; keep a copy outside the database (ROLLGATE_AUDIT_KEYED_FROM)",
  );
}

/**
 * Writes the key record now if it is due (at start: a chain written before migration 0014 gets
 * its record without waiting for the next entry). Under the chain's lock, like an append.
 */
export async function sealKeyRecord(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`);
    await ensureKeyRecord(tx);
  });
}

/** The verdict: intact (with how many unkeyed entries precede keyed hashing), broken, or downgraded (core's rule). */
export type ChainVerdict = AuditChainVerdict;

/**
 * Recomputes the chain from the first entry, in pages, with the key, and lets core's rule judge
 * it against the key record (the database's copy, and the operator's pin when set).
 */
export async function verifyAuditChain(
  db: Db,
  pageSize = 5000,
  key: Buffer = auditKey(),
  pinned: KeyedFrom | null = pinnedKeyedFrom(),
): Promise<ChainVerdict> {
  const stored = await readKeyRecord(db, key);
  const verdict = await walkChain(db, pageSize, key, { stored, pinned });
  // The first keyed entry and its record commit together: one may have landed after the record was read.
  if (stored || verdict.intact || verdict.brokenAt !== null) return verdict;
  const again = await readKeyRecord(db, key);
  return again ? walkChain(db, pageSize, key, { stored: again, pinned }) : verdict;
}

async function walkChain(
  db: Db,
  pageSize: number,
  key: Buffer,
  anchors: Parameters<typeof auditChainCheck>[0],
): Promise<ChainVerdict> {
  const check = auditChainCheck(anchors);
  for (let afterSeq = 0; ;) {
    const page = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, afterSeq))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    if (page.length === 0) return check.finish();
    for (const row of page) {
      const { seq, prevHash, hash, alg, ...entry } = row;
      const expected = auditHash(
        prevHash,
        {
          ...entry,
          actorType: entry.actorType as AuditEntry["actorType"],
          data: entry.data as Record<string, unknown>,
        },
        alg === LEGACY_ALG ? null : key,
      );
      const verdict = check.add({ seq, alg, prevHash, hash, hashMatches: expected === hash });
      if (verdict) return verdict;
      afterSeq = seq;
    }
  }
}
