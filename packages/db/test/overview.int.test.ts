import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { listOverview } from "../src/queries/overview.ts";
import { findRollout } from "../src/queries/rollouts.ts";
import { environments, releases, rollouts, services } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const { db } = await testDatabase();

describe("listOverview", () => {
  it("reads each environment's latest rollout exactly as findRollout does, timestamps and nulls included", async () => {
    const made = await makeRelease(db);
    const [staging, production] = made.rollouts;
    await db
      .update(rollouts)
      .set({
        state: "verifying",
        currentVersion: "2.0.0",
        deployedAt: new Date("2026-01-02T03:04:05.678Z"),
        windowStartedAt: new Date("2026-01-02T03:05:00.001Z"),
        flagPercent: 40,
        contractSql: "ALTER TABLE users DROP COLUMN email;",
        contractChecksum: "c".repeat(64),
      })
      .where(eq(rollouts.id, staging!.id));
    // A newer release in production: the overview shows the most recently active rollout.
    const [newer] = await db
      .insert(releases)
      .values({
        serviceId: made.service.id,
        key: uniqueSlug("rel"),
        title: "Next",
        author: "a@example.com",
        appVersion: "3.0.0",
      })
      .returning({ id: releases.id, key: releases.key });
    await db.insert(rollouts).values({
      releaseId: newer!.id,
      environmentId: production!.environmentId,
      releaseVersion: "3.0.0",
      updatedAt: new Date(Date.now() + 60_000),
    });

    const mine = (await listOverview(db)).filter((r) => r.serviceSlug === made.service.slug);
    expect(mine.map((r) => [r.environmentName, r.serviceName])).toEqual([
      ["staging", "Test service"],
      ["production", "Test service"],
    ]);
    const [releaseOfStaging] = await db
      .select({ key: releases.key })
      .from(releases)
      .where(eq(releases.id, made.release.id));
    expect(mine[0]!.latest).toEqual(
      await findRollout(db, { service: made.service.slug, environment: "staging", release: releaseOfStaging!.key }),
    );
    expect(mine[1]!.latest).toEqual(
      await findRollout(db, { service: made.service.slug, environment: "production", release: newer!.key }),
    );
  });

  it("lists an environment without rollouts with none", async () => {
    const [service] = await db
      .insert(services)
      .values({ slug: uniqueSlug("svc"), name: "Empty" })
      .returning({ id: services.id, slug: services.slug });
    await db.insert(environments).values({ serviceId: service!.id, name: "staging", position: 0, policy: {} });
    const mine = (await listOverview(db)).filter((r) => r.serviceSlug === service!.slug);
    expect(mine).toEqual([
      { serviceSlug: service!.slug, serviceName: "Empty", environmentName: "staging", latest: null },
    ]);
  });
});

describe("findRollout", () => {
  it("reads the row drizzle's select of the same tables gives, timestamps and nulls included, locked or not", async () => {
    const made = await makeRelease(db);
    const [staging] = made.rollouts;
    await db
      .update(rollouts)
      .set({
        state: "verifying",
        deployedAt: new Date("2026-01-02T03:04:05.678Z"),
        windowStartedAt: new Date("2026-01-02T03:05:00.001Z"),
        flagPercent: 40,
        contractSql: "ALTER TABLE users DROP COLUMN email;",
      })
      .where(eq(rollouts.id, staging!.id));
    // The oracle: drizzle's own select builder and row mapping, as findRollout read it before.
    const [expected] = await db
      .select({
        rollout: rollouts,
        release: releases,
        environmentName: environments.name,
        environmentPosition: environments.position,
        policy: environments.policy,
        serviceId: services.id,
      })
      .from(rollouts)
      .innerJoin(releases, eq(releases.id, rollouts.releaseId))
      .innerJoin(environments, eq(environments.id, rollouts.environmentId))
      .innerJoin(services, eq(services.id, environments.serviceId))
      .where(eq(rollouts.id, staging!.id));
    const keys = { service: made.service.slug, environment: "staging", release: expected!.release.key };
    expect(await findRollout(db, keys)).toEqual(expected);
    await db.transaction(async (tx) => {
      expect(await findRollout(tx, keys, { forUpdate: true })).toEqual(expected);
      expect(await findRollout(tx, { ...keys, release: "no-such-release" }, { forUpdate: true })).toBeNull();
    });
  });
});
