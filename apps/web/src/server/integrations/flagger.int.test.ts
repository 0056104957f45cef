import { flaggerResponseSchema } from "@rollgate/core/contract/integrations";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestService } from "../../../test/integrations";

// Flagger's webhooks against the route on the database: 200 proceeds, 403 holds, always
// with the reason; the token may come in metadata (Flagger cannot send headers); nothing a
// caller sends is a 5xx; and nothing here changes a rollout.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));
let clock = new Date();
vi.mock("../clock", () => ({ now: () => clock }));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const support = await import("../../../test/integrations");
const flagger = await import("@/app/api/v1/integrations/flagger/[hook]/route");
const { db } = await database();
afterAll(() => closeDatabase());

let svc: TestService;
const tick = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

async function hook(name: string, metadata: Record<string, unknown>, options: { header?: string; body?: string } = {}) {
  const body =
    options.body ??
    JSON.stringify({ name: "billing-api", namespace: "billing", phase: "Progressing", checksum: "abc", metadata });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(options.header ? { authorization: `Bearer ${options.header}` } : {}),
  };
  const response = await flagger.POST(
    new Request(`http://rollgate.test/api/v1/integrations/flagger/${name}`, { method: "POST", headers, body }),
    { params: Promise.resolve({ hook: name }) },
  );
  const json = await response.json();
  if (!("error" in json)) flaggerResponseSchema.parse(json);
  return { status: response.status, json };
}
const meta = (release: string, extra: Record<string, unknown> = {}) => ({
  service: svc.slug,
  environment: "staging",
  release,
  token: svc.token,
  ...extra,
});

beforeAll(async () => {
  svc = await support.testService(db, "flagger");
});

describe("Flagger webhooks", () => {
  it("pre-rollout holds (403, with the reason) until the expand succeeded, then proceeds (200)", async () => {
    await support.send(
      svc,
      "r1",
      "release.created",
      {
        title: "r1",
        author: "dev@example.com",
        app_version: "1.0.0",
        expand_sql: support.EXPAND,
        contract_sql: support.CONTRACT,
      },
      clock,
    );
    expect(await hook("pre-rollout", meta("r1"))).toMatchObject({
      status: 403,
      json: { hook: "pre-rollout", allowed: false, reason: expect.stringContaining("expand") },
    });
    await support.send(
      svc,
      "r1",
      "migration.started",
      { phase: "expand", name: "e", checksum: support.sum(support.EXPAND) },
      clock,
    );
    await support.send(
      svc,
      "r1",
      "migration.succeeded",
      { phase: "expand", name: "e", checksum: support.sum(support.EXPAND) },
      clock,
    );
    expect(await hook("pre-rollout", meta("r1"))).toMatchObject({ status: 200, json: { allowed: true } });
  });

  it("confirm-promotion proceeds while the release is healthy and holds on an SLO breach; rollback then asks for it", async () => {
    await support.startWindow(svc, "r2", "2.0.0", clock);
    expect(await hook("confirm-promotion", meta("r2"))).toMatchObject({ status: 200, json: { allowed: true } });
    expect(await hook("rollback", meta("r2"))).toMatchObject({
      status: 403,
      json: { allowed: false, reason: expect.stringContaining("no rollback requested") },
    });
    tick(5);
    await support.send(
      svc,
      "r2",
      "slo.snapshot",
      { availability: 42, error_budget_remaining: 0, burn_rate: 40 },
      clock,
    );
    expect(await hook("confirm-promotion", meta("r2"))).toMatchObject({
      status: 403,
      json: { reason: expect.stringContaining("slo") },
    });
    const rollback = await hook("rollback", meta("r2"));
    expect(rollback).toMatchObject({
      status: 200,
      json: { allowed: true, reason: expect.stringContaining("Roll back") },
    });
  });

  it("reads only: the answers change nothing in the rollout", async () => {
    const before = await db.execute(`select state, updated_at from rollouts order by id`);
    for (const name of ["pre-rollout", "confirm-promotion", "rollback"]) await hook(name, meta("r2"));
    expect(await db.execute(`select state, updated_at from rollouts order by id`)).toEqual(before);
  });

  it("takes the token from the Authorization header or metadata, and refuses without one", async () => {
    const { token: _token, ...noToken } = meta("r2");
    expect((await hook("confirm-promotion", noToken, { header: svc.token })).status).toBe(403);
    expect(await hook("confirm-promotion", noToken)).toMatchObject({
      status: 401,
      json: { error: { code: "unauthenticated" } },
    });
    expect(await hook("confirm-promotion", meta("r2", { token: "rg_wrong" }))).toMatchObject({
      status: 401,
      json: { error: { code: "unauthenticated" } },
    });
    expect(await hook("confirm-promotion", { ...meta("r2"), service: "someone-else" })).toMatchObject({
      status: 403,
      json: { error: { code: "forbidden" } },
    });
  });

  it("answers bad input with a JSON 4xx, never a 5xx", async () => {
    expect(await hook("promote-please", meta("r2"))).toMatchObject({
      status: 404,
      json: { error: { code: "not_found" } },
    });
    expect(await hook("rollback", { token: svc.token })).toMatchObject({
      status: 400,
      json: { error: { code: "invalid_request" } },
    });
    expect(await hook("rollback", meta("no-such-release"))).toMatchObject({
      status: 404,
      json: { error: { code: "not_found" } },
    });
    expect(await hook("rollback", meta("r2", { release: "r\u0000" }))).toMatchObject({ status: 400 });
    expect((await hook("rollback", {}, { header: svc.token, body: "{not json" })).status).toBe(400);
    expect(
      (
        await hook(
          "rollback",
          {},
          { header: svc.token, body: JSON.stringify({ metadata: { token: "x".repeat(70_000) } }) },
        )
      ).status,
    ).toBe(413);
  });
});
