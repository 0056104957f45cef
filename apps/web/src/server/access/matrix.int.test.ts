import { createHash, randomUUID } from "node:crypto";
import { ACTIONS, ACTOR_GRANTS, ACTORS, MATRIX, type Action, type Actor } from "@rollgate/core/access/matrix";
import { defaultPolicy } from "@rollgate/core/policy";
import type { Role } from "@rollgate/core/types";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "../auth/current-user";

// Walks docs/SECURITY.md's matrix of human actions: every actor × every action through the
// real server actions (the adapters the pages post to) and the use cases behind them, on the
// database. A cell that lets through what the matrix refuses, or refuses what it allows, fails.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
let signedIn: CurrentUser | null = null;
vi.mock("../auth/current-user", () => ({ currentUser: async () => signedIn }));

const { database } = await import("@rollgate/db/runtime");
const schema = await import("@rollgate/db/schema");
const actions = await import("@/app/rollouts/[service]/[environment]/[release]/actions");
const admin = await import("@/app/admin/actions");
const { db } = await database();
afterAll(async () => (await import("@rollgate/db/runtime")).closeDatabase?.());

const CONTRACT = "ALTER TABLE users DROP COLUMN email;";
const sum = (text: string) => createHash("sha256").update(text).digest("hex");

interface World {
  slug: string;
  people: Record<Actor, CurrentUser | null>;
  /** A release manager of the service who broke the glass: nobody confirms or reviews their own override. */
  breaker: CurrentUser;
}

/** A service with production, another service, one person per actor, and rollouts in the states each action needs. */
async function world(): Promise<World> {
  const slug = `mx-${randomUUID().slice(0, 8)}`;
  const [svc] = await db.insert(schema.services).values({ slug, name: slug }).returning();
  const [other] = await db
    .insert(schema.services)
    .values({ slug: `${slug}-b`, name: "other" })
    .returning();
  const policy = {
    ...defaultPolicy("production"),
    approvals: { ...defaultPolicy("production").approvals, required: 1 },
  };
  await db.insert(schema.environments).values([
    { serviceId: svc!.id, name: "production", position: 0, productionLike: true, policy },
    { serviceId: other!.id, name: "production", position: 0, productionLike: true, policy },
  ]);
  const people = {} as Record<Actor, CurrentUser | null>;
  for (const actor of ACTORS) {
    const grant = ACTOR_GRANTS[actor];
    if (!grant) {
      people[actor] = null;
      continue;
    }
    const email = `${actor}.${slug}@example.com`;
    const [user] = await db.insert(schema.users).values({ email }).returning();
    const serviceId = grant.scope === "global" ? null : grant.scope === "this_service" ? svc!.id : other!.id;
    await db.insert(schema.userRoles).values({ userId: user!.id, role: grant.role, serviceId });
    people[actor] = { id: user!.id, email, name: null, roles: [{ role: grant.role as Role, serviceId }] };
  }
  const [breaker] = await db
    .insert(schema.users)
    .values({ email: `breaker.${slug}@example.com` })
    .returning();
  await db.insert(schema.userRoles).values({ userId: breaker!.id, role: "release_manager", serviceId: svc!.id });
  return {
    slug,
    people,
    breaker: {
      id: breaker!.id,
      email: breaker!.email,
      name: null,
      roles: [{ role: "release_manager", serviceId: svc!.id }],
    },
  };
}

/** A fresh production rollout of `release` in `state`, written by the `author` actor (or as `author` says). */
async function makeRollout(w: World, release: string, state: string, author = w.people.author!.email) {
  const [svc] = await db
    .select()
    .from(schema.services)
    .where((await import("drizzle-orm")).eq(schema.services.slug, w.slug));
  const [env] = await db
    .select()
    .from(schema.environments)
    .where((await import("drizzle-orm")).eq(schema.environments.serviceId, svc!.id));
  const [rel] = await db
    .insert(schema.releases)
    .values({ serviceId: svc!.id, key: release, title: "t", author, appVersion: "2.0.0" })
    .returning();
  const [row] = await db
    .insert(schema.rollouts)
    .values({
      releaseId: rel!.id,
      environmentId: env!.id,
      releaseVersion: "2.0.0",
      state,
      contractSql: CONTRACT,
      contractChecksum: sum(CONTRACT),
    })
    .returning();
  return { keys: { service: w.slug, environment: "production", release }, rolloutId: row!.id };
}

const form = (fields: Record<string, string | string[]>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) data.append(k, value);
  return data;
};
const SENTENCE = "The contract fixes an ongoing incident and cannot wait for the window.";

/** Performs `action` as whoever is signed in; true when it was done, false when refused with a sentence. */
async function perform(w: World, action: Action, actor: Actor, author?: string): Promise<boolean> {
  const id = `${action}-${actor}-${randomUUID().slice(0, 4)}`;
  const rollout = (on: World, release: string, state: string) => makeRollout(on, release, state, author);
  let state;
  switch (action) {
    case "approve": {
      const { keys } = await rollout(w, id, "verifying");
      state = await actions.decide({}, form({ ...keys, decision: "approve", comment: "", checksum: sum(CONTRACT) }));
      break;
    }
    case "break_glass": {
      const { keys } = await rollout(w, id, "verifying");
      state = await actions.breakGlassAction(
        {},
        form({ ...keys, checks: "backup", justification: SENTENCE, minutes: "30" }),
      );
      break;
    }
    case "confirm_override":
    case "review_override": {
      const { keys, rolloutId } = await rollout(w, id, "verifying");
      const [o] = await db
        .insert(schema.overrides)
        .values({
          rolloutId,
          actorId: w.breaker.id,
          role: "release_manager",
          justification: SENTENCE,
          checks: ["backup"],
          createdAt: new Date(),
          expiresAt: new Date(Date.now() + 3_600_000),
        })
        .returning();
      state =
        action === "confirm_override"
          ? await actions.confirmAction({}, form({ ...keys, overrideId: o!.id }))
          : await actions.reviewAction(
              {},
              form({ ...keys, overrideId: o!.id, note: "Checked the incident ticket and the script." }),
            );
      break;
    }
    case "authorise_recovery": {
      const { keys } = await rollout(w, id, "contract_failed");
      state = await actions.recoveryAction(
        {},
        form({ ...keys, name: "fix", sql: "SELECT 1;", justification: SENTENCE, minutes: "30" }),
      );
      break;
    }
    case "pause_backfill":
    case "resume_backfill":
    case "cancel_backfill": {
      const { keys, rolloutId } = await rollout(w, id, "verifying");
      const backfillId = randomUUID();
      const at = new Date();
      await db.insert(schema.backfills).values({
        rolloutId,
        backfillId,
        tableName: "public.invoices",
        setList: "billing_email = email",
        state: action === "resume_backfill" ? "paused" : "running",
        control: action === "resume_backfill" ? "pause" : "run",
        startedAt: at,
        updatedAt: at,
      });
      const pressed = action.replace("_backfill", "");
      state = await actions.backfillAction({}, form({ ...keys, backfillId, action: pressed }));
      // What the CLI reads before its next batch: changed exactly when the action was done.
      const [after] = await db
        .select()
        .from(schema.backfills)
        .where((await import("drizzle-orm")).eq(schema.backfills.backfillId, backfillId));
      const asked = { pause: "pause", resume: "run", cancel: "cancel" }[pressed]!;
      const before = action === "resume_backfill" ? "pause" : "run";
      expect(after!.control).toBe(state.error ? before : asked);
      break;
    }
    case "administer":
      state = await admin.roleAction(
        {},
        form({ email: `new.${id}.${w.slug}@example.com`, role: "viewer", service: "", grant: "1" }),
      );
      break;
  }
  if (state.error) return false;
  expect(state.done).toBeTruthy();
  return true;
}

describe("every actor × every action of the permission matrix", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  for (const action of ACTIONS)
    for (const actor of ACTORS)
      it(`${actor} ${MATRIX[action][actor] ? "may" : "may not"} ${action.replaceAll("_", " ")}`, async () => {
        signedIn = w.people[actor];
        expect(await perform(w, action, actor)).toBe(MATRIX[action][actor]);
      });

  for (const action of ["confirm_override", "review_override"] as const)
    it(`nobody may ${action.replaceAll("_", " ")} of their own break-glass`, async () => {
      signedIn = w.breaker;
      expect(await perform(w, action, "release_manager")).toBe(false);
    });
});

describe("finding 3 (issue 26): the author written as git does", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  const AUTHOR_RULES = ["approve", "break_glass", "confirm_override", "authorise_recovery", "review_override"] as const;
  /** The author actor's address as CI writes it: a display name, a plus tag, case and a zero-width space. */
  const asGit = () => {
    const [local, domain] = w.people.author!.email.split("@");
    return `Author Person <${local!.toUpperCase()}+ci@${domain}>\u200b`;
  };

  for (const action of AUTHOR_RULES)
    it(`the author, written "Name <e-mail+tag>", may not ${action.replaceAll("_", " ")}`, async () => {
      signedIn = w.people.author;
      expect(await perform(w, action, "author", asGit())).toBe(false);
      // The same cell for someone else is still allowed: the rule names the author, not everyone.
      signedIn = w.people.release_manager;
      expect(await perform(w, action, "release_manager", asGit())).toBe(true);
    });

  for (const action of AUTHOR_RULES.filter((a) => a !== "approve"))
    it(`an author nobody knows could be anyone: nobody may ${action.replaceAll("_", " ")}`, async () => {
      for (const actor of ["release_manager", "admin", "author"] as const) {
        signedIn = w.people[actor];
        expect(await perform(w, action, actor, "Someone Unknown <nobody.at.all@example.com>"), actor).toBe(false);
      }
    });

  it("an author nobody knows: an approval is recorded (the gate then needs one more)", async () => {
    signedIn = w.people.approver;
    expect(await perform(w, "approve", "approver", "Someone Unknown <nobody.at.all@example.com>")).toBe(true);
  });
});
