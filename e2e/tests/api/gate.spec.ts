import { eligibilityResponseSchema, gateResponseSchema, leaseResponseSchema } from "@rollgate/core/contract/responses";
import { expect, test } from "@playwright/test";
import { AppServer, awayFromMinuteBoundary } from "../../support/app-server";
import {
  CONTRACT,
  event,
  EXPAND,
  makeService,
  post,
  requestLease,
  sha,
  signed,
  type TestService,
} from "../../support/api";

/** A staging rollout whose window has passed: every check passes. */
async function readyRollout(
  base: string,
  options: { previousVersion?: { version: string; manifest: string[] } } = {},
): Promise<TestService> {
  const svc = await makeService();
  const send = async (type: string, data: Record<string, unknown>, release = "r1") =>
    expect((await post(base, signed(svc, event(svc, type, data, release)))).status).toBe(202);
  if (options.previousVersion) {
    // The release before: what version 1.9.0 reads is recorded with its deploy.
    const noop = "SELECT 1;";
    await send(
      "release.created",
      { title: "Previous", author: "dev@example.com", app_version: options.previousVersion.version, expand_sql: noop },
      "r0",
    );
    await send("migration.started", { phase: "expand", name: "e0", checksum: sha(noop) }, "r0");
    await send("migration.succeeded", { phase: "expand", name: "e0", checksum: sha(noop) }, "r0");
    await send("app.deployed", options.previousVersion, "r0");
  }
  await send("release.created", {
    title: "Email",
    author: "dev@example.com",
    app_version: "2.0.0",
    expand_sql: EXPAND,
    contract_sql: CONTRACT,
  });
  await send("migration.started", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("migration.succeeded", { phase: "expand", name: "e", checksum: sha(EXPAND) });
  await send("app.deployed", { version: "2.0.0", manifest: ["users.id", "users.email_address"] });
  await send("flag.changed", { flag: "f", percent: 100 });
  await send("slo.snapshot", { availability: 99.99, error_budget_remaining: 0.9, burn_rate: 0.3 });
  await send("backup.verified", { backup_id: "b", restore_tested: true });
  await new Promise((r) => setTimeout(r, 2200));
  return svc;
}

const gatePath = (svc: TestService) => `/api/v1/rollouts/${svc.slug}/staging/r1/gate`;
const get = (base: string, svc: TestService, path: string) =>
  fetch(`${base}${path}`, { headers: { authorization: `Bearer ${svc.token}` } });
const lease = (base: string, svc: TestService) => requestLease(base, svc);

test("the gate answers every check in the documented shape, and passes once the window is over", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await readyRollout(base);
  const answer = await get(base, svc, gatePath(svc));
  expect(answer.status).toBe(200);
  const gate = gateResponseSchema.parse(await answer.json());
  expect(gate.checks.map((c) => c.id)).toEqual([
    "expand",
    "rollback_window",
    "flag",
    "slo",
    "backup",
    "promotion",
    "no_go",
    "approvals",
    "lease",
    "usage",
    "expand_live",
    "lock_risk",
    "data",
    "rehearsal",
  ]);
  expect(gate).toMatchObject({ allowed: true, state: "contract_ready" });
});

test("50 concurrent lease requests get exactly one lease", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await readyRollout(base);
  const answers = await Promise.all(Array.from({ length: 50 }, () => lease(base, svc)));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  const granted = answers.find((a) => a.status === 201)!;
  leaseResponseSchema.parse(await granted.json());
  const gate = gateResponseSchema.parse(await (await get(base, svc, gatePath(svc))).json());
  expect(gate.checks.find((c) => c.id === "lease")).toMatchObject({ status: "fail" });
});

test("a closed gate refuses the lease with 409 and the failing checks", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await makeService();
  await post(
    base,
    signed(
      svc,
      event(svc, "release.created", {
        title: "Email",
        author: "dev@example.com",
        app_version: "2.0.0",
        expand_sql: EXPAND,
        contract_sql: CONTRACT,
      }),
    ),
  );
  const answer = await lease(base, svc);
  expect(answer.status).toBe(409);
  const body = await answer.json();
  expect(body.error.details.allowed).toBe(false);
  expect(body.error.message).toMatch(/expand migration has not succeeded/);
});

test("rollback eligibility answers UNSAFE for a version that reads a dropped column", async () => {
  const base = test.info().project.use.baseURL!;
  const svc = await readyRollout(base, {
    previousVersion: { version: "1.9.0", manifest: ["users.id", "users.email"] },
  });
  const { lease_id } = await (await lease(base, svc)).json();
  for (const type of ["migration.started", "migration.succeeded"])
    expect(
      (
        await post(
          base,
          signed(svc, event(svc, type, { phase: "contract", name: "c", checksum: sha(CONTRACT), lease_id })),
        )
      ).status,
    ).toBe(202);
  const answer = await get(
    base,
    svc,
    `/api/v1/rollback-eligibility?service=${svc.slug}&environment=staging&version=1.9.0`,
  );
  const report = eligibilityResponseSchema.parse(await answer.json());
  expect(report).toMatchObject({ verdict: "UNSAFE", version: "1.9.0" });
  expect(report.reasons[0]).toMatchObject({ release: "r1", object: "users.email" });
  expect(report.versions.find((v) => v.version === "2.0.0")).toMatchObject({ verdict: "SAFE" });
});

test("429 with Retry-After once a token exceeds its limit, counted in the database", async () => {
  const svc = await makeService();
  const limited = new AppServer(0, { DATABASE_URL: process.env.DATABASE_URL!, ROLLGATE_RATE_LIMIT_PER_MINUTE: "5" });
  await limited.start();
  try {
    await awayFromMinuteBoundary();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i += 1) {
      const answer = await get(limited.url, svc, gatePath(svc));
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get("retry-after");
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  } finally {
    await limited.stop();
  }
});

test("the OpenAPI document describes every endpoint", async ({ request }) => {
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining([
      "/api/v1/events",
      "/api/v1/rollouts/{service}/{environment}/{release}/gate",
      "/api/v1/rollouts/{service}/{environment}/{release}/gate/lease",
      "/api/v1/rollback-eligibility",
    ]),
  );
  expect(Object.keys(doc.paths["/api/v1/events"].post.responses)).toEqual(
    expect.arrayContaining(["202", "400", "401", "403", "409", "413", "415", "429"]),
  );
});
