import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { appendAudit, verifyAuditChain } from "../src/queries/audit.ts";
import { testDatabase } from "./harness.ts";

const { db } = await testDatabase();
const entry = (action: string) => ({ at: new Date(), actorType: "system" as const, actorId: "test", action, subjectType: "test", subjectId: randomUUID(), data: { note: "ünïcode", n: 1 } });

describe("audit chain", () => {
  it("links every entry to the one before it and verifies as intact", async () => {
    const first = await appendAudit(db, entry("test.first"));
    const second = await appendAudit(db, entry("test.second"));
    expect(second.seq).toBeGreaterThan(first.seq);
    const verdict = await verifyAuditChain(db);
    expect(verdict).toMatchObject({ intact: true });
  });

  it("keeps one chain when many writers append at once", async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => db.transaction((tx) => appendAudit(tx, entry(`test.concurrent.${i}`)))));
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
});
