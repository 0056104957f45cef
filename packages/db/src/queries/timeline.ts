import { asc, eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import { flagChanges, migrationRuns } from "../schema/index.ts";

/** Where a page of the timeline ends: the last item's time and id (ties broken by id). */
export interface TimelineCursor {
  at: Date;
  id: string;
}

/** `2026-11-01T10:00:00.000Z_<uuid>`: opaque to people, stable in a URL. */
export function encodeCursor(cursor: TimelineCursor): string {
  return `${cursor.at.toISOString()}_${cursor.id}`;
}

/** The cursor from a URL, or null when it is missing or malformed (the first page). */
export function decodeCursor(raw: string | undefined | null): TimelineCursor | null {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)_([0-9a-f-]{36})$/i.exec(raw ?? "");
  if (!match) return null;
  const at = new Date(match[1]!);
  return Number.isNaN(at.getTime()) ? null : { at, id: match[2]! };
}

export interface TimelineItem {
  id: string;
  at: Date;
  /** An accepted CI event, a person's approval decision or its withdrawal, a break-glass override, or a refused delivery. */
  kind: "event" | "approval" | "withdrawal" | "override" | "rejected";
  /** The event type, the decision, or the refused event's type. */
  what: string;
  data: Record<string, unknown>;
  stateBefore: string | null;
  stateAfter: string | null;
  actor: string | null;
}

type TimelineRow = Omit<TimelineItem, "at" | "data"> & { at: string | Date; data: Record<string, unknown> | null };

/**
 * One page of everything that happened to a rollout, newest first: accepted events (but
 * SLO snapshots, which the charts show, and backfill progress, which the backfill panel shows), approvals and withdrawals, overrides and refused
 * deliveries. An event is placed when Rollgate received it, not when the pipeline says it
 * happened (a backdated event received last shows last). Paged by keyset (time, id), so the
 * thousandth page costs what the first does.
 */
export async function timelinePage(
  db: Db,
  rolloutId: string,
  options: { before?: TimelineCursor | null; limit?: number } = {},
) {
  const limit = options.limit ?? 50;
  const before = options.before ?? null;
  const result = await db.execute(sql`
    select id, at, kind, what, data, state_before as "stateBefore", state_after as "stateAfter", actor from (
      select e.id, e.received_at as at, 'event' as kind, e.type as what, e.data, e.state_before, e.state_after, null::text as actor
        from rollout_events e where e.rollout_id = ${rolloutId} and e.type <> 'slo.snapshot' and e.type <> 'backfill.progress'
      union all
      select a.id, a.decided_at, 'approval', a.decision, jsonb_build_object('comment', a.comment, 'checksum', a.contract_checksum, 'role', a.role), null, null, u.email
        from approvals a join users u on u.id = a.approver_id where a.rollout_id = ${rolloutId}
      union all
      select a.id, a.withdrawn_at, 'withdrawal', a.decision, jsonb_build_object('checksum', a.contract_checksum), null, null, u.email
        from approvals a join users u on u.id = a.approver_id where a.rollout_id = ${rolloutId} and a.withdrawn_at is not null
      union all
      select o.id, o.created_at, 'override', 'break-glass', jsonb_build_object('checks', o.checks, 'justification', o.justification, 'expires_at', o.expires_at), null, null, u.email
        from overrides o join users u on u.id = o.actor_id where o.rollout_id = ${rolloutId}
      union all
      select d.id, d.received_at, 'rejected', coalesce(d.event_type, 'event'), d.error, null, null, null
        from webhook_deliveries d where d.rollout_id = ${rolloutId} and d.status = 'rejected'
    ) items
    where ${before === null} or (at, id) < (${before?.at.toISOString() ?? null}::timestamptz, ${before?.id ?? null}::uuid)
    order by at desc, id desc
    limit ${limit + 1}`);
  const rows = rowsOf<TimelineRow>(result);
  const items: TimelineItem[] = rows.slice(0, limit).map((r) => ({ ...r, at: new Date(r.at), data: r.data ?? {} }));
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { at: last.at, id: last.id } : null };
}

/** The flag's percentage over time for a rollout (a ramp has tens of steps, not thousands). */
export async function flagHistory(db: Db, rolloutId: string, limit = 1000) {
  return db
    .select({ flag: flagChanges.flag, percent: flagChanges.percent, at: flagChanges.occurredAt })
    .from(flagChanges)
    .where(eq(flagChanges.rolloutId, rolloutId))
    .orderBy(asc(flagChanges.occurredAt))
    .limit(limit);
}

/** Every run of the expand and contract scripts, oldest first. */
export async function migrationHistory(db: Db, rolloutId: string) {
  return db
    .select()
    .from(migrationRuns)
    .where(eq(migrationRuns.rolloutId, rolloutId))
    .orderBy(asc(migrationRuns.startedAt));
}
