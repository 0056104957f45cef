import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";

// Issue 27, item 6: the receivers are rate-limited before they are authenticated, so a flood of
// bad credentials is refused by its own count before any is checked (a token looked up, a
// signature computed over a body of up to 1 MiB).

process.env.ROLLGATE_DATA_DIR ??= "memory://";
process.env.ROLLGATE_RATE_LIMIT_PER_MINUTE = "3";
vi.mock("server-only", () => ({}));
// One instant for every request, so that they all fall in one minute's window.
const clock = new Date();
vi.mock("../clock", () => ({ now: () => clock }));

const { closeDatabase } = await import("@rollgate/db/runtime");
const alertmanager = await import("@/app/api/v1/integrations/alertmanager/route");
const pagerduty = await import("@/app/api/v1/integrations/pagerduty/[endpoint]/route");
const github = await import("@/app/api/v1/integrations/github/route");
const argoGate = await import("@/app/api/v1/integrations/argo/gate/route");
afterAll(() => closeDatabase());

const json = { "content-type": "application/json" };
const statuses = async (send: () => Promise<Response>, times = 5) => {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await send()).status);
  return seen;
};

describe("a receiver flooded with bad credentials", () => {
  it("Alertmanager: an unknown bearer is refused 401 until its own limit, then 429", async () => {
    const bearer = `Bearer nope-${randomUUID()}`;
    const send = () =>
      alertmanager.POST(
        new Request("http://rollgate.test/api/v1/integrations/alertmanager", {
          method: "POST",
          headers: { ...json, authorization: bearer },
          body: JSON.stringify({ version: "4", alerts: [] }),
        }),
        { params: Promise.resolve({}) },
      );
    expect(await statuses(send)).toEqual([401, 401, 401, 429, 429]);
  });

  it("PagerDuty: a wrong signature for an unknown address is refused 401 until the address's limit, then 429", async () => {
    const endpoint = randomUUID();
    const send = () =>
      pagerduty.POST(
        new Request(`http://rollgate.test/api/v1/integrations/pagerduty/${endpoint}`, {
          method: "POST",
          headers: { ...json, "x-pagerduty-signature": "v1=00" },
          body: JSON.stringify({ event: { id: randomUUID() } }),
        }),
        { params: Promise.resolve({ endpoint }) },
      );
    expect(await statuses(send)).toEqual([401, 401, 401, 429, 429]);
  });

  it("GitHub: unsigned deliveries are refused until the App's limit, then 429", async () => {
    const send = () =>
      github.POST(
        new Request("http://rollgate.test/api/v1/integrations/github", {
          method: "POST",
          headers: { ...json, "x-github-event": "ping", "x-github-delivery": randomUUID() },
          body: "{}",
        }),
        { params: Promise.resolve({}) },
      );
    // GitHub is one sender, one bucket: on a database other tests share it may be spent already,
    // and whether an App is configured there is another test's business.
    expect((await statuses(send)).slice(3)).toEqual([429, 429]);
  });

  it("Argo: an unknown API token is refused 401 until its own limit, then 429", async () => {
    const bearer = `Bearer rg_${randomUUID()}`;
    const send = () =>
      argoGate.GET(
        new Request("http://rollgate.test/api/v1/integrations/argo/gate?service=s&environment=e&release=r", {
          headers: { authorization: bearer },
        }),
        { params: Promise.resolve({}) },
      );
    expect(await statuses(send)).toEqual([401, 401, 401, 429, 429]);
  });
});
