import { randomUUID } from "node:crypto";
import { defaultPolicy } from "@rollgate/core/policy";
import { describe, expect, it } from "vitest";
import { authorMatching } from "../src/env.ts";
import { loadGateFacts } from "../src/queries/gate-facts.ts";
import { authorIdsOf, linkIdentity } from "../src/queries/identities.ts";
import { findRollout, registerRelease } from "../src/queries/rollouts.ts";
import { environments, releases, rollouts, services, users } from "../src/schema/index.ts";
import { makeService } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const { db } = await testDatabase();

async function person(email: string, login?: string) {
  const [user] = await db.insert(users).values({ email }).returning();
  if (login) await linkIdentity(db, { userId: user!.id, identity: `login:${login}` });
  return user!.id;
}

describe("finding 3 (issue 26): the author is one person however CI spells them", () => {
  it("Name <email>, @login, a plus tag and an invisible character all name the same person", async () => {
    const tag = randomUUID().slice(0, 8);
    const rita = await person(`rita.${tag}@example.com`, `rita-${tag}`);
    for (const spelling of [
      `Rita Release <rita.${tag}@example.com>`,
      `@rita-${tag}`,
      `rita.${tag}+ci@example.com`,
      `rita.${tag}@example.com\u200b`,
      ` RITA.${tag}@EXAMPLE.COM\ufeff`,
    ])
      expect(await authorIdsOf(db, spelling), spelling).toEqual([rita]);
    // The person's own address may carry the tag: the same mailbox as the untagged one.
    const tagged = await person(`tom.${tag}+work@example.com`);
    expect(await authorIdsOf(db, `Tom <tom.${tag}@example.com>`)).toEqual([tagged]);
    expect(await authorIdsOf(db, `tom.${tag}+ci@example.com`)).toEqual([tagged]);
    // With plus-addressing off, a tag names another mailbox.
    expect(await authorIdsOf(db, `rita.${tag}+ci@example.com`, { plusAddressing: false })).toEqual([]);
    expect(await authorIdsOf(db, null)).toEqual([]);
  });

  it("plus-addressing is the setting ROLLGATE_AUTHOR_PLUS_ADDRESSING, on by default", () => {
    expect(authorMatching({})).toEqual({ plusAddressing: true });
    expect(authorMatching({ ROLLGATE_AUTHOR_PLUS_ADDRESSING: "0" })).toEqual({ plusAddressing: false });
    expect(() => authorMatching({ ROLLGATE_AUTHOR_PLUS_ADDRESSING: "yes" })).toThrow(/ROLLGATE_AUTHOR_PLUS_ADDRESSING/);
  });

  it("the gate's facts resolve an author written as git does", async () => {
    const tag = randomUUID().slice(0, 8);
    const rita = await person(`rita.${tag}@example.com`, `rita-${tag}`);
    const [svc] = await db
      .insert(services)
      .values({ slug: uniqueSlug("authors"), name: "Authors" })
      .returning();
    const [env] = await db
      .insert(environments)
      .values({ serviceId: svc!.id, name: "staging", position: 0, policy: defaultPolicy("staging") })
      .returning();
    for (const [key, author] of [
      ["git", `Rita Release <rita.${tag}+ci@example.com>`],
      ["forge", `@Rita-${tag}`],
    ] as const) {
      const [release] = await db
        .insert(releases)
        .values({ serviceId: svc!.id, key, title: "t", author, appVersion: "2.0.0" })
        .returning();
      await db.insert(rollouts).values({ releaseId: release!.id, environmentId: env!.id, releaseVersion: "2.0.0" });
      const row = (await findRollout(db, { service: svc!.slug, environment: "staging", release: key }))!;
      expect((await loadGateFacts(db, row, new Date(), 0)).authorIds, author).toEqual([rita]);
    }
  });
});

describe("finding 12 (issue 26): what a token for one environment registers does not bind another", () => {
  async function service() {
    const { service: svc, environments: envs } = await makeService(db, uniqueSlug("bind"), "Binding");
    const env = (name: string) => envs.find((e) => e.name === name)!;
    const register = (environment: string, mayActOn: string[], author: string, appVersion: string) =>
      db.transaction((tx) =>
        registerRelease(tx, {
          serviceId: svc!.id,
          environmentId: env(environment).id,
          mayActOn,
          key: "r1",
          title: "t",
          author,
          appVersion,
          expandSql: null,
          expandChecksum: null,
          contractSql: "ALTER TABLE t DROP COLUMN c;",
          contractChecksum: "c".repeat(64),
        }),
      );
    const facts = async (environment: string) => {
      const row = (await findRollout(db, { service: svc!.slug, environment, release: "r1" }))!;
      return { row, facts: await loadGateFacts(db, row, new Date(), 0) };
    };
    return { register, facts };
  }

  it("a staging-only token registers first with another author; production's release.created succeeds and its author counts in production", async () => {
    const tag = randomUUID().slice(0, 8);
    const rita = await person(`rita.${tag}@example.com`);
    const decoy = await person(`decoy.${tag}@example.com`);
    const s = await service();
    expect(await s.register("staging", ["staging"], `decoy.${tag}@example.com`, "9.9.9")).toMatchObject({ ok: true });
    // Until production's own pipeline registers, the release's author there could be anyone.
    expect((await s.facts("production")).facts.authorIds).toEqual([]);
    expect(await s.register("production", ["production"], `Rita <rita.${tag}@example.com>`, "2.0.0")).toMatchObject({
      ok: true,
    });
    const production = await s.facts("production");
    expect(production.facts.authorIds).toEqual([rita]);
    expect(production.row.rollout.releaseVersion).toBe("2.0.0");
    expect((await s.facts("staging")).facts.authorIds).toEqual([decoy]);
    // The first registration by a token for production binds production.
    expect(await s.register("production", ["production"], `mallory.${tag}@example.com`, "2.0.0")).toMatchObject({
      ok: false,
      code: "release_conflict",
      field: "data.author",
    });
    expect(await s.register("production", ["production"], `Rita <rita.${tag}@example.com>`, "2.0.1")).toMatchObject({
      ok: false,
      code: "release_conflict",
      field: "data.app_version",
    });
  });

  it("a token that may act on every environment binds them all at its first registration", async () => {
    const s = await service();
    expect(await s.register("staging", ["staging", "production"], "dev@example.com", "2.0.0")).toMatchObject({
      ok: true,
    });
    expect(await s.register("production", ["production"], "someone.else@example.com", "2.0.0")).toMatchObject({
      ok: false,
      code: "release_conflict",
      field: "data.author",
    });
  });
});
