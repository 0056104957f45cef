import { expect, test } from "@playwright/test";
import { makeService, query } from "../../support/api";
import { AppServer, awayFromMinuteBoundary } from "../../support/app-server";

// Its own server (on a free port) with a low limit, on the same database.
let limited: AppServer;
test.beforeAll(async () => {
  limited = new AppServer(0, { DATABASE_URL: process.env.DATABASE_URL!, ROLLGATE_RATE_LIMIT_PER_MINUTE: "20" });
  await limited.start();
});
test.afterAll(async () => limited.stop());

const refusalsOf = async (tokenId: string) =>
  (
    await query<{ n: number }>(
      `select count(*)::int as n from audit_events where action = 'api.request_refused' and actor_id = $1`,
      [tokenId],
    )
  )[0]!.n;

test("finding 11: the rate limit runs before the scope check, and a token's refusals are audited once a minute, not once each", async () => {
  const readOnly = await makeService({ scopes: ["events:write"] }); // no gate:read
  await awayFromMinuteBoundary();
  const answers = await Promise.all(
    Array.from({ length: 30 }, () =>
      fetch(`${limited.url}/api/v1/rollouts/${readOnly.slug}/staging/r1/gate`, {
        headers: { authorization: `Bearer ${readOnly.token}` },
      }),
    ),
  );
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses).toEqual([...Array(20).fill(403), ...Array(10).fill(429)]);
  expect(answers.find((a) => a.status === 429)!.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(await refusalsOf(readOnly.tokenId)).toBe(1);
  const [entry] = await query<{ data: Record<string, unknown> }>(
    `select data from audit_events where action = 'api.request_refused' and actor_id = $1`,
    [readOnly.tokenId],
  );
  expect(entry!.data).toMatchObject({ code: "forbidden", route: "gate", previousWindow: null });
  // The refusals after the first are counted, not lost.
  const [counted] = await query<{ count: number }>(`select count from rate_limits where bucket = $1`, [
    `refused:${readOnly.tokenId}`,
  ]);
  expect(counted!.count).toBe(20);
});

test("finding 11: a service or environment outside the token's scope is also limited first and audited once", async () => {
  const other = await makeService({ environments: ["staging"] });
  await awayFromMinuteBoundary();
  const statuses: number[] = [];
  for (let i = 0; i < 25; i += 1) {
    const answer = await fetch(
      `${limited.url}/api/v1/rollback-eligibility?service=${other.slug}&environment=production`,
      { headers: { authorization: `Bearer ${other.token}` } },
    );
    statuses.push(answer.status);
  }
  expect(statuses).toEqual([...Array(20).fill(403), ...Array(5).fill(429)]);
  expect(await refusalsOf(other.tokenId)).toBe(1);
});
