import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { listOverview } from "../src/queries/overview.ts";
import { findRollout, readRolloutScripts } from "../src/queries/rollouts.ts";
import { environments, releases, rollouts, services } from "../src/schema/index.ts";
import { makeRelease } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const { db } = await testDatabase();

describe("listOverview", () => {
  it("reads each environment's latest rollout as findRollout does, timestamps and nulls included, without the scripts' text", async () => {
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
    /** findRollout's row without the scripts' text, which the overview leaves in the database (GateRow). */
    const withoutScripts = async (release: string, environment: string) => {
      const row = (await findRollout(db, { service: made.service.slug, environment, release }))!;
      const { expandSql: _e, contractSql: _c, ...rollout } = row.rollout;
      const { expandSql: _re, contractSql: _rc, ...rest } = row.release;
      return { ...row, rollout, release: rest };
    };
    expect(mine[0]!.latest).toStrictEqual(await withoutScripts(releaseOfStaging!.key, "staging"));
    expect(mine[1]!.latest).toStrictEqual(await withoutScripts(newer!.key, "production"));
    // Absent, not null: a row without its scripts can never be read as a rollout without scripts.
    expect("contractSql" in mine[0]!.latest!.rollout).toBe(false);
    expect("expandSql" in mine[0]!.latest!.release).toBe(false);
  });

  it("reads scripts by rollout id with the checksums they were stored with", async () => {
    const made = await makeRelease(db);
    const [staging, production] = made.rollouts;
    await db
      .update(rollouts)
      .set({ expandSql: "ALTER TABLE t ADD COLUMN c int;", expandChecksum: "e".repeat(64) })
      .where(eq(rollouts.id, staging!.id));
    const missing = "00000000-0000-4000-8000-000000000000";
    const scripts = await readRolloutScripts(db, [staging!.id, production!.id, missing]);
    expect(Object.fromEntries(scripts)).toEqual({
      [staging!.id]: {
        expandSql: "ALTER TABLE t ADD COLUMN c int;",
        expandChecksum: "e".repeat(64),
        contractSql: null,
        contractChecksum: null,
      },
      [production!.id]: { expandSql: null, expandChecksum: null, contractSql: null, contractChecksum: null },
    });
    expect((await readRolloutScripts(db, [])).size).toBe(0);
  });

  it("lists an environment without rollouts with none", async () => {
    const [service] = await db
      .insert(services)
      .values({ slug: uniqueSlug("svc"), name: "Empty" })
      .returning({ id: services.id, slug: services.slug });
    await db.insert(environments).values({ serviceId: service!.id, name: "staging", position: 0, policy: {} });
    const mine = (await listOverview(db)).filter((r) => r.serviceSlug === service!.slug);
    expect(mine).toEqual([
      {
        serviceSlug: service!.slug,
        serviceName: "Empty",
        environmentName: "staging",
        environmentProductionLike: false,
        latest: null,
      },
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
        environmentProductionLike: environments.productionLike,
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
