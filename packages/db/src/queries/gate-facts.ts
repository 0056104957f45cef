import type { ApprovalFact, DatabaseFacts, GateCheckId, GateFacts, OverrideFact } from "@rollgate/core/gate";
import type { RolloutState } from "@rollgate/core/types";
import { and, asc, desc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { approvals, backups, environments, incidents, overrides, rollouts, userRoles, users } from "../schema/index.ts";
import { authorIdsOf } from "./identities.ts";
import { loadDatabaseFacts } from "./inspections.ts";
import { activeLease } from "./leases.ts";
import { projectionOf, type RolloutRow } from "./rollouts.ts";
import { sloSummary } from "./slo-series.ts";
import { sloPullFacts } from "./slo-pulls.ts";

/**
 * Everything the gate needs for one rollout, as aggregates: SLOs since the window started
 * come back as a count and worst values (from per-minute rollups), never as a series, so the
 * gate stays fast with millions of snapshots. The caller supplies what needs the SQL analyser.
 */
export async function loadGateFacts(db: Db, row: RolloutRow, now: Date, expandDestructiveFindings: number, contract: DatabaseFacts["contract"] = null): Promise<GateFacts> {
  const { rollout, release } = row;
  const windowStart = rollout.windowStartedAt;
  const slo = windowStart
    ? await sloSummary(db, { rolloutId: rollout.id, from: windowStart, to: now })
    : { samples: 0, minAvailability: null, minErrorBudgetRemaining: null, maxBurnRate: null };
  const pulls = windowStart ? await sloPullFacts(db, rollout.id, now) : undefined;

  const [backup] = await db
    .select({ backupId: backups.backupId, verifiedAt: backups.verifiedAt })
    .from(backups)
    .where(and(eq(backups.environmentId, rollout.environmentId), eq(backups.restoreTested, true), lte(backups.verifiedAt, now)))
    .orderBy(desc(backups.verifiedAt))
    .limit(1);

  const earlier = await db
    .select({ name: environments.name, state: rollouts.state })
    .from(environments)
    .leftJoin(rollouts, and(eq(rollouts.environmentId, environments.id), eq(rollouts.releaseId, release.id)))
    .where(and(eq(environments.serviceId, row.serviceId), lt(environments.position, row.environmentPosition)))
    .orderBy(asc(environments.position));

  const open = await db
    .select({ title: incidents.title, openedAt: incidents.openedAt, source: incidents.source, url: incidents.url })
    .from(incidents)
    .where(and(eq(incidents.environmentId, rollout.environmentId), isNull(incidents.closedAt), eq(incidents.blocksContract, true)));

  // The roles each approver holds on this service *now*: a revoked role stops counting at once.
  const currentRoles = db
    .select({ roles: sql<string[]>`coalesce(array_agg(${userRoles.role}), '{}')`.as("roles") })
    .from(userRoles)
    .where(and(eq(userRoles.userId, approvals.approverId), or(isNull(userRoles.serviceId), eq(userRoles.serviceId, row.serviceId))));
  const decided = await db
    .select({ approverId: approvals.approverId, approverEmail: users.email, role: approvals.role, currentRoles: sql<string[]>`(${currentRoles})`, decision: approvals.decision, contractChecksum: approvals.contractChecksum, decidedAt: approvals.decidedAt, withdrawnAt: approvals.withdrawnAt })
    .from(approvals)
    .innerJoin(users, eq(users.id, approvals.approverId))
    .where(eq(approvals.rolloutId, rollout.id));

  const overriding = await db
    .select({ kind: overrides.kind, checks: overrides.checks, actor: users.email, createdAt: overrides.createdAt, expiresAt: overrides.expiresAt, confirmedAt: overrides.confirmedAt })
    .from(overrides)
    .innerJoin(users, eq(users.id, overrides.actorId))
    .where(eq(overrides.rolloutId, rollout.id));

  const lease = await activeLease(db, rollout.id, now);
  const database = await loadDatabaseFacts(db, { environmentId: rollout.environmentId, windowStartedAt: windowStart, now, contract, expandChecksum: rollout.expandChecksum });
  return {
    rollout: projectionOf(rollout),
    expandDestructiveFindings,
    slo: pulls ? { ...slo, pulls } : slo,
    latestTestedBackup: backup ?? null,
    earlierEnvironments: earlier.map((e) => ({ name: e.name, state: (e.state as RolloutState | null) ?? null })),
    openIncidents: open,
    environment: row.environmentName,
    releaseAuthor: release.author,
    authorIds: await authorIdsOf(db, release.author),
    approvals: decided.map((a) => ({ ...a, currentRoles: parseRoles(a.currentRoles) })) as ApprovalFact[],
    activeLease: lease ? { holder: lease.holder, expiresAt: lease.expiresAt } : null,
    overrides: overriding.map((o) => ({ ...o, kind: o.kind as OverrideFact["kind"], checks: o.checks as GateCheckId[] })),
    database,
  };
}

/** A text[] from a subquery: postgres.js parses it, PGlite may hand back the literal `{a,b}`. */
function parseRoles(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean);
  return [];
}
