import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import {
  environments,
  notificationCursor,
  notificationDeliveries,
  notificationSubscriptions,
  services,
} from "../schema/index.ts";

export interface NotificationInput {
  serviceId: string;
  environmentId: string | null;
  type: string;
  /** What makes two raisings the same event (e.g. `lease:<id>`); unique per subscription. */
  key: string;
  payload: Record<string, unknown>;
  /** When the change happened: the delivery is due from then (the clock the worker compares with). */
  now: Date;
}

/**
 * Queues one delivery per live subscription of the service (all environments, or this one)
 * that wants `type`. Call it inside the transaction of the change it reports, so a message
 * exists exactly when the change committed; a repeat with the same key adds nothing.
 */
export async function enqueueNotification(db: Db, input: NotificationInput): Promise<number> {
  const envMatch = input.environmentId
    ? or(
        isNull(notificationSubscriptions.environmentId),
        eq(notificationSubscriptions.environmentId, input.environmentId),
      )
    : isNull(notificationSubscriptions.environmentId);
  const subs = await db
    .select({ id: notificationSubscriptions.id })
    .from(notificationSubscriptions)
    .where(
      and(
        eq(notificationSubscriptions.serviceId, input.serviceId),
        isNull(notificationSubscriptions.disabledAt),
        envMatch,
        sql`${input.type} = any(${notificationSubscriptions.eventTypes})`,
      ),
    );
  if (subs.length === 0) return 0;
  const rows = await db
    .insert(notificationDeliveries)
    .values(
      subs.map((s) => ({
        subscriptionId: s.id,
        eventType: input.type,
        dedupeKey: input.key,
        payload: input.payload,
        nextAttemptAt: input.now,
        createdAt: input.now,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: notificationDeliveries.id });
  return rows.length;
}

export interface ClaimedDelivery {
  id: string;
  eventType: string;
  payload: Record<string, unknown>;
  attempts: number;
  kind: "slack" | "webhook";
  url: string;
  secretCiphertext: string | null;
}

/**
 * Takes up to `limit` due deliveries and pushes their next attempt to `leaseUntil`, so a
 * worker that dies mid-send leaves them to be retried. `skip locked`: two workers on
 * PostgreSQL take different rows.
 */
export async function claimDueDeliveries(db: Db, now: Date, leaseUntil: Date, limit = 20): Promise<ClaimedDelivery[]> {
  const rows = rowsOf<{
    id: string;
    event_type: string;
    payload: Record<string, unknown>;
    attempts: number;
    kind: "slack" | "webhook";
    url: string;
    secret_ciphertext: string | null;
  }>(
    await db.execute(sql`
      with due as (
        select d.id from notification_deliveries d
        where d.status = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz
        order by d.next_attempt_at limit ${limit}
        for update skip locked
      )
      update notification_deliveries d set next_attempt_at = ${leaseUntil.toISOString()}::timestamptz
      from due, notification_subscriptions s
      where d.id = due.id and s.id = d.subscription_id
      returning d.id, d.event_type, d.payload, d.attempts, s.kind, s.url, s.secret_ciphertext`),
  );
  return rows.map((r) => ({
    id: r.id,
    eventType: r.event_type,
    payload: r.payload,
    attempts: r.attempts,
    kind: r.kind,
    url: r.url,
    secretCiphertext: r.secret_ciphertext,
  }));
}

/** Books the outcome of one attempt: delivered, retried at `retryAt`, or given up (`retryAt` null). */
export async function recordAttempt(
  db: Db,
  id: string,
  outcome: { ok: true; at: Date } | { ok: false; error: string; retryAt: Date | null },
): Promise<void> {
  const attempts = sql`${notificationDeliveries.attempts} + 1`;
  if (outcome.ok) {
    await db
      .update(notificationDeliveries)
      .set({ status: "delivered", attempts, deliveredAt: outcome.at, lastError: null })
      .where(eq(notificationDeliveries.id, id));
    return;
  }
  const error = outcome.error.slice(0, 1000);
  if (outcome.retryAt)
    await db
      .update(notificationDeliveries)
      .set({ attempts, lastError: error, nextAttemptAt: outcome.retryAt })
      .where(eq(notificationDeliveries.id, id));
  else
    await db
      .update(notificationDeliveries)
      .set({ attempts, lastError: error, status: "failed" })
      .where(eq(notificationDeliveries.id, id));
}

/** "Retry now": a pending or failed delivery becomes due at once (a failed one gets its attempts back). */
export async function retryDeliveryNow(db: Db, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(notificationDeliveries)
    .set({
      status: "pending",
      nextAttemptAt: now,
      attempts: sql`case when ${notificationDeliveries.status} = 'failed' then 0 else ${notificationDeliveries.attempts} end`,
    })
    .where(and(eq(notificationDeliveries.id, id), inArray(notificationDeliveries.status, ["pending", "failed"])))
    .returning({ id: notificationDeliveries.id });
  return rows.length === 1;
}

export async function createSubscription(
  db: Db,
  params: {
    serviceId: string;
    environmentId: string | null;
    kind: "slack" | "webhook";
    url: string;
    secretCiphertext: string | null;
    eventTypes: string[];
    createdBy: string;
  },
) {
  const [row] = await db
    .insert(notificationSubscriptions)
    .values(params)
    .returning({ id: notificationSubscriptions.id });
  return row!;
}

export async function disableSubscription(db: Db, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(notificationSubscriptions)
    .set({ disabledAt: now })
    .where(and(eq(notificationSubscriptions.id, id), isNull(notificationSubscriptions.disabledAt)))
    .returning({ id: notificationSubscriptions.id });
  return rows.length === 1;
}

/** Subscriptions for the admin page; the URL is shown without its path (Slack's carries the credential). */
export async function listSubscriptions(db: Db) {
  return db
    .select({
      id: notificationSubscriptions.id,
      service: services.slug,
      environment: environments.name,
      kind: notificationSubscriptions.kind,
      url: notificationSubscriptions.url,
      eventTypes: notificationSubscriptions.eventTypes,
      createdBy: notificationSubscriptions.createdBy,
      createdAt: notificationSubscriptions.createdAt,
      disabledAt: notificationSubscriptions.disabledAt,
    })
    .from(notificationSubscriptions)
    .innerJoin(services, eq(services.id, notificationSubscriptions.serviceId))
    .leftJoin(environments, eq(environments.id, notificationSubscriptions.environmentId))
    .orderBy(services.slug, desc(notificationSubscriptions.createdAt));
}

export async function listDeliveries(db: Db, limit = 100) {
  return db
    .select({
      id: notificationDeliveries.id,
      subscriptionId: notificationDeliveries.subscriptionId,
      kind: notificationSubscriptions.kind,
      service: services.slug,
      eventType: notificationDeliveries.eventType,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
      lastError: notificationDeliveries.lastError,
      createdAt: notificationDeliveries.createdAt,
      deliveredAt: notificationDeliveries.deliveredAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationSubscriptions, eq(notificationSubscriptions.id, notificationDeliveries.subscriptionId))
    .innerJoin(services, eq(services.id, notificationSubscriptions.serviceId))
    .orderBy(desc(notificationDeliveries.createdAt))
    .limit(limit);
}

export interface WindowEdge {
  rolloutId: string;
  serviceId: string;
  environmentId: string;
  service: string;
  environment: string;
  release: string;
  endsAt: Date;
}

/** The columns every watcher query selects, as a `WindowEdge` at `at`. */
interface EdgeRow {
  rollout_id: string;
  service_id: string;
  environment_id: string;
  service: string;
  environment: string;
  release: string;
}

function windowEdgeOf(r: EdgeRow, at: string | Date): WindowEdge {
  return {
    rolloutId: r.rollout_id,
    serviceId: r.service_id,
    environmentId: r.environment_id,
    service: r.service,
    environment: r.environment,
    release: r.release,
    endsAt: new Date(at),
  };
}

/** A verifying rollout whose rollback window has started, with its environment's stored policy: when the window ends is core's (`windowEndsAt`). */
export interface StartedWindow extends Omit<WindowEdge, "endsAt"> {
  startedAt: Date;
  policy: unknown;
}

interface StartedRow extends EdgeRow {
  started_at: string | Date;
  policy: unknown;
}

const startedWindowOf = (r: StartedRow): StartedWindow => {
  const { endsAt: _, ...edge } = windowEdgeOf(r, r.started_at);
  return { ...edge, startedAt: new Date(r.started_at), policy: r.policy };
};

/** Every verifying rollout whose rollback window has started. */
export async function startedWindows(db: Db): Promise<StartedWindow[]> {
  const rows = rowsOf<StartedRow>(
    await db.execute(sql`
      select r.id as rollout_id, s.id as service_id, e.id as environment_id, s.slug as service, e.name as environment, rel.key as release,
             r.window_started_at as started_at, e.policy
      from rollouts r join releases rel on rel.id = r.release_id join environments e on e.id = r.environment_id join services s on s.id = e.service_id
      where r.state = 'verifying' and r.window_started_at is not null`),
  );
  return rows.map(startedWindowOf);
}

/** Reads and moves the window watcher's cursor (first run: starts at `now`, reporting nothing from the past). */
export async function advanceCursor(db: Db, name: string, now: Date): Promise<Date> {
  const [existing] = await db
    .select({ at: notificationCursor.checkedUntil })
    .from(notificationCursor)
    .where(eq(notificationCursor.name, name));
  await db
    .insert(notificationCursor)
    .values({ name, checkedUntil: now })
    .onConflictDoUpdate({ target: notificationCursor.name, set: { checkedUntil: now } });
  return existing?.at ?? now;
}

/**
 * Verifying rollouts with a started window and a contract script that someone wants `gate.open`
 * for and that were not reported open for their current contract script yet: the watcher
 * evaluates those whose window has ended.
 */
export async function gateOpenCandidates(db: Db): Promise<Array<StartedWindow & { checksum: string }>> {
  const rows = rowsOf<StartedRow & { checksum: string }>(
    await db.execute(sql`
      select r.id as rollout_id, s.id as service_id, e.id as environment_id, s.slug as service, e.name as environment, rel.key as release, r.contract_checksum as checksum,
             r.window_started_at as started_at, e.policy
      from rollouts r join releases rel on rel.id = r.release_id join environments e on e.id = r.environment_id join services s on s.id = e.service_id
      where r.state = 'verifying' and r.window_started_at is not null and r.contract_checksum is not null
        and exists (
          select 1 from notification_subscriptions n
          where n.service_id = s.id and n.disabled_at is null and (n.environment_id is null or n.environment_id = e.id) and 'gate.open' = any(n.event_types)
            and not exists (select 1 from notification_deliveries d where d.subscription_id = n.id and d.dedupe_key = 'gate.open:' || r.id || ':' || r.contract_checksum))`),
  );
  return rows.map((r) => ({ ...startedWindowOf(r), checksum: r.checksum }));
}

export interface NoGoRaised extends WindowEdge {
  incidentId: string;
  title: string;
  source: string;
}

/**
 * Open incidents that block contract, opened in (from, to], once for each rollout of their
 * environment that still has a contract ahead (rolling out, verifying, or a failed contract).
 */
export async function noGosOpenedBetween(db: Db, from: Date, to: Date): Promise<NoGoRaised[]> {
  const rows = rowsOf<{
    incident_id: string;
    title: string;
    source: string;
    rollout_id: string;
    service_id: string;
    environment_id: string;
    service: string;
    environment: string;
    release: string;
    opened_at: string | Date;
  }>(
    await db.execute(sql`
      select i.id as incident_id, i.title, i.source, i.opened_at, r.id as rollout_id, s.id as service_id, e.id as environment_id, s.slug as service, e.name as environment, rel.key as release
      from incidents i join environments e on e.id = i.environment_id join services s on s.id = e.service_id
        join rollouts r on r.environment_id = e.id join releases rel on rel.id = r.release_id
      where i.closed_at is null and i.blocks_contract and i.opened_at > ${from.toISOString()}::timestamptz and i.opened_at <= ${to.toISOString()}::timestamptz
        and r.state in ('expanded', 'rolling_out', 'verifying', 'contract_failed')`),
  );
  return rows.map((r) => ({
    incidentId: r.incident_id,
    title: r.title,
    source: r.source,
    ...windowEdgeOf(r, r.opened_at),
  }));
}

export interface ApprovalNeeded extends WindowEdge {
  required: number;
  allowedRoles: string[];
  author: string;
  /** E-mails of people holding an allowed role globally or for this service (the author excluded). */
  approvers: string[];
}

/** Rollouts whose window started in (from, to] under a policy that asks for approvals, with who may give them. */
export async function approvalsNeededBetween(db: Db, from: Date, to: Date): Promise<ApprovalNeeded[]> {
  const rows = rowsOf<{
    rollout_id: string;
    service_id: string;
    environment_id: string;
    service: string;
    environment: string;
    release: string;
    author: string;
    policy: { approvals?: { required?: number; allowedRoles?: string[] } };
    started_at: string | Date;
    approvers: string[] | null;
  }>(
    await db.execute(sql`
      select r.id as rollout_id, s.id as service_id, e.id as environment_id, s.slug as service, e.name as environment, rel.key as release, rel.author, e.policy, r.window_started_at as started_at,
             (select array_agg(distinct u.email order by u.email) from user_roles ur join users u on u.id = ur.user_id
               where (ur.service_id is null or ur.service_id = s.id) and ur.role = any(array(select jsonb_array_elements_text(e.policy -> 'approvals' -> 'allowedRoles'))) and lower(u.email) <> lower(rel.author)) as approvers
      from rollouts r join releases rel on rel.id = r.release_id join environments e on e.id = r.environment_id join services s on s.id = e.service_id
      where r.state = 'verifying' and coalesce((e.policy -> 'approvals' ->> 'required')::int, 0) > 0
        and r.window_started_at > ${from.toISOString()}::timestamptz and r.window_started_at <= ${to.toISOString()}::timestamptz`),
  );
  return rows.map((r) => ({
    ...windowEdgeOf(r, r.started_at),
    author: r.author,
    required: r.policy.approvals?.required ?? 0,
    allowedRoles: r.policy.approvals?.allowedRoles ?? [],
    approvers: r.approvers ?? [],
  }));
}

export interface OverrideUnreviewed extends WindowEdge {
  overrideId: string;
  kind: string;
  actor: string;
  checks: string[];
}

/** Break-glass and recovery overrides that ended in (from, to] and nobody has reviewed yet. */
export async function overridesUnreviewedBetween(db: Db, from: Date, to: Date): Promise<OverrideUnreviewed[]> {
  const rows = rowsOf<{
    override_id: string;
    kind: string;
    actor: string;
    checks: string[];
    rollout_id: string;
    service_id: string;
    environment_id: string;
    service: string;
    environment: string;
    release: string;
    expires_at: string | Date;
  }>(
    await db.execute(sql`
      select o.id as override_id, o.kind, u.email as actor, o.checks, o.expires_at, r.id as rollout_id, s.id as service_id, e.id as environment_id, s.slug as service, e.name as environment, rel.key as release
      from overrides o join users u on u.id = o.actor_id join rollouts r on r.id = o.rollout_id join releases rel on rel.id = r.release_id
        join environments e on e.id = r.environment_id join services s on s.id = e.service_id
      where o.reviewed_at is null and o.expires_at > ${from.toISOString()}::timestamptz and o.expires_at <= ${to.toISOString()}::timestamptz`),
  );
  return rows.map((r) => ({
    overrideId: r.override_id,
    kind: r.kind,
    actor: r.actor,
    checks: r.checks,
    ...windowEdgeOf(r, r.expires_at),
  }));
}
