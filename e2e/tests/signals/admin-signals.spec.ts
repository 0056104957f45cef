import { expect, test, type Page } from "@playwright/test";
import { makeService } from "../../support/api";
import { TestExporter, TestPrometheus } from "../../support/observability";
import { prometheusSource } from "../../support/signals";
import { signInWithPassword } from "../../support/sign-in";

// The admin's side of pulled signals: "test this query now", the jobs' health, receivers.
const exporter = new TestExporter();
const prometheus = new TestPrometheus(exporter, null);

test.beforeAll(async () => {
  await exporter.start();
  await prometheus.start();
});
test.afterAll(async () => {
  await prometheus.stop();
  await exporter.stop();
});

const signInAsAdmin = (page: Page) => signInWithPassword(page, "admin@example.com");

test("an admin tests a policy's Prometheus query now and sees the value, or why there is none", async ({ page }) => {
  const svc = await makeService({ policy: { sloSource: prometheusSource(prometheus.url, 60) } });
  exporter.availability.set(svc.slug, 99.95);
  await prometheus.waitForSeries(`rollgate_test_availability{service="${svc.slug}"}`);
  await signInAsAdmin(page);
  await page.goto("/admin/policies");
  const section = page.getByRole("region", { name: `${svc.slug} · staging` });
  await section.getByRole("button", { name: "Test this query now" }).click();
  await expect(
    section.getByText(new RegExp(`rollgate_test_availability\\{service="${svc.slug}"\\} = 99.95 at `)),
  ).toBeVisible();

  exporter.availability.delete(svc.slug);
  await prometheus.stop();
  await section.getByRole("button", { name: "Test this query now" }).click();
  await expect(section.getByText(/→ Prometheus did not answer \(ECONNREFUSED\)\./)).toBeVisible();
  await prometheus.start();
});

test("an admin sees the background jobs and creates an Alertmanager receiver whose token is shown once", async ({
  page,
}) => {
  const svc = await makeService();
  await signInAsAdmin(page);
  await page.goto("/admin/jobs");
  await expect(page.locator('tr[data-job="sample_slos"]')).toContainText(/\d+ \(\d+ failed\)/);

  await page.goto("/admin/integrations");
  await page.getByLabel("Service").selectOption(svc.slug);
  await page.getByLabel("Name").fill("prod-alertmanager");
  await page.getByRole("button", { name: "Create receiver" }).click();
  await expect(page.getByText("Receiver created.")).toBeVisible();
  await expect(page.getByText(/rga_[A-Za-z0-9_-]{20,}/)).toBeVisible();
});
