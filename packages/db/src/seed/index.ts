import { newEnvironment } from "@rollgate/core/policy";
import { count } from "drizzle-orm";
import type { Db } from "../client.ts";
import { appendAudit } from "../queries/audit.ts";
import * as t from "../schema/index.ts";
import { hashPassword, sha256Hex as sha256 } from "../secrets.ts";
import { DEMO_PASSWORD } from "./accounts.ts";
import { replayStory, type ReplayedStory } from "./replay.ts";
import { demoReleases, demoServices, demoUsers, HOUR, MINUTE } from "./world.ts";

export { DEMO_PASSWORD } from "./accounts.ts";

export interface SeedResult {
  seeded: boolean;
  services: number;
  rollouts: number;
  sloSnapshots: number;
}

/** Loads the demo world relative to `now`. With `ifEmpty`, leaves a database that has services alone. */
export async function seedDemo(db: Db, now: Date, options: { ifEmpty?: boolean } = {}): Promise<SeedResult> {
  if (options.ifEmpty) {
    const [row] = await db.select({ n: count() }).from(t.services);
    if ((row?.n ?? 0) > 0) return { seeded: false, services: row!.n, rollouts: 0, sloSnapshots: 0 };
  }
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  return db.transaction(async (tx) => {
    const users = new Map<string, string>();
    for (const u of demoUsers) {
      // Demo accounts sign in with the local credentials provider (password below, README).
      const passwordHash = hashPassword(DEMO_PASSWORD);
      const [row] = await tx
        .insert(t.users)
        .values({ email: u.email, name: u.name, passwordHash })
        .onConflictDoUpdate({ target: t.users.email, set: { name: u.name, passwordHash } })
        .returning({ id: t.users.id });
      users.set(u.email, row!.id);
      await tx.insert(t.userRoles).values({ userId: row!.id, role: u.role }).onConflictDoNothing();
    }

    const envIds = new Map<string, string>();
    for (const s of demoServices) {
      const [service] = await tx.insert(t.services).values(s).returning({ id: t.services.id });
      const envs = await tx
        .insert(t.environments)
        .values(
          ["staging", "production"].map((name, position) => ({
            serviceId: service!.id,
            name,
            position,
            ...newEnvironment(name),
          })),
        )
        .returning({ id: t.environments.id, name: t.environments.name });
      for (const e of envs) envIds.set(`${s.slug}/${e.name}`, e.id);
      await audit(tx, now, "service.created", "service", service!.id, { slug: s.slug });
    }
    const serviceIds = new Map(
      (await tx.select({ id: t.services.id, slug: t.services.slug }).from(t.services)).map((s) => [s.slug, s.id]),
    );

    let rolloutCount = 0;
    let sloSnapshots = 0;
    for (const r of demoReleases) {
      const [release] = await tx
        .insert(t.releases)
        .values({
          serviceId: serviceIds.get(r.service)!,
          key: r.key,
          title: r.title,
          author: r.author,
          appVersion: r.appVersion,
          createdAt: ago(r.rollouts[0]!.steps[0]!.hoursAgo + 1),
        })
        .returning({ id: t.releases.id });
      for (const plan of r.rollouts) {
        const environmentId = envIds.get(`${r.service}/${plan.environment}`)!;
        const story: ReplayedStory = replayStory(r, plan, now);
        const [rollout] = await tx
          .insert(t.rollouts)
          .values({
            releaseId: release!.id,
            environmentId,
            ...story.projection,
            expandSql: story.projection.expandChecksum ? r.expandSql : null,
            contractSql: story.projection.contractChecksum ? r.contractSql || null : null,
            version: story.events.length,
            createdAt: ago(plan.steps[0]!.hoursAgo + 1),
            updatedAt: story.events.at(-1)?.occurredAt ?? now,
          })
          .returning({ id: t.rollouts.id });
        const rolloutId = rollout!.id;
        rolloutCount += 1;

        // The version running before this release, with what it reads: input to "can I roll back?".
        await tx.insert(t.appDeployments).values({
          environmentId,
          kind: "deployed",
          version: r.previousVersion,
          manifest: r.previousManifest,
          occurredAt: ago(plan.steps[0]!.hoursAgo + 48),
        });
        for (const e of story.events) {
          await tx.insert(t.rolloutEvents).values({
            rolloutId,
            type: e.type,
            occurredAt: e.occurredAt,
            receivedAt: e.occurredAt,
            data: e.data,
            stateBefore: e.stateBefore,
            stateAfter: e.stateAfter,
          });
          await audit(
            tx,
            e.occurredAt,
            `rollout.${e.type}`,
            "rollout",
            rolloutId,
            { from: e.stateBefore, to: e.stateAfter },
            rolloutId,
          );
        }
        if (story.migrationRuns.length)
          await tx.insert(t.migrationRuns).values(
            story.migrationRuns.map((m) => ({
              ...m,
              rolloutId,
              checksum: m.phase === "expand" ? sha256(r.expandSql) : sha256(r.contractSql),
            })),
          );
        if (story.deployments.length)
          await tx.insert(t.appDeployments).values(story.deployments.map((d) => ({ ...d, environmentId, rolloutId })));
        if (story.flagChanges.length)
          await tx.insert(t.flagChanges).values(story.flagChanges.map((f) => ({ ...f, rolloutId })));

        const snapshots = sloSeries(story.sloFrom, story.sloUntil, rolloutId, r.key.length + plan.environment.length);
        for (let i = 0; i < snapshots.length; i += 1000)
          await tx.insert(t.sloSnapshots).values(snapshots.slice(i, i + 1000));
        sloSnapshots += snapshots.length;

        for (const email of plan.approvedBy ?? []) {
          if (!r.contractSql) continue;
          const decidedAt =
            story.sloUntil.getTime() - now.getTime() < 0 ? new Date(story.sloUntil.getTime() - HOUR) : ago(1);
          await tx.insert(t.approvals).values({
            rolloutId,
            approverId: users.get(email)!,
            role: demoUsers.find((u) => u.email === email)!.role,
            decision: "approve",
            comment: "Window clean, dashboards green.",
            contractChecksum: sha256(r.contractSql),
            decidedAt,
          });
          await audit(tx, decidedAt, "approval.granted", "rollout", rolloutId, { approver: email }, rolloutId);
        }
      }
    }

    // A verified, restore-tested backup every night in every environment.
    for (const environmentId of envIds.values()) {
      const values = Array.from({ length: 14 }, (_, day) => ({
        environmentId,
        backupId: `base-${environmentId.slice(0, 8)}-${day}`,
        restoreTested: day % 7 !== 3,
        verifiedAt: ago(day * 24 + 2),
      }));
      await tx.insert(t.backups).values(values);
    }
    return { seeded: true, services: demoServices.length, rollouts: rolloutCount, sloSnapshots };
  });
}

function audit(
  db: Db,
  at: Date,
  action: string,
  subjectType: string,
  subjectId: string,
  data: Record<string, unknown>,
  rolloutId?: string,
) {
  return appendAudit(db, { at, actorType: "system", actorId: "seed", action, subjectType, subjectId, rolloutId, data });
}

/** Five-minute SLO snapshots: healthy with a little deterministic noise. */
function sloSeries(from: Date, until: Date, rolloutId: string, seed: number) {
  let state = seed * 9301 + 49297;
  const noise = () => {
    state = (state * 9301 + 49297) % 233280;
    return state / 233280;
  };
  const rows = [];
  const span = until.getTime() - from.getTime();
  for (let at = from.getTime(); at <= until.getTime(); at += 5 * MINUTE) {
    const progress = span > 0 ? (at - from.getTime()) / span : 0;
    rows.push({
      rolloutId,
      observedAt: new Date(at),
      availability: 99.93 + noise() * 0.06,
      errorBudgetRemaining: 0.82 - progress * 0.12 + noise() * 0.02,
      burnRate: 0.4 + noise() * 0.6,
      latencyP99Ms: 180 + noise() * 90,
    });
  }
  return rows;
}
