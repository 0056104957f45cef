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

describe("rollback.rehearsed: counts that add up, proofs bounded", () => {
  const valid = SAMPLE_DATA["rollback.rehearsed"];
  it("accepts the sample and a clean rehearsal", () => {
    expect(eventBodySchema.safeParse(body("rollback.rehearsed", valid)).success).toBe(true);
    const clean = { ...valid, passed: 11, proofs: [], proof_count: 0 };
    expect(eventBodySchema.safeParse(body("rollback.rehearsed", clean)).success).toBe(true);
  });

  it.each([
    ["counts that do not add up to statements", { statements: 13 }, ["data", "statements"]],
    ["fewer proofs counted than sent", { proof_count: 0, passed: 11 }, ["data", "proof_count"]],
    ["a checksum that is not a SHA-256", { contract_checksum: "abc" }, ["data", "contract_checksum"]],
    [
      "a proof without PostgreSQL's error",
      { proofs: [{ statement: "select 1", step: "prepare" }] },
      ["data", "proofs", 0, "error"],
    ],
    ["a proof of an unknown step", { proofs: [{ ...valid.proofs[0]!, step: "plan" }] }, ["data", "proofs", 0, "step"]],
  ])("refuses %s, naming the field", (_name, patch, path) => {
    const parsed = eventBodySchema.safeParse(body("rollback.rehearsed", { ...valid, ...patch }));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path)).toContainEqual(path);
  });

  it("refuses more than 100 proofs (the count says how many there were)", () => {
    const proofs = Array.from({ length: 101 }, (_, i) => ({ ...valid.proofs[0]!, statement: `select ${i}` }));
    const parsed = eventBodySchema.safeParse(
      body("rollback.rehearsed", { ...valid, statements: 112, passed: 10, proofs, proof_count: 101 }),
    );
    expect(parsed.error?.issues.map((i) => i.path)).toContainEqual(["data", "proofs"]);
  });
});
