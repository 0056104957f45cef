import { createHmac, randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { makeService, rowCounts, startWindow } from "../../support/api";
import { AppServer } from "../../support/app-server";
import { TestAlertmanager, TestExporter, TestPrometheus } from "../../support/observability";
import { makeEndpoint, waitForCheck } from "../../support/signals";

// A Prometheus rule that fires routes through a real Alertmanager to Rollgate's receiver.
const exporter = new TestExporter();
const app = new AppServer(0, {});
let prometheus: TestPrometheus;
let alertmanager: TestAlertmanager;

test.describe.configure({ timeout: 180_000 });
test.beforeAll(async () => {
  await exporter.start();
  await app.start();
});
test.afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await app.stop();
  await exporter.stop();
});

test("a firing Prometheus rule blocks the gate through Alertmanager within a minute, names and links the alert, never blocks another service, and unblocks when resolved", async () => {
  const a = await makeService();
  const b = await makeService();
  exporter.availability.set(a.slug, 99.95);
  exporter.availability.set(b.slug, 99.95);
  const { token } = await makeEndpoint(a, "alertmanager");
  alertmanager = new TestAlertmanager(`${app.url}/api/v1/integrations/alertmanager`, token!);
  await alertmanager.start();
  prometheus = new TestPrometheus(exporter, alertmanager);
  await prometheus.start();
  await startWindow(app.url, a, { evidence: true });
  await startWindow(app.url, b, { evidence: true });
  expect((await waitForCheck(app.url, a, "no_go", () => true, 5000)).check.status).toBe("pass");

  // Both services' availability drops; only A's receiver exists, and B's alert reaches it too.
  exporter.availability.set(a.slug, 95);
  exporter.availability.set(b.slug, 95);
  const blocked = await waitForCheck(app.url, a, "no_go", (c) => c.status === "fail", 60_000);
  expect(blocked.check.message).toMatch(
    /Alertmanager incident "AvailabilityLow: availability below 99 %" is open since/,
  );
  expect(blocked.check.links?.[0]?.href).toMatch(/^http:\/\/.*\/graph\?g0\.expr=/);
  expect((await waitForCheck(app.url, b, "no_go", () => true, 5000)).check.status).toBe("pass");

  exporter.availability.set(a.slug, 99.95);
  await waitForCheck(app.url, a, "no_go", (c) => c.status === "pass", 60_000);
});

test("the Alertmanager receiver refuses a wrong token and bad input with JSON, never a 5xx", async () => {
  const url = `${app.url}/api/v1/integrations/alertmanager`;
  const svc = await makeService();
  const { token } = await makeEndpoint(svc, "alertmanager");
  const send = (auth: string, body: string, type = "application/json") =>
    fetch(url, { method: "POST", headers: { authorization: auth, "content-type": type }, body });
  const wrong = await send("Bearer rga_wrong", "{}");
  expect(wrong.status).toBe(401);
  expect((await wrong.json()).error.code).toBe("unauthenticated");
  for (const [body, status] of [
    ["not json", 400],
    ['{"alerts": 5}', 400],
    ['{"version":"4","alerts":[{"status":"firing"}]}', 400],
    ['{"version":"4","alerts":[]}', 200],
  ] as const) {
    const answer = await send(`Bearer ${token}`, body);
    expect(answer.status, body).toBe(status);
    if (status !== 200) expect((await answer.json()).error.code).toBe("invalid_request");
  }
  expect((await send(`Bearer ${token}`, "x", "text/plain")).status).toBe(415);
});

test("a PagerDuty delivery signed as documented is accepted; a wrong signature, a stale one and a replay are refused and change nothing", async () => {
  const svc = await makeService();
  const secret = `pd-${randomUUID()}`;
  const { id } = await makeEndpoint(svc, "pagerduty", secret);
  const url = `${app.url}/api/v1/integrations/pagerduty/${id}`;
  const delivery = (eventId: string, occurredAt: Date, type = "incident.triggered") =>
    JSON.stringify({
      event: {
        id: eventId,
        event_type: type,
        resource_type: "incident",
        occurred_at: occurredAt.toISOString(),
        agent: null,
        client: null,
        data: {
          id: "PGR0VU2",
          type: "incident",
          html_url: "https://acme.pagerduty.com/incidents/PGR0VU2",
          number: 2,
          status: "triggered",
          title: "A little bump in the road",
          urgency: "high",
          service: { id: "PF9KMXH", summary: "API Service", type: "service_reference" },
        },
      },
    });
  const sign = (body: string, key = secret) => `v1=${createHmac("sha256", key).update(body).digest("hex")}`;
  const send = (body: string, signature: string) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-pagerduty-signature": signature },
      body,
    });
  const ignore = ["rate_limits", "integration_endpoints"];

  const before = await rowCounts(ignore);
  const body = delivery(randomUUID(), new Date());
  expect((await send(body, sign(body, "not-the-secret"))).status).toBe(401);
  const stale = delivery(randomUUID(), new Date(Date.now() - 20 * 60_000));
  const staleAnswer = await send(stale, sign(stale));
  expect(staleAnswer.status).toBe(401);
  expect((await staleAnswer.json()).error.message).toMatch(/stale/);
  expect(await rowCounts(ignore)).toEqual(before);

  await startWindow(app.url, svc, { evidence: true });
  const accepted = await send(body, `v1=${"00".repeat(32)},${sign(body)}`);
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toEqual({ action: "opened", eventType: "incident.triggered" });
  const blocked = await waitForCheck(app.url, svc, "no_go", (c) => c.status === "fail", 5000);
  expect(blocked.check.message).toContain('PagerDuty incident "PagerDuty #2: A little bump in the road"');
  expect(blocked.check.links).toEqual([
    { label: "PagerDuty #2: A little bump in the road", href: "https://acme.pagerduty.com/incidents/PGR0VU2" },
  ]);

  const afterAccept = await rowCounts(ignore);
  const replay = await send(body, sign(body));
  expect(replay.status).toBe(409);
  expect(await rowCounts(ignore)).toEqual(afterAccept);

  const resolved = delivery(randomUUID(), new Date(), "incident.resolved");
  expect((await send(resolved, sign(resolved))).status).toBe(200);
  await waitForCheck(app.url, svc, "no_go", (c) => c.status === "pass", 5000);
});

test("incident.opened and incident.resolved from any tool open and close a no-go through the CI API", async () => {
  const { post, signed } = await import("../../support/api");
  const svc = await makeService();
  await startWindow(app.url, svc, { evidence: true });
  const send = (type: string, data: Record<string, unknown>) =>
    post(
      app.url,
      signed(svc, { type, service: svc.slug, environment: "staging", occurred_at: new Date().toISOString(), data }),
    );
  expect(
    (await send("incident.opened", { key: "INC-7", title: "Checkout errors", url: "https://status.example.com/INC-7" }))
      .status,
  ).toBe(202);
  const blocked = await waitForCheck(app.url, svc, "no_go", (c) => c.status === "fail", 5000);
  expect(blocked.check.message).toContain('reported incident "Checkout errors"');
  expect((await send("incident.resolved", { key: "INC-7" })).status).toBe(202);
  await waitForCheck(app.url, svc, "no_go", (c) => c.status === "pass", 5000);
});
