import { expect, test } from "@playwright/test";
import { makeService, startWindow } from "../../support/api";
import { AppServer } from "../../support/app-server";
import { TestExporter, TestPrometheus } from "../../support/observability";
import { prometheusSource, waitForCheck } from "../../support/signals";

// A real Prometheus (Debian's package) scraping a test exporter every second; the gate's SLO
// check follows what Rollgate's worker pulls from it.
const INTERVAL = 3;
const exporter = new TestExporter();
const prometheus = new TestPrometheus(exporter, null);
const app = new AppServer(0, { ROLLGATE_WORKER_TICK_SECONDS: "1" });

test.describe.configure({ timeout: 180_000 });
test.beforeAll(async () => {
  await exporter.start();
  await prometheus.start();
  await app.start();
});
test.afterAll(async () => {
  await app.stop();
  await prometheus.stop();
  await exporter.stop();
});

test("the SLO check passes while the exporter is healthy, is pending with a reason while Prometheus is stopped, and fails within one sampling interval of a drop", async () => {
  const svc = await makeService({
    policy: { rollbackWindowSeconds: 3, sloSource: prometheusSource(prometheus.url, INTERVAL) },
  });
  exporter.availability.set(svc.slug, 99.95);
  await startWindow(app.url, svc, { evidence: true });

  const healthy = await waitForCheck(app.url, svc, "slo", (c) => c.status === "pass", 30_000);
  expect(healthy.check.message).toMatch(/^All \d+ snapshot\(s\) during the window met the thresholds\.$/);

  await prometheus.stop();
  const down = await waitForCheck(app.url, svc, "slo", (c) => c.status === "pending", 4 * INTERVAL * 1000);
  expect(down.check.message).toMatch(
    /^No SLO data from prometheus since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: availability query: Prometheus did not answer \(ECONNREFUSED\)\.$/,
  );

  await prometheus.start();
  await waitForCheck(app.url, svc, "slo", (c) => c.status === "pass", 30_000);

  exporter.availability.set(svc.slug, 97.5);
  // One interval, plus Prometheus's one-second scrape and the worker's one-second tick.
  const dropped = await waitForCheck(app.url, svc, "slo", (c) => c.status === "fail", 20_000);
  expect(dropped.check.message).toContain("availability fell to 97.5 % (minimum 99 %)");
  expect(dropped.ms).toBeLessThan(INTERVAL * 1000 + 2000 + 1500);
});

test("a query that returns no series leaves the SLO check pending with that reason, never pass", async () => {
  const svc = await makeService({
    policy: { rollbackWindowSeconds: 1, sloSource: prometheusSource(prometheus.url, INTERVAL) },
  });
  // The exporter has no series for this service.
  await startWindow(app.url, svc, { evidence: true });
  const { check } = await waitForCheck(
    app.url,
    svc,
    "slo",
    (c) => c.status === "pending" && c.message.includes("no series"),
    4 * INTERVAL * 1000,
  );
  expect(check.message).toMatch(/: availability query returned no series\.$/);
});
