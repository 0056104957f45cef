import { createHash, generateKeyPairSync, randomUUID } from "node:crypto";
import { newEnvironment, parsePolicy } from "@rollgate/core/policy";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "../auth/current-user";

// Admin settings that decide where Rollgate sends requests and how strict an environment is:
// issue 26, findings 14 (internal destinations, stored secrets) and 16 (production-like flag).

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const { database } = await import("@rollgate/db/runtime");
const schema = await import("@rollgate/db/schema");
const { eq } = await import("drizzle-orm");
const { savePolicy, setEnvironmentProductionLike } = await import("@rollgate/app/admin/manage");
const { adminDeps } = await import("../use-case-deps");
const { setPrometheusSecret } = await import("./signals");
const { saveGithubSettings } = await import("@rollgate/app/admin/github-integration");
const { createNotificationSubscription } = await import("@rollgate/app/admin/notifications");
const { breakGlass } = await import("@rollgate/app/overrides/break-glass");
const { findRollout } = await import("@rollgate/db/queries/rollouts");
const { loadSloSourceSecrets } = await import("@rollgate/db/queries/slo-sources");
const { getGithubApp } = await import("@rollgate/db/queries/github");
const { AppError } = await import("../errors");
const { db } = await database();
afterAll(async () => (await import("@rollgate/db/runtime")).closeDatabase?.());

const CONTRACT = "ALTER TABLE users DROP COLUMN email;";
const sum = (text: string) => createHash("sha256").update(text).digest("hex");

async function person(role: "admin" | "release_manager", serviceId: string | null = null): Promise<CurrentUser> {
  const email = `${role}.${randomUUID().slice(0, 8)}@example.com`;
  const [user] = await db.insert(schema.users).values({ email }).returning();
  await db.insert(schema.userRoles).values({ userId: user!.id, role, serviceId });
  return { id: user!.id, email, name: null, roles: [{ role, serviceId }] };
}

/** A service with one environment created as Rollgate creates them (`newEnvironment`), and a rollout verifying in it. */
async function serviceWith(environment: string) {
  const slug = `set-${randomUUID().slice(0, 8)}`;
  const [svc] = await db.insert(schema.services).values({ slug, name: slug }).returning();
  const [env] = await db
    .insert(schema.environments)
    .values({ serviceId: svc!.id, name: environment, position: 0, ...newEnvironment(environment) })
    .returning();
  // The author is a person Rollgate knows: an unknown author could be anyone, and nobody may break glass then.
  const author = `author.${randomUUID().slice(0, 8)}@example.com`;
  await db.insert(schema.users).values({ email: author });
  const [rel] = await db
    .insert(schema.releases)
    .values({ serviceId: svc!.id, key: "r1", title: "t", author, appVersion: "2.0.0" })
    .returning();
  await db.insert(schema.rollouts).values({
    releaseId: rel!.id,
    environmentId: env!.id,
    releaseVersion: "2.0.0",
    state: "verifying",
    windowStartedAt: new Date(),
    contractSql: CONTRACT,
    contractChecksum: sum(CONTRACT),
  });
  return { svc: svc!, env: env!, keys: { service: slug, environment, release: "r1" } };
}

const sloSource = (url: string) => ({
  kind: "prometheus",
  url,
  auth: "bearer",
  timeoutSeconds: 5,
  intervalSeconds: 60,
  maxGapSeconds: 600,
  queries: { availability: "a", errorBudgetRemaining: "b", burnRate: "c" },
});

async function refusal(work: Promise<unknown>) {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as InstanceType<typeof AppError>;
}

describe("finding 16: production-like environments", () => {
  it("finding 16: an environment created as prod-eu gets production's defaults and a second person for overrides", async () => {
    const { svc, env, keys } = await serviceWith("prod-eu");
    expect(env.productionLike).toBe(true);
    const row = await findRollout(db, keys);
    expect(row?.environmentProductionLike).toBe(true);
    const policy = parsePolicy(row!.policy);
    expect(policy.ok && policy.policy).toMatchObject({ rollbackWindowSeconds: 72 * 3600, approvals: { required: 2 } });
    const lead = await person("release_manager", svc.id);
    const justification = "The window is long for a tested rename; we accept the risk today.";
    const first = await breakGlass({
      db,
      now: new Date(),
      user: lead,
      keys,
      checks: ["rollback_window"],
      justification,
      minutes: 30,
    });
    expect(first.awaitingConfirmation).toBe(true);
  });

  it("finding 16: an admin's explicit flag decides, whatever the name, and the change is audited", async () => {
    const { svc, env, keys } = await serviceWith("prod-eu");
    const admin = await person("admin");
    const changed = await setEnvironmentProductionLike(await adminDeps(), admin, {
      environmentId: env.id,
      productionLike: false,
    });
    expect(changed).toMatchObject({ name: "prod-eu", productionLike: false });
    expect((await findRollout(db, keys))?.environmentProductionLike).toBe(false);
    const lead = await person("release_manager", svc.id);
    const justification = "The window is long for a tested rename; we accept the risk today.";
    const override = await breakGlass({
      db,
      now: new Date(),
      user: lead,
      keys,
      checks: ["rollback_window"],
      justification,
      minutes: 30,
    });
    expect(override.awaitingConfirmation).toBe(false);
    const audit = await db.select().from(schema.auditEvents).where(eq(schema.auditEvents.subjectId, env.id));
    expect(audit.map((a) => a.action)).toContain("environment.production_like_changed");
    // And the other way: a staging-named environment marked production-like needs the second person.
    const staging = await serviceWith("staging");
    expect(staging.env.productionLike).toBe(false);
    await setEnvironmentProductionLike(await adminDeps(), admin, {
      environmentId: staging.env.id,
      productionLike: true,
    });
    const lead2 = await person("release_manager", staging.svc.id);
    const second = await breakGlass({
      db,
      now: new Date(),
      user: lead2,
      keys: staging.keys,
      checks: ["rollback_window"],
      justification,
      minutes: 30,
    });
    expect(second.awaitingConfirmation).toBe(true);
  });
});

describe("finding 14: destinations an admin configures", () => {
  it("finding 14: an SLO source on 127.0.0.1, 169.254.169.254 or ::ffff:127.0.0.1 is refused and nothing is saved", async () => {
    const { env } = await serviceWith("staging");
    const admin = await person("admin");
    for (const url of [
      "http://127.0.0.1:5432",
      "http://169.254.169.254",
      "http://[::ffff:127.0.0.1]:9090",
      "http://0.0.0.0",
    ]) {
      const policy = { ...newEnvironment("staging").policy, sloSource: sloSource(url) };
      const error = await refusal(
        savePolicy(await adminDeps(), admin, { environmentId: env.id, policyJson: JSON.stringify(policy) }),
      );
      expect(error.code, url).toBe("invalid_request");
      expect(error.details).toEqual([{ path: "sloSource.url", message: expect.any(String) }]);
    }
    const [stored] = await db.select().from(schema.environments).where(eq(schema.environments.id, env.id));
    expect((stored!.policy as { sloSource?: unknown }).sloSource).toBeUndefined();
  });

  it("finding 14: moving the SLO source to another address forgets its stored credential", async () => {
    const { env } = await serviceWith("staging");
    const admin = await person("admin");
    const save = async (url: string) =>
      savePolicy(await adminDeps(), admin, {
        environmentId: env.id,
        policyJson: JSON.stringify({ ...newEnvironment("staging").policy, sloSource: sloSource(url) }),
      });
    expect(await save("https://93.184.216.34")).toEqual({ credentialDropped: false });
    await setPrometheusSecret(admin, { environmentId: env.id, secret: "bearer-secret-value" });
    // The same address (another field changed): the credential stays.
    expect(await save("https://93.184.216.34/")).toEqual({ credentialDropped: false });
    expect((await loadSloSourceSecrets(db, [env.id])).has(env.id)).toBe(true);
    expect(await save("https://1.1.1.1")).toEqual({ credentialDropped: true });
    expect((await loadSloSourceSecrets(db, [env.id])).has(env.id)).toBe(false);
  });

  it("finding 14: a new GitHub API URL needs the private key again, and an internal one is refused", async () => {
    const admin = await person("admin");
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const appId = 4000 + Math.floor(Math.random() * 1000);
    const metadata = await refusal(
      saveGithubSettings(await adminDeps(), admin, {
        appId,
        apiBaseUrl: "http://169.254.169.254",
        privateKey: key,
        webhookSecret: "whs",
      }),
    );
    expect(metadata.code).toBe("invalid_request");
    await saveGithubSettings(await adminDeps(), admin, {
      appId,
      apiBaseUrl: "https://140.82.112.6",
      privateKey: key,
      webhookSecret: "whs",
    });
    const before = await getGithubApp(db);
    const moved = await refusal(
      saveGithubSettings(await adminDeps(), admin, {
        appId,
        apiBaseUrl: "https://93.184.216.34",
        privateKey: "",
        webhookSecret: "",
      }),
    );
    expect(moved.message).toMatch(/private key again/);
    expect(await getGithubApp(db)).toEqual(before);
    // Same URL, no key: the stored key stays (nothing moved).
    await saveGithubSettings(await adminDeps(), admin, {
      appId,
      apiBaseUrl: "https://140.82.112.6/",
      privateKey: "",
      webhookSecret: "",
    });
    expect((await getGithubApp(db))?.privateKeyCiphertext).toBe(before?.privateKeyCiphertext);
  });

  it("finding 14: a webhook subscription to an internal address is refused", async () => {
    const { svc } = await serviceWith("staging");
    const admin = await person("admin");
    const error = await refusal(
      createNotificationSubscription(await adminDeps(), admin, {
        service: svc.slug,
        kind: "webhook",
        url: "http://127.0.0.1:5432/hook",
        events: ["gate.open"],
      }),
    );
    expect(error.code).toBe("invalid_request");
  });
});
