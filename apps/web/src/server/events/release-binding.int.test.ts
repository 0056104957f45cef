import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";

// Finding 12 of issue 26 through the real events route: a token scoped to staging registers a
// release first, with another author and version; production's own pipeline must still
// register it (202, not 409 `release_conflict`), and its author is the one that counts there.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const { environments, services, users } = await import("@rollgate/db/schema");
const { defaultPolicy } = await import("@rollgate/core/policy");
const { readDbEnv } = await import("@rollgate/db/env");
const { createApiToken } = await import("@rollgate/db/queries/tokens");
const { findRollout } = await import("@rollgate/db/queries/rollouts");
const { loadGateFacts } = await import("@rollgate/db/queries/gate-facts");
const support = await import("../../../test/integrations");
const events = await import("@/app/api/v1/events/route");
const { db } = await database();
afterAll(() => closeDatabase());

async function serviceWithTwoTokens() {
  const slug = `bind-${randomUUID().slice(0, 8)}`;
  const [service] = await db.insert(services).values({ slug, name: slug }).returning({ id: services.id });
  await db.insert(environments).values(
    ["staging", "production"].map((name, position) => ({
      serviceId: service!.id,
      name,
      position,
      policy: defaultPolicy(name),
    })),
  );
  const token = async (environment: string) => {
    const created = await createApiToken(db, {
      serviceId: service!.id,
      name: environment,
      environments: [environment],
      scopes: ["events:write", "gate:read"],
      createdBy: "test",
      secretKey: readDbEnv().ROLLGATE_SECRET_KEY,
    });
    return { slug, serviceId: service!.id, environmentId: "", token: created.token, secret: created.secret };
  };
  return { slug, staging: await token("staging"), production: await token("production") };
}

async function releaseCreated(
  svc: Awaited<ReturnType<typeof serviceWithTwoTokens>>["staging"],
  environment: string,
  author: string,
  appVersion: string,
  extra: Record<string, unknown> = {},
) {
  const body = JSON.stringify({
    type: "release.created",
    service: svc.slug,
    environment,
    release: "r1",
    occurred_at: new Date().toISOString(),
    data: { title: "r1", author, app_version: appVersion, contract_sql: support.CONTRACT, ...extra },
  });
  const response = await events.POST(support.signed(svc, "http://rollgate.test/api/v1/events", body), {
    params: Promise.resolve({}),
  });
  return { status: response.status, json: (await response.json()) as { error?: { details?: { field?: string } } } };
}

describe("finding 12 (issue 26): a staging-only token cannot register a release for production", () => {
  it("staging registers first with a decoy author; production's release.created is accepted and its author counts in production", async () => {
    const s = await serviceWithTwoTokens();
    const tag = randomUUID().slice(0, 8);
    const [rita] = await db
      .insert(users)
      .values({ email: `rita.${tag}@example.com` })
      .returning();
    expect((await releaseCreated(s.staging, "staging", `decoy.${tag}@example.com`, "9.9.9")).status).toBe(202);
    expect((await releaseCreated(s.production, "production", `Rita <rita.${tag}@example.com>`, "2.0.0")).status).toBe(
      202,
    );
    const row = (await findRollout(db, { service: s.slug, environment: "production", release: "r1" }))!;
    expect(row.rollout.releaseVersion).toBe("2.0.0");
    expect((await loadGateFacts(db, row, new Date(), 0)).authorIds).toEqual([rita!.id]);
    // Production's first registration binds production: a different author later is a conflict.
    const again = await releaseCreated(s.production, "production", `mallory.${tag}@example.com`, "2.0.0");
    expect(again.status).toBe(409);
    expect(again.json.error?.details?.field).toBe("data.author");
  });

  it("the commit sha is bound per environment: staging's does not fix production's; leaving it out keeps it", async () => {
    const s = await serviceWithTwoTokens();
    const [x, y] = ["a".repeat(40), "b".repeat(40)];
    const created = (svc: typeof s.staging, environment: string, commit?: string) =>
      releaseCreated(svc, environment, "dev@example.com", "1.0.0", commit ? { commit_sha: commit } : {});
    expect((await created(s.staging, "staging", x)).status).toBe(202);
    expect((await created(s.production, "production", y)).status).toBe(202);
    expect((await created(s.production, "production")).status).toBe(202);
    expect((await created(s.staging, "staging")).status).toBe(202);
    const again = await created(s.production, "production", x);
    expect(again.status).toBe(409);
    expect(again.json.error?.details?.field).toBe("data.commit_sha");
    expect((await created(s.staging, "staging", y)).json.error?.details?.field).toBe("data.commit_sha");
    const commitOf = async (environment: string) =>
      (await findRollout(db, { service: s.slug, environment, release: "r1" }))!.rollout.commitSha;
    expect(await commitOf("staging")).toBe(x);
    expect(await commitOf("production")).toBe(y);
  });
});
