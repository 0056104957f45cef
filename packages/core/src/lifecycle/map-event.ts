import type { EventBody, IncidentEventBody } from "../contract/events.ts";
import type { DomainEvent } from "./events.ts";

/** Events about a rollout (every type but the incident ones, which belong to an environment). */
export type RolloutEventBody = Exclude<EventBody, IncidentEventBody>;

type MigrationStatement = { index: number; line: number; duration_ms: number; retries: number; concurrently?: boolean };

/** The row an accepted event adds beside the rollout's own, named by what it records. */
export type Fact =
  | { kind: "migration_started"; phase: "expand" | "contract"; name: string; checksum: string; leaseId: string | null }
  | {
      kind: "migration_finished";
      status: "succeeded" | "failed";
      phase: "expand" | "contract";
      name: string;
      checksum: string;
      durationMs?: number;
      exitCode?: number;
      logTail?: string;
      logUrl?: string;
      statements?: MigrationStatement[];
    }
  | { kind: "deployment"; deployment: "deployed" | "rolled_back"; version: string; manifest: string[] | null }
  | { kind: "flag_change"; flag: string; percent: number }
  | {
      kind: "slo_snapshot";
      availability: number;
      errorBudgetRemaining: number;
      burnRate: number;
      latencyP99Ms?: number;
    }
  | { kind: "backup"; backupId: string; restoreTested: boolean }
  | { kind: "inspection"; inspection: Extract<EventBody, { type: "database.inspected" }>["data"] };

/** What the rest of Rollgate needs from one validated rollout event. */
export interface MappedRolloutEvent {
  scope: "rollout";
  body: RolloutEventBody;
  /**
   * The event as the lifecycle sees it, timed by receipt. A `migration.started` still lacks
   * what only the server can add in its transaction: the analyser's verdict and the lease.
   */
  event: DomainEvent;
  /** The row it adds besides the event itself; null when the event is only a change of state. */
  fact: Fact | null;
  /** What the rollout's timeline keeps (`rollout_events.data`). */
  data: Record<string, unknown>;
  /** Chained in the audit log even when the rollout's state does not change. */
  alwaysAudited: boolean;
}

export type MappedEvent = MappedRolloutEvent | { scope: "environment"; body: IncidentEventBody };

type Mapper<K extends EventBody["type"]> = (body: Extract<EventBody, { type: K }>, receivedAt: Date) => MappedEvent;

const rolloutEvent = (body: RolloutEventBody, event: DomainEvent, fact: Fact | null): MappedRolloutEvent => ({
  scope: "rollout",
  body,
  event,
  fact,
  data: body.data,
  alwaysAudited: false,
});

/**
 * The one place an event type is mapped: a key for every type of the wire contract, so a new
 * type without a mapping fails the type-check. The lifecycle sees the server's clock: every
 * duration that gates anything is measured from when Rollgate received the event.
 */
export const EVENT_MAPPINGS: { [K in EventBody["type"]]: Mapper<K> } = {
  "release.created": (body, at) => ({
    ...rolloutEvent(body, { type: body.type, occurredAt: at }, null),
    alwaysAudited: true,
  }),
  "migration.started": (body, at) => {
    const { phase, name, checksum, lease_id } = body.data;
    return rolloutEvent(
      body,
      { type: body.type, occurredAt: at, phase, name, checksum },
      { kind: "migration_started", phase, name, checksum, leaseId: lease_id ?? null },
    );
  },
  "migration.succeeded": (body, at) => migrationFinished(body, at, "succeeded"),
  "migration.failed": (body, at) => migrationFinished(body, at, "failed"),
  "app.deployed": (body, at) => deployment(body, at, "deployed"),
  "app.rolled_back": (body, at) => deployment(body, at, "rolled_back"),
  "flag.changed": (body, at) =>
    rolloutEvent(
      body,
      { type: body.type, occurredAt: at, percent: body.data.percent },
      { kind: "flag_change", flag: body.data.flag, percent: body.data.percent },
    ),
  "slo.snapshot": (body, at) => {
    const d = body.data;
    return rolloutEvent(
      body,
      { type: body.type, occurredAt: at },
      {
        kind: "slo_snapshot",
        availability: d.availability,
        errorBudgetRemaining: d.error_budget_remaining,
        burnRate: d.burn_rate,
        latencyP99Ms: d.latency_p99_ms,
      },
    );
  },
  "backup.verified": (body, at) =>
    rolloutEvent(
      body,
      { type: body.type, occurredAt: at },
      { kind: "backup", backupId: body.data.backup_id, restoreTested: body.data.restore_tested },
    ),
  "incident.opened": (body) => ({ scope: "environment", body }),
  "incident.resolved": (body) => ({ scope: "environment", body }),
  "database.inspected": (body, at) => ({
    ...rolloutEvent(
      body,
      { type: body.type, occurredAt: at, server: body.data.server },
      { kind: "inspection", inspection: body.data },
    ),
    data: inspectionDigest(body.data),
  }),
};

/** Maps a validated wire event, received at `receivedAt`, to what the lifecycle and the database need. */
export function mapEvent(body: EventBody, receivedAt: Date): MappedEvent {
  return (EVENT_MAPPINGS[body.type] as Mapper<EventBody["type"]>)(body as never, receivedAt);
}

function migrationFinished(
  body: Extract<EventBody, { type: "migration.succeeded" | "migration.failed" }>,
  at: Date,
  status: "succeeded" | "failed",
): MappedRolloutEvent {
  const d = body.data;
  return rolloutEvent(
    body,
    { type: body.type, occurredAt: at, phase: d.phase, name: d.name, checksum: d.checksum },
    {
      kind: "migration_finished",
      status,
      phase: d.phase,
      name: d.name,
      checksum: d.checksum,
      durationMs: d.duration_ms,
      exitCode: d.exit_code,
      logTail: d.log_tail,
      logUrl: d.log_url,
      statements: d.statements,
    },
  );
}

function deployment(
  body: Extract<EventBody, { type: "app.deployed" | "app.rolled_back" }>,
  at: Date,
  kind: "deployed" | "rolled_back",
): MappedRolloutEvent {
  const manifest = body.data.manifest ?? null;
  return rolloutEvent(
    body,
    { type: body.type, occurredAt: at, version: body.data.version, manifest },
    { kind: "deployment", deployment: kind, version: body.data.version, manifest },
  );
}

/** The timeline keeps a digest of an inspection; the summary itself goes to `inspections`. */
function inspectionDigest(data: Extract<EventBody, { type: "database.inspected" }>["data"]) {
  return {
    window_start: data.window_start ?? false,
    statistics: data.statistics,
    statements: data.statements.length,
    expand_drift: data.expand.filter((o) => o.state !== "present").length,
    sessions: data.sessions.length,
    duration_ms: data.duration_ms,
  };
}
