import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "../auth/current-user";

// Issue 16: every server action that names a rollout (or a service) answers an unknown one with
// a sentence the form shows, and changes nothing. Runs on PGlite and on PostgreSQL.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
let signedIn: CurrentUser | null = null;
vi.mock("../auth/current-user", () => ({ currentUser: async () => signedIn }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const schema = await import("@rollgate/db/schema");
const actions = await import("@/app/rollouts/[service]/[environment]/[release]/actions");
const admin = await import("@/app/admin/actions");
const { rolloutExists } = await import("./rollout-keys");
const { db } = await database();
afterAll(() => closeDatabase());

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return data;
};
const SENTENCE = "The contract fixes an ongoing incident and cannot wait for the window.";

/** A global admin and release manager, and a service with production but no releases. */
async function world() {
  const slug = `unk-${randomUUID().slice(0, 8)}`;
  const [svc] = await db.insert(schema.services).values({ slug, name: slug }).returning();
  await db.insert(schema.environments).values({ serviceId: svc!.id, name: "production", position: 0, policy: {} });
  const [user] = await db
    .insert(schema.users)
    .values({ email: `admin.${slug}@example.com` })
    .returning();
  await db.insert(schema.userRoles).values([
    { userId: user!.id, role: "admin" },
    { userId: user!.id, role: "release_manager" },
  ]);
  signedIn = {
    id: user!.id,
    email: user!.email,
    name: null,
    roles: [
      { role: "admin", serviceId: null },
      { role: "release_manager", serviceId: null },
    ],
  };
  return { slug, userId: user!.id };
}

const auditedBy = async (userId: string) =>
  (await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.actorId, userId))).length;

describe("an unknown rollout in a server action", () => {
  it("is refused with a sentence by every rollout action, and nothing is written", async () => {
    const w = await world();
    const unknown = [
      { service: `${w.slug}-gone`, environment: "production", release: "r1" },
      { service: w.slug, environment: "nowhere", release: "r1" },
      { service: w.slug, environment: "production", release: "no-such-release" },
      { service: w.slug, environment: "production", release: "r\u0000" },
    ];
    for (const keys of unknown) {
      const answers = {
        decide: await actions.decide({}, form({ ...keys, decision: "approve", checksum: "a".repeat(64) })),
        breakGlass: await actions.breakGlassAction(
          {},
          form({ ...keys, checks: "backup", justification: SENTENCE, minutes: "30" }),
        ),
        confirm: await actions.confirmAction({}, form({ ...keys, overrideId: randomUUID() })),
        recovery: await actions.recoveryAction(
          {},
          form({ ...keys, name: "fix", sql: "SELECT 1;", justification: SENTENCE, minutes: "30" }),
        ),
        review: await actions.reviewAction({}, form({ ...keys, overrideId: randomUUID(), note: "Looked at it." })),
      };
      for (const [name, state] of Object.entries(answers)) {
        expect(state.done, `${name} ${JSON.stringify(keys)}`).toBeUndefined();
        expect(state.error, `${name} ${JSON.stringify(keys)}`).toMatch(/^There is no[^\n]*\.$/);
      }
    }
    expect(await auditedBy(w.userId)).toBe(0);
  });

  it("is refused with a sentence by the admin actions that name a service", async () => {
    const w = await world();
    const role = await admin.roleAction(
      {},
      form({ email: signedIn!.email, role: "approver", service: `${w.slug}-gone`, grant: "1" }),
    );
    expect(role).toEqual({ error: `There is no service ${w.slug}-gone.` });
    const token = await admin.createTokenAction(
      {},
      form({ service: `${w.slug}-gone`, name: "pipeline", environments: "production", scopes: "gate:read" }),
    );
    expect(token.error).toMatch(/^There is no service/);
    expect(await auditedBy(w.userId)).toBe(0);
  });

  it("exists only when service, environment and release all match", async () => {
    const w = await world();
    expect(await rolloutExists({ service: w.slug, environment: "production", release: "r1" })).toBe(false);
    expect(await rolloutExists({ service: w.slug, environment: "production", release: "\u0000" })).toBe(false);
    const [svc] = await db.select().from(schema.services).where(eq(schema.services.slug, w.slug));
    const [env] = await db.select().from(schema.environments).where(eq(schema.environments.serviceId, svc!.id));
    const [rel] = await db
      .insert(schema.releases)
      .values({ serviceId: svc!.id, key: "r1", title: "t", author: "a@example.com", appVersion: "1.0.0" })
      .returning();
    await db
      .insert(schema.rollouts)
      .values({ releaseId: rel!.id, environmentId: env!.id, releaseVersion: "1.0.0", state: "planned" });
    expect(await rolloutExists({ service: w.slug, environment: "production", release: "r1" })).toBe(true);
  });
});
