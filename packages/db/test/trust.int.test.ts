import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { loadGateFacts } from "../src/queries/gate-facts.ts";
import { authorIdsOf, linkIdentity } from "../src/queries/identities.ts";
import { findRollout, registerRelease } from "../src/queries/rollouts.ts";
import { grantRole, revokeRole } from "../src/queries/users.ts";
import { approvals, users } from "../src/schema/index.ts";
import { makeService } from "./fixtures.ts";
import { testDatabase, uniqueSlug } from "./harness.ts";

const { db } = await testDatabase();
const sum = (c: string) => c.repeat(64);

async function service() {
  const { service: svc, staging, production } = await makeService(db, uniqueSlug("svc"), "Trust");
  return { svc, staging, production };
}

const register = (
  s: Awaited<ReturnType<typeof service>>,
  environmentId: string,
  key: string,
  contract: string,
  patch: { author?: string } = {},
) =>
  db.transaction((tx) =>
    registerRelease(tx, {
      serviceId: s.svc.id,
      environmentId,
      mayActOn: ["staging", "production"],
      key,
      title: "t",
      author: patch.author ?? "dev@example.com",
      appVersion: "2.0.0",
      expandSql: null,
      expandChecksum: null,
      contractSql: contract,
      contractChecksum: sum(contract),
    }),
  );

describe("scripts belong to their rollout", () => {
  it("finding 2: release.created from one environment never changes another environment's contract script", async () => {
    const s = await service();
    await register(s, s.production.id, "r1", "a");
    expect(await register(s, s.staging.id, "r1", "b")).toMatchObject({ ok: true });
    const production = await findRollout(db, { service: s.svc.slug, environment: "production", release: "r1" });
    const staging = await findRollout(db, { service: s.svc.slug, environment: "staging", release: "r1" });
    expect(production?.rollout.contractChecksum).toBe(sum("a"));
    expect(staging?.rollout.contractChecksum).toBe(sum("b"));
  });

  it("finding 2: a release's author and version are fixed by its first release.created", async () => {
    const s = await service();
    await register(s, s.staging.id, "r1", "a");
    expect(await register(s, s.production.id, "r1", "a", { author: "someone.else@example.com" })).toMatchObject({
      ok: false,
      code: "release_conflict",
      field: "data.author",
    });
  });
});

describe("approvals count by who people are now", () => {
  it("finding 5 and 7: the gate sees approvers' current roles and the author through linked identities", async () => {
    const s = await service();
    await register(s, s.staging.id, "r1", "a", { author: "12345+octo-dev@users.noreply.github.com" });
    const [author] = await db
      .insert(users)
      .values({ email: `${randomUUID()}@example.com` })
      .returning();
    const [approver] = await db
      .insert(users)
      .values({ email: `${randomUUID()}@example.com` })
      .returning();
    expect(await authorIdsOf(db, "12345+octo-dev@users.noreply.github.com")).toEqual([]);
    await linkIdentity(db, { userId: author!.id, identity: "login:octo-dev" });
    expect(await authorIdsOf(db, "12345+octo-dev@users.noreply.github.com")).toEqual([author!.id]);
    expect(await authorIdsOf(db, author!.email.toUpperCase())).toEqual([author!.id]);

    await grantRole(db, { userId: approver!.id, role: "approver", serviceId: s.svc.id });
    const row = (await findRollout(db, { service: s.svc.slug, environment: "staging", release: "r1" }))!;
    await db.insert(approvals).values({
      rolloutId: row.rollout.id,
      approverId: approver!.id,
      role: "approver",
      decision: "approve",
      contractChecksum: sum("a"),
      decidedAt: new Date(),
    });
    let facts = await loadGateFacts(db, row, new Date(), 0);
    expect(facts.authorIds).toEqual([author!.id]);
    expect(facts.approvals[0]?.currentRoles).toEqual(["approver"]);
    await revokeRole(db, { userId: approver!.id, role: "approver", serviceId: s.svc.id });
    facts = await loadGateFacts(db, row, new Date(), 0);
    expect(facts.approvals[0]?.currentRoles).toEqual([]);
    await db.delete(approvals).where(eq(approvals.rolloutId, row.rollout.id));
  });
});
