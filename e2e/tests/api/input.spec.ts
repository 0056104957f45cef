import type { EventType } from "@rollgate/core/contract/events";
import { errorResponseSchema } from "@rollgate/core/contract/responses";
import { expect, test } from "@playwright/test";
import { event, makeService, post, signed, type TestService } from "../../support/api";
import { appendAt, SAMPLE_DATA, stringPaths } from "../../support/event-samples";

let base: string;
let svc: TestService;
test.beforeAll(async () => {
  base = test.info().project.use.baseURL!;
  svc = await makeService();
});

const get = (path: string, method = "GET") =>
  fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${svc.token}` } });

test("finding 18: a NUL character in any text field is a 400 naming the field", async () => {
  const failures: string[] = [];
  for (const [type, data] of Object.entries(SAMPLE_DATA)) {
    const body = event(svc, type, data);
    for (const path of stringPaths(body)) {
      for (const bad of ["\u0000", "\ud800"]) {
        const answer = await post(base, signed(svc, appendAt(body, path, bad)));
        const named =
          answer.status === 400 &&
          errorResponseSchema.safeParse(answer.json).success &&
          JSON.stringify(answer.json.error.details).includes(`"path":"${path.join(".")}"`);
        if (!named)
          failures.push(
            `${type} ${path.join(".")} ${JSON.stringify(bad)}: ${answer.status} ${JSON.stringify(answer.json)}`,
          );
      }
    }
  }
  expect(failures).toEqual([]);
});

test("finding 18: a NUL character or a lone surrogate in a JSON object key is a 400 naming it", async () => {
  for (const [where, bad] of [
    ["top", "le\u0000ase"],
    ["data", "x\ud800"],
  ] as const) {
    const body = event(svc, "flag.changed", { flag: "f", percent: 5 }) as Record<string, unknown>;
    if (where === "top") body[bad] = 1;
    else (body.data as Record<string, unknown>)[bad] = 1;
    const answer = await post(base, signed(svc, body));
    expect(answer.status).toBe(400);
    const expected = where === "top" ? "le\\u0000ase" : "data.x\\ud800";
    expect(answer.json.error.details).toEqual([expect.objectContaining({ path: expected })]);
    expect(answer.json.error.message).toContain(expected);
  }
});

test("finding 18: a NUL or a lone surrogate in the path or query of gate, lease and rollback-eligibility is a 400, never a 5xx", async () => {
  const s = svc.slug;
  const cases: Array<[string, string, string | null]> = [
    ["GET", `/api/v1/rollouts/${s}/staging/r1%00/gate`, "path.release"],
    ["GET", `/api/v1/rollouts/${s}%00/staging/r1/gate`, "path.service"],
    ["POST", `/api/v1/rollouts/${s}/staging%00/r1/gate/lease`, "path.environment"],
    ["POST", `/api/v1/rollouts/${s}/staging/r%001/gate/lease`, "path.release"],
    ["GET", `/api/v1/rollback-eligibility?service=${s}&environment=staging&version=1%00`, "query.version"],
    ["GET", `/api/v1/rollback-eligibility?service=${s}%00&environment=staging`, "query.service"],
    ["GET", `/api/v1/rollouts/${s}/staging/r%ED%A0%80/gate`, null],
    ["POST", `/api/v1/rollouts/${s}/staging/r%ED%A0%80/gate/lease`, null],
    ["GET", `/api/v1/rollouts/${s}/staging/r%ZZ/gate`, null],
  ];
  for (const [method, path, field] of cases) {
    const answer = await get(path, method);
    const json = await answer.json().catch(() => null);
    expect({ path, status: answer.status }).toEqual({ path, status: 400 });
    expect(errorResponseSchema.safeParse(json).success).toBe(true);
    if (field) expect(json.error.details).toEqual([expect.objectContaining({ path: field })]);
  }
});

test("finding 19: the server refuses an unknown field at the top level and in data of every event type the OpenAPI document lists, naming it", async () => {
  const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
  const variants: Array<{
    properties: { type: { const: EventType }; data: { additionalProperties: unknown } };
    additionalProperties: unknown;
  }> = doc.components.schemas.Event.oneOf;
  expect(variants.map((v) => v.properties.type.const).sort()).toEqual(Object.keys(SAMPLE_DATA).sort());
  for (const variant of variants) {
    const type = variant.properties.type.const;
    expect([type, variant.additionalProperties, variant.properties.data.additionalProperties]).toEqual([
      type,
      false,
      false,
    ]);
    const valid = event(svc, type, SAMPLE_DATA[type]!, "no-such-release");
    const top = await post(base, signed(svc, { ...valid, leaseId: "x" }));
    expect([type, top.status, top.json.error.details]).toEqual([
      type,
      400,
      [expect.objectContaining({ path: "leaseId" })],
    ]);
    expect(top.json.error.message).toContain("leaseId");
    const inData = await post(base, signed(svc, { ...valid, data: { ...valid.data, restoreTested: true } }));
    expect([type, inData.status, inData.json.error.details]).toEqual([
      type,
      400,
      [expect.objectContaining({ path: "data.restoreTested" })],
    ]);
    // Without the typo the same body passes the schema (what the rollout then makes of it is another matter).
    expect([type, (await post(base, signed(svc, valid))).status]).not.toEqual([type, 400]);
  }
});
