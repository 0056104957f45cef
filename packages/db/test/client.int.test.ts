import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, rowsOf } from "../src/client.ts";
import { services } from "../src/schema/index.ts";
import { target, testDatabase } from "./harness.ts";

// On PostgreSQL every statement is prepared (one Bind/Execute per use instead of asking for its
// parameter types first), in transactions too. PGlite runs in the process: nothing to save there.
describe.skipIf(target !== "postgres")("the PostgreSQL client", () => {
  it("prepares every statement, inside a transaction too", async () => {
    await testDatabase(); // migrated
    const handle = await openDatabase({ url: process.env.DATABASE_URL!, max: 1 });
    try {
      await handle.db.select({ id: services.id }).from(services).where(eq(services.slug, "no-such-service"));
      await handle.db.transaction((tx) =>
        tx.select({ id: services.id }).from(services).where(eq(services.name, "no-such-name")),
      );
      const prepared = rowsOf<{ statement: string }>(
        await handle.db.execute(sql`select statement from pg_prepared_statements`),
      ).map((r) => r.statement);
      expect(prepared.some((s) => s.includes('"slug" = $1'))).toBe(true);
      expect(prepared.some((s) => s.includes('"name" = $1'))).toBe(true);
    } finally {
      await handle.close();
    }
  });
});
