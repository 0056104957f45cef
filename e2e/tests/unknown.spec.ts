import { expect, test } from "@playwright/test";
import { makeService, requestLease, signed, post, event, rowCounts } from "../support/api";
import { passwordSignIn, randomAddress } from "../support/session";
import { DEMO_PASSWORD } from "../support/sign-in";

// Issue 16: an unknown service, environment or release answers 404 on every route — pages with
// the not-found page (a real HTTP 404, not a 200 with a not-found body), machines with JSON.

const base = () => test.info().project.use.baseURL!;
const KNOWN = ["billing-api", "production", "2026.11.2"] as const;
const UNKNOWN: Array<readonly [string, string, string]> = [
  ["no-such-service", KNOWN[1], KNOWN[2]],
  [KNOWN[0], "no-such-environment", KNOWN[2]],
  [KNOWN[0], KNOWN[1], "0.0.0-no-such-release"],
];
const path = (keys: readonly string[]) => `/rollouts/${keys.map(encodeURIComponent).join("/")}`;

async function adminCookie(): Promise<string> {
  const answer = await passwordSignIn(base(), "admin@example.com", DEMO_PASSWORD, randomAddress());
  expect(answer.cookie, answer.url).toBeTruthy();
  return answer.cookie!;
}

const get = (url: string, cookie?: string) =>
  fetch(`${base()}${url}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

async function expectJsonError(response: Response, status: number, code: string, what: string) {
  expect(response.status, what).toBe(status);
  expect(response.headers.get("content-type"), what).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code, what).toBe(code);
  expect(body.error.message.length, what).toBeGreaterThan(10);
}

// The page journeys run in both passes: untagged on PostgreSQL, tagged @pglite on embedded PGlite.
for (const tag of ["", "@pglite "]) {
  test(`${tag}issue 16: the rollout page and its evidence answer 404 for an unknown service, environment or release`, async () => {
    const cookie = await adminCookie();
    // The known rollout answers, so the 404s below are about the keys, not the session.
    expect((await get(path(KNOWN), cookie)).status).toBe(200);
    expect((await get(`${path(KNOWN)}/evidence`, cookie)).status).toBe(200);
    for (const keys of UNKNOWN) {
      const page = await get(path(keys), cookie);
      expect(page.status, path(keys)).toBe(404);
      expect(await page.text(), path(keys)).toContain("Rollgate has nothing at this address");
      await expectJsonError(await get(`${path(keys)}/evidence`, cookie), 404, "not_found", `${path(keys)}/evidence`);
      await expectJsonError(
        await get(`${path(keys)}/evidence?format=md`, cookie),
        404,
        "not_found",
        `${path(keys)}/evidence?format=md`,
      );
      await expectJsonError(
        await get(`/api/dashboard/gate/${keys.join("/")}`, cookie),
        404,
        "not_found",
        `/api/dashboard/gate/${keys.join("/")}`,
      );
    }
    // The on-call page answers a link to a service/environment that does not exist with a 404 too.
    expect((await get(`/rollback?target=${KNOWN[0]}/${KNOWN[1]}`, cookie)).status).toBe(200);
    expect((await get(`/rollback?target=no-such-service/${KNOWN[1]}`, cookie)).status).toBe(404);
    expect((await get(`/rollback?target=${KNOWN[0]}/no-such-environment`, cookie)).status).toBe(404);
    // Anything else unknown.
    expect((await get("/no-such-page", cookie)).status).toBe(404);
    for (const route of ["/api/v1/no-such-route", "/api/no-such-route", "/api/dashboard/no-such-route"])
      await expectJsonError(await get(route, cookie), 404, "not_found", route);
  });

  test(`${tag}issue 16: a key no rollout can have is a 404 on the page and a 400 naming it on the export, never a 500`, async () => {
    const cookie = await adminCookie();
    // A NUL cannot be stored, so no rollout has it.
    expect((await get(`${path(KNOWN.slice(0, 2))}/%00`, cookie)).status).toBe(404);
    await expectJsonError(
      await get(`${path(KNOWN.slice(0, 2))}/%00/evidence`, cookie),
      400,
      "invalid_request",
      "NUL in the evidence path",
    );
    // Not percent-encoded UTF-8: Next itself would answer a plain-text 500.
    const page = await get(`${path(KNOWN.slice(0, 2))}/%ZZ`, cookie);
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/not percent-encoded UTF-8/);
    await expectJsonError(
      await get(`${path(KNOWN.slice(0, 2))}/%ED%A0%80/evidence`, cookie),
      400,
      "invalid_request",
      "a lone surrogate in the evidence path",
    );
    await expectJsonError(
      await get(`/api/dashboard/gate/billing-api/production/%ZZ`, cookie),
      400,
      "invalid_request",
      "bad encoding under /api/dashboard",
    );
  });

  test(`${tag}issue 16: whether a rollout exists is not told before sign-in, nor to a cookie that is no session`, async () => {
    for (const cookie of [undefined, "next-auth.session-token=not-a-session"])
      for (const keys of [KNOWN, UNKNOWN[2]!]) {
        const response = await get(path(keys), cookie);
        expect(response.status, `${path(keys)} with ${cookie ?? "no cookie"}`).toBe(307);
        expect(new URL(response.headers.get("location")!, base()).pathname).toBe("/sign-in");
      }
    // With no root loading.tsx, a page's own redirect() is a real 307 (it was a 200 and a meta refresh).
    for (const page of ["/", "/rollback", "/admin/users"])
      expect((await get(page, "next-auth.session-token=not-a-session")).status, page).toBe(307);
  });
}

test("issue 16: the machine API answers an unknown environment or release of the token's own service with a JSON 404 and changes nothing", async () => {
  // The token may act on "qa", which the service does not have.
  const svc = await makeService({ environments: ["staging", "production", "qa"] });
  const auth = { authorization: `Bearer ${svc.token}` };
  // Not counted: what refusals may write by design, and the in-process worker's SLO pulls for
  // other tests' rollouts, which land on their own schedule while this test runs.
  const unrelated = ["rate_limits", "audit_events", "integration_deliveries", "slo_pulls"];
  const before = await rowCounts(unrelated);
  for (const [environment, release] of [
    ["qa", "r1"],
    ["staging", "no-such-release"],
  ] as const) {
    const keys = `${svc.slug}/${environment}/${release}`;
    await expectJsonError(
      await fetch(`${base()}/api/v1/rollouts/${keys}/gate`, { headers: auth }),
      404,
      "not_found",
      `gate ${keys}`,
    );
    await expectJsonError(await requestLease(base(), svc, { environment, release }), 404, "not_found", `lease ${keys}`);
    await expectJsonError(
      await fetch(
        `${base()}/api/v1/integrations/argo/gate?service=${svc.slug}&environment=${environment}&release=${release}`,
        { headers: auth },
      ),
      404,
      "not_found",
      `argo gate ${keys}`,
    );
    const flagger = JSON.stringify({
      name: "app",
      namespace: "default",
      phase: "Progressing",
      metadata: { service: svc.slug, environment, release },
    });
    await expectJsonError(
      await fetch(`${base()}/api/v1/integrations/flagger/confirm-promotion`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: flagger,
      }),
      404,
      "not_found",
      `flagger ${keys}`,
    );
    const answer = await post(
      base(),
      signed(
        svc,
        event(svc, "migration.started", { phase: "expand", name: "x", checksum: "a".repeat(64) }, release, environment),
      ),
    );
    expect(answer.status, `event for ${keys}`).toBe(404);
    expect(answer.json.error.code).toBe("not_found");
  }
  await expectJsonError(
    await fetch(`${base()}/api/v1/rollback-eligibility?service=${svc.slug}&environment=qa`, { headers: auth }),
    404,
    "not_found",
    "rollback eligibility in qa",
  );
  await expectJsonError(
    await fetch(`${base()}/api/v1/integrations/argo/rollback?service=${svc.slug}&environment=qa`, { headers: auth }),
    404,
    "not_found",
    "argo rollback in qa",
  );
  expect(await rowCounts(unrelated)).toEqual(before);
});
