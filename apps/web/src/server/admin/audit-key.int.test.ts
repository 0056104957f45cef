import { randomUUID } from "node:crypto";
import { openDatabase } from "@rollgate/db/client";
import { migrateDatabase } from "@rollgate/db/migrate";
import { appendAudit } from "@rollgate/db/queries/audit";
import { captureLogs } from "@rollgate/log/testing/capture";
import { afterAll, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
// The development key: ROLLGATE_SECRET_KEY and ROLLGATE_AUDIT_KEY unset.
vi.stubEnv("ROLLGATE_SECRET_KEY", "");
vi.stubEnv("ROLLGATE_AUDIT_KEY", "");
const { auditKeyWarningNow, logAuditKeyRecord, logAuditKeyWarning } = await import("./audit-key");

// Its own database: the key record names the first entry of this chain.
const handle = await openDatabase(
  process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 1 } : { dataDir: "memory://" },
);
await migrateDatabase(handle);
afterAll(() => handle.close());

describe("audit key at start", () => {
  it("finding 6: with the development key, the start-up log says the audit key is public", () => {
    const logs = captureLogs("info");
    try {
      logAuditKeyWarning();
      expect(logs.records()).toEqual([
        expect.objectContaining({
          level: "warn",
          auditKey: "public",
          msg: expect.stringMatching(/audit key is public/),
        }),
      ]);
    } finally {
      logs.restore();
    }
    // /admin/audit shows the same warning (getAuditView's keyWarning).
    expect(auditKeyWarningNow()?.message).toMatch(/audit key is public/);
  });

  it("finding 6: every start logs the key record, a copy the database's owner cannot change", async () => {
    await appendAudit(handle.db, {
      at: new Date(),
      actorType: "system",
      actorId: "test",
      action: "test.start",
      subjectType: "test",
      subjectId: randomUUID(),
    });
    const logs = captureLogs("info");
    try {
      await logAuditKeyRecord(handle.db);
      expect(logs.records()).toEqual([
        expect.objectContaining({ level: "info", auditKeyedFrom: expect.stringMatching(/^\d+:[0-9a-f]{64}$/) }),
      ]);
    } finally {
      logs.restore();
    }
  });
});
