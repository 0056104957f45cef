import { readFileSync } from "node:fs";
import path from "node:path";
import {
  argoErrorResponseSchema,
  argoGateResponseSchema,
  argoRollbackResponseSchema,
} from "@rollgate/core/contract/integrations";
import { JSONPath } from "jsonpath-plus";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseAllDocuments } from "yaml";
import type { TestService } from "../../../test/integrations";

// Argo Rollouts' `web` metric over Rollgate's real answers: the jsonPath and the success and
// failure conditions are read from infra/examples/argo-rollouts/analysis-templates.yaml and
// evaluated (JSONPath by jsonpath-plus) over responses of the route handlers on the database,
// for allowed, denied, SAFE, UNSAFE, UNKNOWN and an error.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
// The server's clock, moved by hand; signatures use the real time (the library checks it).
let clock = new Date();
vi.mock("../clock", () => ({ now: () => clock }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const support = await import("../../../test/integrations");
const { CONTRACT, EXPAND, sum } = support;
const lease = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/lease/route");
const argoGate = await import("@/app/api/v1/integrations/argo/gate/route");
const argoRollback = await import("@/app/api/v1/integrations/argo/rollback/route");
const { db } = await database();
afterAll(() => closeDatabase());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are read field by field
type Manifest = Record<string, any>;
const templates = parseAllDocuments(
  readFileSync(
    path.join(import.meta.dirname, "../../../../../infra/examples/argo-rollouts/analysis-templates.yaml"),
    "utf8",
  ),
).map((d) => d.toJSON() as Manifest);
const metric = (name: string) => templates.find((t) => t.metadata.name === name)!.spec.metrics[0] as Manifest;

/** Argo's `{$.path}` (Kubernetes JSONPath braces) evaluated with jsonpath-plus. */
function extract(jsonPath: string, body: unknown): unknown {
  const inner = /^\{(.*)\}$/.exec(jsonPath)?.[1];
  if (!inner) throw new Error(`not a JSONPath template: ${jsonPath}`);
  return JSONPath({ path: inner, json: body as object, wrap: false });
}

/** The comparisons the examples use (`result.a.b == literal`, `!=`); anything else is refused so the examples cannot drift into untested syntax. */
function holds(condition: string, result: unknown): boolean {
  const match = /^result((?:\.\w+)*)\s*(==|!=)\s*(true|false|null|-?\d+(?:\.\d+)?|"[^"]*")$/.exec(condition.trim());
  if (!match) throw new Error(`unsupported condition: ${condition}`);
  const value = match[1]!
    .split(".")
    .filter(Boolean)
    .reduce<unknown>(
      (v, key) => (v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
      result,
    );
  const equal = JSON.stringify(value) === match[3]!;
  return match[2] === "==" ? equal : !equal;
}

/** What Argo would record for one measurement: non-2xx is an Error; else Successful, Failed or Inconclusive. */
async function measure(name: "rollgate-contract-gate" | "rollgate-rollback-safe", response: Response) {
  const m = metric(name);
  const body = await response.json();
  // The answer is what the OpenAPI document says it is.
  (response.ok
    ? name === "rollgate-contract-gate"
      ? argoGateResponseSchema
      : argoRollbackResponseSchema
    : argoErrorResponseSchema
  ).parse(body);
  const result = extract(m.provider.web.jsonPath, body);
  const success = holds(m.successCondition, result);
  const failure = holds(m.failureCondition, result);
  const phase = !response.ok ? "Error" : success ? "Successful" : failure ? "Failed" : "Inconclusive";
  return { status: response.status, body, result, success, failure, phase };
}

let svc: TestService;
const send = (release: string, type: string, data: Record<string, unknown>) =>
  support.send(svc, release, type, data, clock);
const tick = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));
const get = (
  route: { GET: (r: Request, c: { params: Promise<Record<string, never>> }) => Promise<Response> },
  query: string,
  token = svc.token,
) =>
  route.GET(
    new Request(`http://rollgate.test/api/v1/integrations/argo/x?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
    { params: Promise.resolve({}) },
  );

beforeAll(async () => {
  svc = await support.testService(db, "argo");
  // Release r1 runs version 1.0.0, which reads users.email.
  await send("r1", "release.created", {
    title: "v1",
    author: "dev@example.com",
    app_version: "1.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send("r1", "migration.started", { phase: "expand", name: "e", checksum: sum(EXPAND) });
  await send("r1", "migration.succeeded", { phase: "expand", name: "e", checksum: sum(EXPAND) });
  await send("r1", "app.deployed", { version: "1.0.0", manifest: ["users.id", "users.email"] });
  tick(60);
  // Release r2 (2.0.0) no longer reads users.email and drops it in its contract.
  await support.startWindow(svc, "r2", "2.0.0", clock, ["users.id", "users.email_address"]);
});

describe("Argo Rollouts web metric over real answers", () => {
  it("gate: WAITING inside the window is inconclusive, then allowed passes once it ends", async () => {
    const waiting = await measure(
      "rollgate-contract-gate",
      await get(argoGate, `service=${svc.slug}&environment=staging&release=r2`),
    );
    expect(waiting).toMatchObject({
      status: 200,
      phase: "Inconclusive",
      result: {
        allowed: false,
        verdict: "WAITING",
        pending: expect.arrayContaining([expect.objectContaining({ id: "rollback_window" })]),
      },
    });
    tick(61);
    const allowed = await measure(
      "rollgate-contract-gate",
      await get(argoGate, `service=${svc.slug}&environment=staging&release=r2`),
    );
    expect(allowed).toMatchObject({ status: 200, phase: "Successful", result: { allowed: true, verdict: "ALLOWED" } });
  });

  it("rollback: SAFE to 1.0.0 before the contract ran", async () => {
    const safe = await measure(
      "rollgate-rollback-safe",
      await get(argoRollback, `service=${svc.slug}&environment=staging&version=1.0.0`),
    );
    expect(safe).toMatchObject({
      status: 200,
      phase: "Successful",
      result: { verdict: "SAFE", version: "1.0.0", current_version: "2.0.0" },
    });
  });

  it("rollback: UNSAFE to 1.0.0 once the contract dropped users.email, UNKNOWN for a version never deployed", async () => {
    const held = await lease.POST(
      support.signed(svc, `http://rollgate.test/api/v1/rollouts/${svc.slug}/staging/r2/gate/lease`, "{}", {
        "x-rollgate-holder": "argo test",
      }),
      { params: Promise.resolve({ service: svc.slug, environment: "staging", release: "r2" }) },
    );
    expect(held.status).toBe(201);
    const { lease_id } = await held.json();
    await send("r2", "migration.started", { phase: "contract", name: "c", checksum: sum(CONTRACT), lease_id });
    await send("r2", "migration.succeeded", { phase: "contract", name: "c", checksum: sum(CONTRACT), lease_id });
    const unsafe = await measure(
      "rollgate-rollback-safe",
      await get(argoRollback, `service=${svc.slug}&environment=staging&version=1.0.0`),
    );
    expect(unsafe).toMatchObject({
      status: 200,
      phase: "Failed",
      result: { verdict: "UNSAFE", reason: expect.stringContaining("email") },
    });
    const unknown = await measure(
      "rollgate-rollback-safe",
      await get(argoRollback, `service=${svc.slug}&environment=staging&version=0.9.0`),
    );
    expect(unknown).toMatchObject({ status: 200, phase: "Inconclusive", result: { verdict: "UNKNOWN" } });
  });

  it("gate: denied fails the measurement when a check fails", async () => {
    await send("r3", "release.created", {
      title: "v3",
      author: "dev@example.com",
      app_version: "3.0.0",
      expand_sql: EXPAND,
      contract_sql: CONTRACT,
    });
    await send("r3", "migration.started", { phase: "expand", name: "e", checksum: sum(EXPAND) });
    await send("r3", "migration.succeeded", { phase: "expand", name: "e", checksum: sum(EXPAND) });
    await send("r3", "app.deployed", { version: "3.0.0" });
    await send("r3", "flag.changed", { flag: "f", percent: 100 });
    await send("r3", "slo.snapshot", { availability: 42, error_budget_remaining: 0, burn_rate: 40 });
    const denied = await measure(
      "rollgate-contract-gate",
      await get(argoGate, `service=${svc.slug}&environment=staging&release=r3`),
    );
    expect(denied).toMatchObject({
      status: 200,
      phase: "Failed",
      success: false,
      result: {
        allowed: false,
        verdict: "DENIED",
        failing: expect.arrayContaining([expect.objectContaining({ id: "slo" })]),
      },
    });
  });

  it("an error is JSON too, and no documented condition passes on it", async () => {
    for (const [name, route, query] of [
      ["rollgate-contract-gate", argoGate, `service=${svc.slug}&environment=staging&release=r2`],
      ["rollgate-rollback-safe", argoRollback, `service=${svc.slug}&environment=staging`],
    ] as const) {
      const wrongToken = await measure(name, await get(route, query, "rg_not_a_token"));
      expect(wrongToken).toMatchObject({
        status: 401,
        phase: "Error",
        success: false,
        body: { error: { code: "unauthenticated" }, result: { allowed: false, verdict: "UNKNOWN" } },
      });
      const missing = await measure(name, await get(route, "service=", svc.token));
      expect(missing).toMatchObject({ status: 400, success: false, body: { error: { code: "invalid_request" } } });
    }
    const noRollout = await measure(
      "rollgate-contract-gate",
      await get(argoGate, `service=${svc.slug}&environment=staging&release=nope`),
    );
    expect(noRollout).toMatchObject({ status: 404, phase: "Error", success: false, failure: false });
  });
});
