import { describe, expect, it } from "vitest";
import { eventBodySchema, type EventType } from "./events.ts";
import { openApiDocument } from "./openapi.ts";
import { SAMPLE_DATA } from "../../test/samples.ts";

const body = (type: string, data: Record<string, unknown>) => ({
  type,
  service: "svc",
  environment: "staging",
  release: "r1",
  occurred_at: "2026-01-02T03:04:05Z",
  data,
});

interface JsonObjectSchema {
  properties: { type: { const: EventType }; data: { additionalProperties?: unknown } };
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
      expect(top.error?.issues, type).toEqual([
        expect.objectContaining({ code: "unrecognized_keys", keys: ["leaseId"], path: [] }),
      ]);
      const inData = eventBodySchema.safeParse({ ...valid, data: { ...valid.data, restoreTested: true } });
      expect(inData.error?.issues, type).toEqual([
        expect.objectContaining({ code: "unrecognized_keys", keys: ["restoreTested"], path: ["data"] }),
      ]);
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
    [
      "a duration over PostgreSQL's integer",
      "migration.succeeded",
      { ...SAMPLE_DATA["migration.succeeded"], duration_ms: 2 ** 31 },
    ],
    [
      "an exit code over PostgreSQL's integer",
      "migration.failed",
      { ...SAMPLE_DATA["migration.failed"], exit_code: 1e300 },
    ],
    ["a fractional flag percentage (stored as an integer)", "flag.changed", { flag: "f", percent: 12.5 }],
  ])("refuses %s", (_name, type, data) => {
    expect(eventBodySchema.safeParse(body(type, data)).success).toBe(false);
  });
});
