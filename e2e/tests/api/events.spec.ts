import { eventAcceptedSchema, errorResponseSchema } from "@rollgate/core/contract/responses";
import { expect, test } from "@playwright/test";
import {
  CONTRACT,
  event,
  EXPAND,
  makeService,
  post,
  query,
  rowCounts,
  sha,
  signed,
  signedBody,
  type TestService,
} from "../../support/api";

let base: string;
let svc: TestService;
test.beforeAll(async () => {
  base = test.info().project.use.baseURL!;
  svc = await makeService();
  const created = await post(
    base,
    signed(
      svc,
      event(svc, "release.created", {
        title: "Email rename",
        author: "dev@example.com",
        app_version: "2.0.0",
        expand_sql: EXPAND,
        contract_sql: CONTRACT,
      }),
    ),
  );
  expect(created.status).toBe(202);
});

test("accepts a delivery signed by the standardwebhooks library, once, and answers a redelivery as a duplicate", async () => {
  const request = signed(
    svc,
    event(svc, "slo.snapshot", { availability: 99.95, error_budget_remaining: 0.8, burn_rate: 0.5 }),
  );
  const first = await post(base, request);
  expect(first.status).toBe(202);
  expect(eventAcceptedSchema.parse(first.json)).toMatchObject({ duplicate: false });
  const again = await post(base, request);
  expect(again).toMatchObject({ status: 202, json: { event_id: first.json.event_id, duplicate: true } });
  const rows = await query(
    `select count(*)::int as n from rollout_events e join webhook_deliveries d on d.id = e.delivery_id where d.webhook_id = $1`,
    [request.headers["webhook-id"]],
  );
  expect(rows[0]).toEqual({ n: 1 });
});

test("records 20 concurrent deliveries with one webhook-id as one event", async () => {
  const request = signed(
    svc,
    event(svc, "slo.snapshot", { availability: 99.9, error_budget_remaining: 0.7, burn_rate: 0.9 }),
  );
  const answers = await Promise.all(Array.from({ length: 20 }, () => post(base, request)));
  expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
  expect(answers.filter((a) => a.json.duplicate === false)).toHaveLength(1);
  expect(new Set(answers.map((a) => a.json.event_id)).size).toBe(1);
  const rows = await query(`select count(*)::int as n from webhook_deliveries where webhook_id = $1`, [
    request.headers["webhook-id"],
  ]);
  expect(rows[0]).toEqual({ n: 1 });
});

test.describe("refuses bad input with a JSON error and changes nothing", () => {
  // The per-token request counter must count refused requests too, and the audit trail
  // records refusals of a known token (checked below), so both are left out here.
  const unchanged = () => rowCounts(["rate_limits", "audit_events"]);
  const snapshot = () =>
    signed(svc, event(svc, "slo.snapshot", { availability: 99.9, error_budget_remaining: 0.7, burn_rate: 0.9 }));
  const cases: Array<[string, number, () => Promise<{ status: number; json: unknown }>]> = [
    [
      "a changed byte in the body",
      401,
      async () => {
        const r = snapshot();
        return post(base, { ...r, body: r.body.replace("99.9", "99.8") });
      },
    ],
    [
      "a changed webhook-id",
      401,
      async () => {
        const r = snapshot();
        return post(base, { ...r, headers: { ...r.headers, "webhook-id": `${r.headers["webhook-id"]}x` } });
      },
    ],
    [
      "a changed timestamp",
      401,
      async () => {
        const r = snapshot();
        return post(base, {
          ...r,
          headers: { ...r.headers, "webhook-timestamp": String(Number(r.headers["webhook-timestamp"]) + 1) },
        });
      },
    ],
    [
      "a timestamp six minutes old",
      401,
      async () =>
        post(
          base,
          signed(svc, event(svc, "slo.snapshot", { availability: 99, error_budget_remaining: 0.5, burn_rate: 1 }), {
            at: new Date(Date.now() - 6 * 60_000),
          }),
        ),
    ],
    [
      "a timestamp six minutes ahead",
      401,
      async () =>
        post(
          base,
          signed(svc, event(svc, "slo.snapshot", { availability: 99, error_budget_remaining: 0.5, burn_rate: 1 }), {
            at: new Date(Date.now() + 6 * 60_000),
          }),
        ),
    ],
    [
      "an unknown token",
      401,
      async () => {
        const r = snapshot();
        return post(base, { ...r, headers: { ...r.headers, authorization: "Bearer rg_not-a-token" } });
      },
    ],
    [
      "no token",
      401,
      async () => {
        const r = snapshot();
        const { authorization: _, ...headers } = r.headers;
        return post(base, { ...r, headers });
      },
    ],
    ["malformed JSON", 400, async () => post(base, signedBody(svc, "{not json"))],
    [
      "a body that breaks the schema",
      400,
      async () => post(base, signed(svc, event(svc, "flag.changed", { flag: "x", percent: 140 }))),
    ],
    ["an unknown event type", 400, async () => post(base, signed(svc, event(svc, "app.exploded", {})))],
    [
      "a body over 256 KiB",
      413,
      async () =>
        post(
          base,
          signed(
            svc,
            event(svc, "slo.snapshot", {
              availability: 99,
              error_budget_remaining: 0.5,
              burn_rate: 1,
              padding: "x".repeat(270_000),
            }),
          ),
        ),
    ],
    [
      "a body that is not JSON",
      415,
      async () => {
        const r = snapshot();
        return post(base, { ...r, headers: { ...r.headers, "content-type": "text/plain" } });
      },
    ],
    [
      "an environment outside the token's scope",
      403,
      async () =>
        post(
          base,
          signed(svc, {
            ...event(svc, "slo.snapshot", { availability: 99, error_budget_remaining: 0.5, burn_rate: 1 }),
            environment: "qa",
          }),
        ),
    ],
    [
      "an unknown release",
      404,
      async () => post(base, signed(svc, event(svc, "flag.changed", { flag: "x", percent: 10 }, "no-such-release"))),
    ],
  ];
  for (const [name, status, send] of cases) {
    test(`${status} for ${name}`, async () => {
      const before = await unchanged();
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(errorResponseSchema.safeParse(answer.json).success).toBe(true);
      expect(await unchanged()).toEqual(before);
    });
  }

  test("403 for a token without events:write", async () => {
    const readOnly = await makeService({ scopes: ["gate:read"] });
    const before = await unchanged();
    const answer = await post(
      base,
      signed(readOnly, event(readOnly, "release.created", { title: "t", author: "a", app_version: "1" })),
    );
    expect(answer).toMatchObject({ status: 403, json: { error: { code: "forbidden" } } });
    expect(await unchanged()).toEqual(before);
  });

  test("a known token refused for its signature is recorded in the audit trail, an unknown one is not", async () => {
    // A fresh token: only a token's first refusal in a minute is chained (docs/ARCHITECTURE.md).
    const own = await makeService();
    const r = signed(
      own,
      event(own, "slo.snapshot", { availability: 99.9, error_budget_remaining: 0.7, burn_rate: 0.9 }),
    );
    const count = async () =>
      (
        await query<{ n: number }>(
          `select count(*)::int as n from audit_events where action = 'api.request_refused' and actor_id = $1`,
          [own.tokenId],
        )
      )[0]!.n;
    const before = await count();
    expect((await post(base, { ...r, body: r.body.replace("99.9", "99.1") })).status).toBe(401);
    expect(await count()).toBe(before + 1);
    const audits = async () => (await query<{ n: number }>(`select count(*)::int as n from audit_events`))[0]!.n;
    const all = await audits();
    expect((await post(base, { ...r, headers: { ...r.headers, authorization: "Bearer rg_unknown" } })).status).toBe(
      401,
    );
    expect(await audits()).toBe(all);
  });

  test("400 names the fields that are wrong", async () => {
    const answer = await post(base, signed(svc, event(svc, "flag.changed", { flag: "x", percent: 140 })));
    expect(answer.json.error.details).toEqual([expect.objectContaining({ path: "data.percent" })]);
  });
});

test("refuses an illegal transition with 409, records the refusal, and leaves the rollout as it was", async () => {
  const before = await query<{ state: string; version: number }>(
    `select r.state, r.version from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  const request = signed(svc, event(svc, "app.deployed", { version: "2.0.0" }));
  const answer = await post(base, request);
  expect(answer).toMatchObject({
    status: 409,
    json: { error: { code: "conflict", details: { reason: "expand_not_done" } } },
  });
  const after = await query(
    `select r.state, r.version from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  expect(after).toEqual(before);
  const delivery = await query(`select status, http_status from webhook_deliveries where webhook_id = $1`, [
    request.headers["webhook-id"],
  ]);
  expect(delivery).toEqual([{ status: "rejected", http_status: 409 }]);
  const audit = await query(`select action from audit_events where data->>'webhookId' = $1`, [
    request.headers["webhook-id"],
  ]);
  expect(audit).toEqual([{ action: "delivery.rejected" }]);
});

test("refuses an expand script with a destructive statement at migration.started", async () => {
  const own = await makeService();
  await post(
    base,
    signed(
      own,
      event(own, "release.created", {
        title: "Bad",
        author: "dev@example.com",
        app_version: "2.0.0",
        expand_sql: CONTRACT,
      }),
    ),
  );
  const answer = await post(
    base,
    signed(own, event(own, "migration.started", { phase: "expand", name: "bad_expand", checksum: sha(CONTRACT) })),
  );
  expect(answer).toMatchObject({ status: 409, json: { error: { details: { reason: "destructive_expand" } } } });
});
