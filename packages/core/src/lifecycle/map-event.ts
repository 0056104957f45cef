import {
  EVENTS,
  type EventBody,
  type EventMapping,
  type EventType,
  type IncidentEventBody,
  type Optionals,
  type RolloutEventType,
} from "../contract/events.ts";
import type { DomainEvent } from "./events.ts";

/** Events about a rollout (every type but the incident ones, which belong to an environment). */
export type RolloutEventBody = Exclude<EventBody, IncidentEventBody>;

/** The row an accepted event adds beside the rollout's own, named by what it records: the facts the event types' mappings give. */
export type Fact = { [K in RolloutEventType]: Optionals<NonNullable<EventMapping<K>["fact"]>> }[RolloutEventType];

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

type Mapper<K extends EventType> = (body: Extract<EventBody, { type: K }>, receivedAt: Date) => MappedEvent;

/**
 * Maps a validated wire event, received at `receivedAt`, by its type's entry in the registry
 * (`EVENTS`): an environment's event as it is; a rollout's event to its domain event (timed by
 * receipt: every duration that gates anything is measured from when Rollgate received it), the
 * row it adds and what the timeline keeps.
 */
export function mapEvent(body: EventBody, receivedAt: Date): MappedEvent {
  const entry = EVENTS[body.type];
  if (entry.scope === "environment") return { scope: "environment", body: body as IncidentEventBody };
  const rollout = body as RolloutEventBody;
  const mapping = (entry.map as (data: unknown) => EventMapping<RolloutEventType>)(rollout.data);
  return {
    scope: "rollout",
    body: rollout,
    event: { type: rollout.type, occurredAt: receivedAt, ...mapping.event } as DomainEvent,
    fact: mapping.fact as Fact | null,
    data: "timeline" in mapping && mapping.timeline ? mapping.timeline : rollout.data,
    alwaysAudited: ("alwaysAudited" in mapping && mapping.alwaysAudited) || false,
  };
}

/** The mapping of every registered type (all of them, as the registry gives each one). */
export const EVENT_MAPPINGS = Object.fromEntries(
  (Object.keys(EVENTS) as EventType[]).map((type) => [type, mapEvent]),
) as { [K in EventType]: Mapper<K> };
