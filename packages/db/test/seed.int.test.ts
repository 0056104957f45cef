import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";
import { migrateDatabase } from "../src/migrate.ts";
import { listOverview } from "../src/queries/overview.ts";
import { verifyAuditChain } from "../src/queries/audit.ts";
import { releases, rollouts, sloSnapshots } from "../src/schema/index.ts";
import { seedDemo } from "../src/seed/index.ts";
import { emptyPostgresDatabase, target } from "./harness.ts";

describe("demo seed", () => {
  it("builds a believable world with a release in every interesting phase", async () => {
    const empty = target === "postgres" ? await emptyPostgresDatabase() : null;
    const handle = await openDatabase(empty ? { url: empty.url, max: 2 } : { dataDir: "memory://" });
    try {
      await migrateDatabase(handle);
      const now = new Date("2026-11-24T12:00:00Z");
      const result = await seedDemo(handle.db, now);
      expect(result).toMatchObject({ seeded: true, services: 3 });

      const states = await handle.db
        .select({ key: releases.key, state: rollouts.state, windowStartedAt: rollouts.windowStartedAt })
        .from(rollouts)
        .innerJoin(releases, eq(releases.id, rollouts.releaseId));
      expect(new Set(states.map((s) => s.state))).toEqual(
        new Set(["contracted", "verifying", "expand_failed", "rolled_back"]),
      );
      // One production rollout is inside its 72 h window with hours left.
      const open = states.filter(
        (s) =>
          s.state === "verifying" && s.windowStartedAt && now.getTime() - s.windowStartedAt.getTime() < 72 * 3_600_000,
      );
      expect(open.length).toBeGreaterThan(0);

      const [snapshots] = await handle.db.select({ n: count() }).from(sloSnapshots);
      expect(snapshots!.n).toBeGreaterThan(1000);
      expect(await verifyAuditChain(handle.db)).toMatchObject({ intact: true });

      const overview = await listOverview(handle.db);
      expect(overview.filter((row) => row.latest !== null).length).toBeGreaterThanOrEqual(5);

      // A second run with ifEmpty changes nothing.
      expect(await seedDemo(handle.db, now, { ifEmpty: true })).toMatchObject({ seeded: false });
    } finally {
      await handle.close();
      await empty?.drop();
    }
  });
});
