import { randomUUID } from "node:crypto";
import { inArray, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { runInRequest } from "@rollgate/log/context";
import { openDatabase } from "../src/client.ts";
import { grantAppRole, migrateDatabase } from "../src/migrate.ts";
import { appendAudit, auditHash, readKeyRecord, sealKeyRecord, verifyAuditChain } from "../src/queries/audit.ts";
import { auditEvents } from "../src/schema/index.ts";
import { emptyPostgresDatabase, testDatabase } from "./harness.ts";

const handle = await testDatabase();
const { db } = handle;
const entry = (action: string) => ({
  at: new Date(),
  actorType: "system" as const,
  actorId: "test",
  action,
  subjectType: "test",
  subjectId: randomUUID(),
  data: { note: "ünïcode", n: 1 },
});

describe("audit chain", () => {
  it("links every entry to the one before it and verifies as intact", async () => {
    const first = await appendAudit(db, entry("test.first"));
    const second = await appendAudit(db, entry("test.second"));
    expect(second.seq).toBeGreaterThan(first.seq);
    const verdict = await verifyAuditChain(db);
    expect(verdict).toMatchObject({ intact: true });
  });

  it("records the id of the request it was written in, inside the hashed data, and none outside a request", async () => {
    const requestId = `req-${randomUUID()}`;
    const inside = await runInRequest({ requestId }, () =>
      db.transaction((tx) => appendAudit(tx, entry("test.in-request"))),
    );
    const outside = await appendAudit(db, entry("test.no-request"));
    const data = (await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(inArray(auditEvents.seq, [inside.seq, outside.seq]))
      .orderBy(auditEvents.seq)) as { data: Record<string, unknown> }[];
    expect(data.map((r) => r.data.requestId)).toEqual([requestId, undefined]);
    expect(data[0]!.data).toMatchObject({ note: "ünïcode", n: 1 });
    expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
  });

  it("keeps one chain when many writers append at once", async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => db.transaction((tx) => appendAudit(tx, entry(`test.concurrent.${i}`)))),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
  });

  it("reports the first entry whose content was altered behind the trigger's back", async () => {
    const target = await appendAudit(db, entry("test.tampered"));
    await appendAudit(db, entry("test.after"));
    // Only a superuser who disables the trigger can do this; the chain still tells.
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
        await tx.execute(sql`update audit_events set action = 'test.forged' where seq = ${target.seq}`);
        const verdict = await verifyAuditChain(tx);
        expect(verdict).toMatchObject({ intact: false, brokenAt: target.seq });
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && /rollback/i.test(error.message))) throw error;
      });
    expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
  });

  it("finding 10: an owner who edits an entry and recomputes a plain SHA-256 chain is caught without trusting the database", async () => {
    const target = await appendAudit(db, entry("test.rewritten"));
    await appendAudit(db, entry("test.after-rewrite"));
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
        // Rewrite the entry and re-link everything after it, as the table's owner could.
        const rows = (await tx.execute(
          sql`select seq, at, actor_type, actor_id, action, subject_type, subject_id, rollout_id, data, prev_hash from audit_events where seq >= ${target.seq} order by seq`,
        )) as unknown;
        const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<
          Record<string, unknown>
        >;
        let prev = String(list[0]!.prev_hash);
        for (const r of list) {
          const forged = {
            at: new Date(String(r.at)),
            actorType: r.actor_type as "system",
            actorId: String(r.actor_id),
            action: r.seq === target.seq ? "test.forged" : String(r.action),
            subjectType: String(r.subject_type),
            subjectId: String(r.subject_id),
            rolloutId: (r.rollout_id as string | null) ?? null,
            data: (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
          };
          const hash = auditHash(prev, forged, null);
          await tx.execute(
            sql`update audit_events set action = ${forged.action}, prev_hash = ${prev}, hash = ${hash} where seq = ${r.seq as number}`,
          );
          prev = hash;
        }
        expect(await verifyAuditChain(tx)).toMatchObject({ intact: false, brokenAt: target.seq });
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && /rollback/i.test(error.message))) throw error;
      });
    const verdict = await verifyAuditChain(db);
    expect(verdict).toMatchObject({ intact: true });
  });

  it("finding 6: an owner who rewrites every entry with plain SHA-256 (a downgrade) is caught, not read as legacy", async () => {
    const target = await appendAudit(db, entry("test.downgraded"));
    await appendAudit(db, entry("test.after-downgrade"));
    await asOwnerThenUndo(async (tx) => {
      await downgradeChain(tx, 0, target.seq);
      expect(await verifyAuditChain(tx)).toMatchObject({ intact: false, state: "downgraded" });
    });
    expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
  });

  it("finding 6: removing the key record as well does not make the downgraded chain read as legacy", async () => {
    await appendAudit(db, entry("test.downgraded-no-record"));
    await asOwnerThenUndo(async (tx) => {
      await tx.execute(sql`alter table audit_key_records disable trigger user`);
      await tx.execute(sql`delete from audit_key_records`);
      await downgradeChain(tx, 0, null);
      expect(await verifyAuditChain(tx)).toMatchObject({ intact: false, state: "downgraded" });
    });
  });

  it("finding 6: the key record removed from the database while keyed entries exist breaks the chain", async () => {
    await appendAudit(db, entry("test.record-removed"));
    await asOwnerThenUndo(async (tx) => {
      await tx.execute(sql`alter table audit_key_records disable trigger user`);
      await tx.execute(sql`delete from audit_key_records`);
      expect(await verifyAuditChain(tx)).toMatchObject({ intact: false, state: "broken" });
    });
    expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
  });

  it("finding 6: unkeyed entries from before keyed hashing verify only once the operator pins where keyed hashing began", async () => {
    const fresh = await freshDatabase();
    try {
      // As the server wrote them before migration 0003: plain SHA-256, no key.
      let prevHash = "";
      for (const action of ["test.legacy.1", "test.legacy.2"]) {
        const e = { ...entry(action), rolloutId: null };
        const hash = auditHash(prevHash, e, null);
        await fresh.db.insert(auditEvents).values({ ...e, alg: "sha256", prevHash, hash });
        prevHash = hash;
      }
      const first = await appendAudit(fresh.db, entry("test.first-keyed"));
      // Nothing outside the database says these two predate keyed hashing, so no record vouches for them.
      expect(await readKeyRecord(fresh.db)).toBeNull();
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ intact: false, state: "downgraded" });
      vi.stubEnv("ROLLGATE_AUDIT_KEYED_FROM", `${first.seq}:${first.hash}`);
      await appendAudit(fresh.db, entry("test.after-pin"));
      expect(await readKeyRecord(fresh.db)).toMatchObject({ seq: first.seq, hash: first.hash, macValid: true });
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ intact: true, legacy: 2, entries: 4 });
    } finally {
      vi.unstubAllEnvs();
      await fresh.close();
    }
  });

  it("finding 6: new entries default to the keyed algorithm, and the key record is written with the first one", async () => {
    const fresh = await freshDatabase();
    try {
      const first = await appendAudit(fresh.db, entry("test.first"));
      expect(await readKeyRecord(fresh.db)).toMatchObject({ seq: first.seq, hash: first.hash, macValid: true });
      const rows = (await fresh.db.execute(
        sql`select column_default from information_schema.columns where table_name = 'audit_events' and column_name = 'alg'`,
      )) as unknown;
      const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<{
        column_default: string;
      }>;
      expect(list[0]!.column_default).toMatch(/hmac-sha256/);
    } finally {
      await fresh.close();
    }
  });

  it("finding 6: a keyed chain without a record (written before migration 0014) gets it at start; a downgraded one never does", async () => {
    const fresh = await freshDatabase();
    const removeRecord = async () => {
      await fresh.db.execute(sql`alter table audit_key_records disable trigger user`);
      await fresh.db.execute(sql`delete from audit_key_records`);
      await fresh.db.execute(sql`alter table audit_key_records enable trigger user`);
    };
    try {
      await appendAudit(fresh.db, entry("test.before-0014"));
      await removeRecord();
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ intact: false, state: "broken" });
      await sealKeyRecord(fresh.db);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ intact: true });
      // The owner downgrades the whole chain and removes the record: the server never vouches for it.
      await fresh.db.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
      await downgradeChain(fresh.db, 0, null);
      await removeRecord();
      await sealKeyRecord(fresh.db);
      await appendAudit(fresh.db, entry("test.after-downgrade"));
      expect(await readKeyRecord(fresh.db)).toBeNull();
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ intact: false, state: "downgraded" });
    } finally {
      await fresh.close();
    }
  });

  it.runIf(handle.kind === "postgres")(
    "finding 10: the app's role may insert and read audit entries but not change, delete or unprotect them (PostgreSQL only: PGlite has one user)",
    async () => {
      const role = `rollgate_app_${randomUUID().slice(0, 8)}`;
      const { default: postgres } = await import("postgres");
      const owner = postgres(handle.url!, { max: 1, onnotice: () => {} });
      try {
        await owner.unsafe(`create role ${role}`);
        await grantAppRole(owner, role);
        // Each statement runs as the app and is rolled back: the probe entry must not stay in a
        // shared database's chain, where it would break every later verification.
        const undone = Symbol("undone");
        const asApp = async (statement: string) =>
          owner
            .begin(async (tx) => {
              await tx.unsafe(`set local role ${role}`);
              await tx.unsafe(statement);
              throw undone;
            })
            .catch((error: unknown) => {
              if (error !== undone) throw error;
            });
        await asApp(
          `insert into audit_events (at, actor_type, actor_id, action, subject_type, subject_id, data, prev_hash, hash) values (now(), 'system', 't', 'test.app-role', 't', 't', '{}', 'x', '${randomUUID()}')`,
        ).catch(() => {
          throw new Error("the app role could not insert an audit entry");
        });
        for (const statement of [
          "update audit_events set action = 'x'",
          "delete from audit_events",
          "truncate audit_events",
          "alter table audit_events disable trigger audit_events_no_update_delete",
          "drop trigger audit_events_no_update_delete on audit_events",
          "update audit_key_records set mac = 'x'",
          "delete from audit_key_records",
          "truncate audit_key_records",
          "alter table audit_key_records disable trigger user",
        ])
          await expect(asApp(statement), statement).rejects.toThrow(/permission denied|must be owner/);
      } finally {
        await owner.unsafe(`drop owned by ${role}`).catch(() => {});
        await owner.unsafe(`drop role if exists ${role}`).catch(() => {});
        await owner.end();
      }
    },
  );
});

/** Runs `attack` in a transaction that holds the chain's lock (as the table's owner could), then rolls it back. */
async function asOwnerThenUndo(attack: (tx: typeof db) => Promise<void>): Promise<void> {
  await db
    .transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(7263114530002)`);
      await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
      await attack(tx);
      tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Error && /rollback/i.test(error.message))) throw error;
    });
}

/** Rewrites every entry after `afterSeq` with plain SHA-256 (`alg = sha256`), editing entry `editSeq`, and re-links them. */
async function downgradeChain(tx: typeof db, afterSeq: number, editSeq: number | null): Promise<void> {
  const rows = (await tx.execute(
    sql`select seq, at, actor_type, actor_id, action, subject_type, subject_id, rollout_id, data, prev_hash from audit_events where seq > ${afterSeq} order by seq`,
  )) as unknown;
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
  let prev = String(list[0]!.prev_hash);
  for (const r of list) {
    const forged = {
      at: new Date(String(r.at)),
      actorType: r.actor_type as "system",
      actorId: String(r.actor_id),
      action: Number(r.seq) === editSeq ? "test.forged" : String(r.action),
      subjectType: String(r.subject_type),
      subjectId: String(r.subject_id),
      rolloutId: (r.rollout_id as string | null) ?? null,
      data: (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
    };
    const hash = auditHash(prev, forged, null);
    await tx.execute(
      sql`update audit_events set action = ${forged.action}, alg = 'sha256', prev_hash = ${prev}, hash = ${hash} where seq = ${Number(r.seq)}`,
    );
    prev = hash;
  }
}

/** A migrated database of its own, for a chain that must start empty. */
async function freshDatabase(): Promise<{ db: typeof db; close(): Promise<void> }> {
  const empty = handle.kind === "postgres" ? await emptyPostgresDatabase() : null;
  const own = await openDatabase(empty ? { url: empty.url, max: 2 } : { dataDir: "memory://" });
  await migrateDatabase(own);
  return {
    db: own.db,
    async close() {
      await own.close();
      await empty?.drop();
    },
  };
}
