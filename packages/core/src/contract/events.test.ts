import { describe, expect, it } from "vitest";
import { eventBodySchema } from "./events.ts";
import { openApiDocument } from "./openapi.ts";

/** One valid `data` for every event type the server accepts. */
export const SAMPLE_DATA: Record<string, Record<string, unknown>> = {
  "release.created": { title: "Drop users.email", author: "dev@example.com", app_version: "2.0.0" },
  "migration.started": { phase: "expand", name: "e", checksum: "a".repeat(64) },
  "migration.succeeded": { phase: "expand", name: "e", checksum: "a".repeat(64), duration_ms: 10, exit_code: 0 },
  "migration.failed": { phase: "expand", name: "e", checksum: "a".repeat(64), exit_code: 1 },
  "app.deployed": { version: "2.0.0", manifest: ["users.id"] },
  "app.rolled_back": { version: "1.9.0" },
  "flag.changed": { flag: "f", percent: 50 },
  "slo.snapshot": { availability: 99.9, error_budget_remaining: 0.5, burn_rate: 1 },
  "backup.verified": { backup_id: "b", restore_tested: true },
  "incident.opened": { key: "INC-1", title: "Checkout errors", url: "https://status.example.com/INC-1" },
  "incident.resolved": { key: "INC-1" },
  "database.inspected": {
    format: 1,
    server: { version: "15.8", started_at: "2026-01-02T00:00:00Z", database: "app" },
    statistics: { available: true, track: "all", stats_reset: null, dealloc: 0, statements: 1, unresolved: 0 },
    statements: [{ id: "42", calls: 3, text: "select email from users where id = $1", objects: ["public.users.email"] }],
    usage: { users: "=3,email=3" },
    usage_complete: true,
    expand: [],
    tables: [],
    sessions: [],
    duration_ms: 12,
  },
};

const body = (type: string, data: Record<string, unknown>) => ({ type, service: "svc", environment: "staging", release: "r1", occurred_at: "2026-01-02T03:04:05Z", data });

interface JsonObjectSchema {
  properties: { type: { const: string }; data: { additionalProperties?: unknown } };
  additionalProperties?: unknown;
}
const documented = () => (openApiDocument().components.schemas.Event as unknown as { oneOf: JsonObjectSchema[] }).oneOf;

describe("finding 19: the OpenAPI document and the server agree that event objects are closed", () => {
  it("finding 19: every event type's schema in the OpenAPI document has additionalProperties false, at the top level and in data", () => {
    const variants = documented();
    expect(variants.map((v) => v.properties.type.const).sort()).toEqual(Object.keys(SAMPLE_DATA).sort());
    for (const variant of variants) {
      expect(variant.additionalProperties, variant.properties.type.const).toBe(false);
      expect(variant.properties.data.additionalProperties, `${variant.properties.type.const} data`).toBe(false);
    }
  });

  it("finding 19: the server's schema refuses an unknown field at the top level and in data of every event type", () => {
    for (const variant of documented()) {
      const type = variant.properties.type.const;
      const valid = body(type, SAMPLE_DATA[type]!);
      expect(eventBodySchema.safeParse(valid).success, type).toBe(true);
      const top = eventBodySchema.safeParse({ ...valid, leaseId: "x" });
      expect(top.error?.issues, type).toEqual([expect.objectContaining({ code: "unrecognized_keys", keys: ["leaseId"], path: [] })]);
      const inData = eventBodySchema.safeParse({ ...valid, data: { ...valid.data, restoreTested: true } });
      expect(inData.error?.issues, type).toEqual([expect.objectContaining({ code: "unrecognized_keys", keys: ["restoreTested"], path: ["data"] })]);
    }
  });
});

describe("finding 18: values the schema accepts fit the columns they are stored in", () => {
  it.each([
    ["an occurred_at in year 0", { occurred_at: "0000-01-01T00:00:00Z" }],
    ["an occurred_at past year 9999 once its offset is applied", { occurred_at: "9999-12-31T23:59:59-14:00" }],
  ])("refuses %s", (_name, patch) => {
    expect(eventBodySchema.safeParse({ ...body("app.deployed", { version: "1" }), ...patch }).success).toBe(false);
  });

  it.each([
    ["a duration over PostgreSQL's integer", "migration.succeeded", { ...SAMPLE_DATA["migration.succeeded"], duration_ms: 2 ** 31 }],
    ["an exit code over PostgreSQL's integer", "migration.failed", { ...SAMPLE_DATA["migration.failed"], exit_code: 1e300 }],
    ["a fractional flag percentage (stored as an integer)", "flag.changed", { flag: "f", percent: 12.5 }],
  ])("refuses %s", (_name, type, data) => {
    expect(eventBodySchema.safeParse(body(type, data)).success).toBe(false);
  });
});
