import { describe, expect, it } from "vitest";
import { EVENT_MAPPINGS, mapEvent } from "../lifecycle/map-event.ts";
import { EVENT_TYPES, eventBodySchema } from "./events.ts";
import { openApiDocument } from "./openapi.ts";
import { SAMPLE_DATA } from "../../test/samples.ts";

// One event type, one place: every type of the registry (`EVENTS` in events.ts: its schema and
// its mapping in one entry) has a sample, a mapping that gives a domain event of its own type, and
// an entry in the OpenAPI document (a new type missing any of them fails here; a missing sample or
// mapping fails the type-check as well).

const documented = (
  openApiDocument().components.schemas.Event as { oneOf: Array<{ properties: { type: { const: string } } }> }
).oneOf.map((v) => v.properties.type.const);

describe("the event type registry", () => {
  it("lists each type once", () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(EVENT_TYPES.length).toBeGreaterThan(0);
  });

  it.each(EVENT_TYPES)("%s has a sample the schema accepts, a mapping, and an OpenAPI entry", (type) => {
    expect(Object.keys(SAMPLE_DATA), "a sample in test/samples.ts").toContain(type);
    expect(Object.keys(EVENT_MAPPINGS), "a mapping in the registry (contract/events.ts)").toContain(type);
    expect(documented, "the Event schema of openapi.json").toContain(type);
    const body = eventBodySchema.parse({
      type,
      service: "svc",
      environment: "staging",
      release: "r1",
      occurred_at: "2026-01-02T03:04:05Z",
      data: SAMPLE_DATA[type],
    });
    const mapped = mapEvent(body, new Date("2026-01-02T03:04:06Z"));
    expect(mapped.body.type).toBe(type);
    if (mapped.scope === "rollout")
      expect(mapped.event).toMatchObject({ type, occurredAt: new Date("2026-01-02T03:04:06Z") });
  });

  it("has nothing else: no sample, mapping or documented type without a registered type", () => {
    expect(Object.keys(SAMPLE_DATA).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(EVENT_MAPPINGS).sort()).toEqual([...EVENT_TYPES].sort());
    expect([...documented].sort()).toEqual([...EVENT_TYPES].sort());
  });
});
