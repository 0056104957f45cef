import { expect, test } from "@playwright/test";
import { makeService, query, startWindow, type TestService } from "../../support/api";
import { AppServer, waitFor } from "../../support/app-server";
import { TestExporter, TestPrometheus } from "../../support/observability";
import { prometheusSource } from "../../support/signals";

// Two replicas (plus the suite's own server), each running its worker beside the web server,
// on one PostgreSQL: every rollout gets exactly one snapshot per sampling interval.
const INTERVAL = 3;
const exporter = new TestExporter();
const prometheus = new TestPrometheus(exporter, null);
const replicas = [
  new AppServer(0, { ROLLGATE_WORKER_TICK_SECONDS: "1" }),
  new AppServer(0, { ROLLGATE_WORKER_TICK_SECONDS: "1" }),
];

test.describe.configure({ timeout: 180_000 });
test.beforeAll(async () => {
  await exporter.start();
  await prometheus.start();
  await Promise.all(replicas.map((r) => r.start()));
});
test.afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await prometheus.stop();
  await exporter.stop();
});

test("two replicas with workers on one PostgreSQL record exactly one snapshot per rollout per sampling interval over ten intervals", async () => {
  const services: TestService[] = [];
  for (let i = 0; i < 4; i += 1) {
    const svc = await makeService({
      policy: { rollbackWindowSeconds: 3600, sloSource: prometheusSource(prometheus.url, INTERVAL, 60) },
    });
    exporter.availability.set(svc.slug, 99.9);
    await startWindow(replicas[i % 2]!.url, svc);
    services.push(svc);
  }
  const slugs = services.map((s) => s.slug);
  const perSlot = () =>
    query<{ slug: string; slot: number; n: number }>(
      `select s.slug, floor(extract(epoch from x.observed_at) / $2)::int as slot, count(*)::int as n
       from slo_snapshots x join rollouts r on r.id = x.rollout_id join environments e on e.id = r.environment_id join services s on s.id = e.service_id
       where s.slug = any($1) and x.source = 'prometheus' group by 1, 2`,
      [slugs, INTERVAL],
    );
  // Start counting at the first slot every rollout has a snapshot in.
  await waitFor(async () => new Set((await perSlot()).map((r) => r.slug)).size === slugs.length, 30_000);
  const first =
    Math.max(
      ...(await perSlot())
        .reduce((m, r) => m.set(r.slug, Math.min(m.get(r.slug) ?? Infinity, r.slot)), new Map<string, number>())
        .values(),
    ) + 1;
  await new Promise((r) => setTimeout(r, (first + 10) * INTERVAL * 1000 - Date.now() + 1500));
  const rows = (await perSlot()).filter((r) => r.slot >= first && r.slot < first + 10);
  expect(rows.filter((r) => r.n !== 1)).toEqual([]);
  for (const slug of slugs)
    expect(
      rows
        .filter((r) => r.slug === slug)
        .map((r) => r.slot)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => first + i));
});
