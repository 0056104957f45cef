// Benchmark: the overview (the `/` page and `/api/dashboard/overview`) with 300 services × 2
// environments, each with a rollout in its rollback window, through the built standalone server
// on PostgreSQL. Every gate is evaluated; their facts come from four statements sent at once.
// Run: pnpm --filter @rollgate/web build && pnpm exec tsx e2e/bench/overview.bench.ts [--write]
import os from "node:os";
import { readFileSync } from "node:fs";
import { defaultPolicy } from "@rollgate/core/policy";
import { openDatabase } from "@rollgate/db/client";
import { freshDatabase } from "@rollgate/db/fresh-database";
import { migrateDatabase } from "@rollgate/db/migrate";
import postgres from "postgres";
import { writeBenchmarkSection } from "../../scripts/benchmark-doc.ts";

const SERVICES = 300;
const SNAPSHOTS = 120; // per rollout, one a minute over the last two hours
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const WARMUP = 10;
/** BENCH_PORT, else a free port. */
const PORT = Number(process.env.BENCH_PORT ?? 0);
const adminUrl = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const url = new URL(await freshDatabase(adminUrl, "perfgate_overview_bench"));
process.env.ROLLGATE_SECRET_KEY ??= "bench-only-secret-key-not-for-production";

/** 300 services, staging and production, a release each with a rollout per environment in its window. */
async function seed(): Promise<void> {
  const handle = await openDatabase({ url: url.toString(), max: 1 });
  await migrateDatabase(handle);
  await handle.close();
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const policy = (name: string) => sql.json(JSON.parse(JSON.stringify(defaultPolicy(name))));
  try {
    await sql.begin(async (tx) => {
      await tx`insert into services (slug, name) select 'svc-' || lpad(i::text, 3, '0'), 'Service ' || i from generate_series(1, ${SERVICES}) i`;
      await tx`insert into environments (service_id, name, position, policy) select id, 'staging', 0, ${policy("staging")} from services`;
      await tx`insert into environments (service_id, name, position, policy) select id, 'production', 1, ${policy("production")} from services`;
      await tx`insert into releases (service_id, key, title, author, app_version) select id, 'r1', 'Drop users.email', 'dev@example.com', '2.0.0' from services`;
      // Windows started between 10 minutes and 3 hours ago, so some end soon and some are over.
      // Each release has its own scripts of a real size (about 3 KB to expand, 3 KB to
      // contract), the same in both environments, stored with their SHA-256 as ingest does.
      await tx`
        with scripts as (
          select l.id as release_id,
                 (select string_agg(format('ALTER TABLE %s_orders ADD COLUMN IF NOT EXISTS note_%s text; -- keeps the note the checkout form sends', replace(s.slug, '-', '_'), i), E'\n') from generate_series(1, 30) i) as expand_sql,
                 (select string_agg(format('ALTER TABLE %s_orders DROP COLUMN IF EXISTS legacy_note_%s;', replace(s.slug, '-', '_'), i), E'\n') from generate_series(1, 50) i) as contract_sql
          from releases l join services s on s.id = l.service_id
        )
        insert into rollouts (release_id, environment_id, state, release_version, current_version, deployed_at, flag_percent, flag_full_at, window_started_at, expand_sql, expand_checksum, contract_sql, contract_checksum)
        select r.id, e.id, 'verifying', '2.0.0', '2.0.0', now() - interval '4 hours', 100, now() - make_interval(mins => 10 + (row_number() over ())::int % 170),
               now() - make_interval(mins => 10 + (row_number() over ())::int % 170), x.expand_sql, encode(sha256(convert_to(x.expand_sql, 'UTF8')), 'hex'),
               x.contract_sql, encode(sha256(convert_to(x.contract_sql, 'UTF8')), 'hex')
        from releases r join environments e on e.service_id = r.service_id join scripts x on x.release_id = r.id`;
      await tx`
        insert into slo_snapshots (rollout_id, observed_at, availability, error_budget_remaining, burn_rate)
        select o.id, now() - make_interval(mins => i), 99.9 - case when i % 53 = 0 then 0.5 else 0 end, 0.8, 0.5
        from rollouts o, generate_series(1, ${SNAPSHOTS}) i`;
      await tx`insert into backups (environment_id, backup_id, restore_tested, verified_at) select id, 'b-' || id, true, now() - interval '1 hour' from environments`;
      await tx`insert into incidents (environment_id, title, opened_at) select id, 'Checkout errors', now() - interval '5 minutes' from environments where position = 1 and id::text like '0%'`;
    });
    await sql`analyze`;
  } finally {
    await sql.end();
  }
}

const seedStart = performance.now();
await seed();
console.log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`);

const { AppServer } = await import("../support/app-server.ts");
// BENCH_SERVER_NODE_ARGS: node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
// BENCH_SERVER_JS measures another build (a copy of an older standalone folder), for a before/after.
const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
const server = new AppServer(
  PORT,
  (serverUrl) => ({
    DATABASE_URL: url.toString(),
    ROLLGATE_PUBLIC_WALLBOARD: "1",
    ROLLGATE_WORKER: "0",
    NEXTAUTH_SECRET: "bench-only-nextauth-secret",
    NEXTAUTH_URL: serverUrl,
  }),
  nodeArgs,
  process.env.BENCH_SERVER_JS,
);
await server.start();
/** CPU seconds (user + system) the server has used so far; reads are sequential, so a difference is one read's. */
const cpuSeconds = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rssMb = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;

/** One anonymous read, to the last byte. */
async function read(path: string): Promise<{ ms: number; bytes: number; cpuMs: number }> {
  const cpu = cpuSeconds();
  const start = performance.now();
  const response = await fetch(`${server.url}${path}`);
  const body = await response.text();
  const ms = performance.now() - start;
  if (response.status !== 200 || !body.includes("svc-300")) throw new Error(`${path} failed: HTTP ${response.status}`);
  return { ms, bytes: Buffer.byteLength(body), cpuMs: (cpuSeconds() - cpu) * 1000 };
}
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

try {
  const api = await (await fetch(`${server.url}/api/dashboard/overview`)).json();
  const gates = api.services.flatMap((s: { environments: Array<{ gate: unknown }> }) =>
    s.environments.filter((e) => e.gate !== null),
  ).length;
  if (gates !== SERVICES * 2) throw new Error(`expected ${SERVICES * 2} gates, the overview has ${gates}`);
  for (let i = 0; i < WARMUP; i += 1) {
    await read("/");
    await read("/api/dashboard/overview");
  }
  const loadBefore = os.loadavg();
  const times: Record<"page" | "api", number[]> = { page: [], api: [] };
  const cpu: Record<"page" | "api", number[]> = { page: [], api: [] };
  const bytes = { page: 0, api: 0 };
  // Interleaved, so drift on the shared machine touches both alike.
  for (let i = 0; i < ROUNDS; i += 1) {
    const page = await read("/");
    times.page.push(page.ms);
    cpu.page.push(page.cpuMs);
    bytes.page = page.bytes;
    const json = await read("/api/dashboard/overview");
    times.api.push(json.ms);
    cpu.api.push(json.cpuMs);
    bytes.api = json.bytes;
  }
  const loadAfter = os.loadavg();
  const rss = rssMb();
  const stat = (v: number[]) => {
    const sorted = [...v].sort((a, b) => a - b);
    return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
  };
  const page = stat(times.page);
  const json = stat(times.api);
  const table = [
    "| read | body | p50 | p95 | server CPU per read (median) | target p95 ≤ 150 ms |",
    "| --- | --- | --- | --- | --- | --- |",
    `| \`GET /\` (server render) | ${(bytes.page / 1024).toFixed(0)} KiB | ${page.p50.toFixed(1)} ms | ${page.p95.toFixed(1)} ms | ${stat(cpu.page).p50.toFixed(0)} ms | ${page.p95 <= 150 ? "met" : "missed"} |`,
    `| \`GET /api/dashboard/overview\` | ${(bytes.api / 1024).toFixed(0)} KiB | ${json.p50.toFixed(1)} ms | ${json.p95.toFixed(1)} ms | ${stat(cpu.api).p50.toFixed(0)} ms | ${json.p95 <= 150 ? "met" : "missed"} |`,
    "",
    `Server RSS after the run: ${rss.toFixed(0)} MB.`,
  ].join("\n");
  console.log(table);
  const loadText = (l: number[]) => l.map((x) => x.toFixed(2)).join(", ");
  console.log(`load average before ${loadText(loadBefore)}, after ${loadText(loadAfter)}`);
  if (process.argv.includes("--write")) {
    writeBenchmarkSection("Overview", [
      "`pnpm --filter @rollgate/web build && pnpm exec tsx e2e/bench/overview.bench.ts --write`",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, PostgreSQL on the same machine; load average ${loadText(loadBefore)} before, ${loadText(loadAfter)} after (\`os.loadavg()\`, the machine is shared).`,
      `${SERVICES} services × 2 environments, each with a rollout in its rollback window (${SNAPSHOTS} SLO snapshots each, a tested backup, an open incident on some), made with generate_series;`,
      "each release with its own scripts of a real size (30 statements, about 3 KB, to expand; 50, about 3 KB, to contract), stored with their SHA-256 as ingest stores them;",
      `then ${WARMUP} warm-up reads each and ${ROUNDS} measured reads each, interleaved, anonymous (\`ROLLGATE_PUBLIC_WALLBOARD=1\`), timed to the last byte.`,
      `All ${SERVICES * 2} gates are evaluated on every read: one query for the rollouts (without the scripts' text) and, for all their facts, four statements of 150 rollouts sent at once (\`loadGateFactsMany\`), not one evaluation per rollout.`,
      "",
      table,
      "",
      "Reading the numbers: wall-clock times follow the machine's load (the server, PostgreSQL and other work share two cores); the server's CPU per read is the steadier measure, and it moves between virtual machines: the same build took 87 ms of page CPU in one run and 142 ms in another on the fourth session's AMD EPYC.",
      "History. Before the overview's read and page were trimmed (2026-11-26, one-line scripts): page 863 KiB, p95 309 ms, 230 ms CPU; API 181 KiB, p95 210 ms, 110 ms CPU (one statement for the rollouts as plain rows, policies parsed once, compact lines with their styles in CSS, the page's data handed over as JSON text). Then (2026-11-27, one-line scripts) the facts were split over four statements sent at once, the refusals and overrides read beside the rollouts, a policy's database settings filled in once, and the server given a 32 MiB young generation; the page's p95 was 139 ms on one AMD EPYC and 173–200 ms on another.",
      "Scripts of a real size (2026-11-27, fifth session, an Intel Xeon). The bench used to seed one-line scripts; with about 3 KB each way the build before this session's changes gave page p95 170 ms (150 ms CPU) and API p95 161 ms (130 ms CPU), both missed, where one-line scripts gave page 124–160 ms (100 ms CPU) and API 95–105 ms (50 ms CPU). Two things grew with the scripts. First,",
      "the overview carried every rollout's scripts' text on every read, though the analyser's verdict on a script is kept per process by checksum; it now reads the rows without the text and fetches only the scripts whose checksum the process has not analysed (API CPU 130 to 75–80 ms, page 150 to 130–140 ms). Second, the lock-risk check built a list of every locking statement for every gate on every read (50 statements × 600 gates: 30,000 objects); the list depends only on the contract and the inspection, so it is built once per contract facts object and inspection and shared, frozen (API 78 to 60 ms, page 135 to 110 ms).",
      "Third, each verdict is now reduced to what the page shows as soon as it is evaluated, so 600 verdicts are never alive at once (about 1 MB less surviving each scavenge, 3–5 ms less collection a page read).",
      "Fourth, the service list's links are plain anchors with one click handler for the list that navigates inside the app, where a `next/link` per line cost about 6 ms of CPU and 1.4 MB of garbage a page (interleaved runs: 87–89 against 92–94 ms of CPU a page read).",
      "Four runs of this build (the table is the last): page p95 124–145 ms and API p95 89–99 ms, both met in all four; 90 ms of CPU a page read, 60 an API read, RSS 275–280 MB. Before the list's links changed, seven runs gave page p95 125–159 ms (met in four).",
      "Where the page's tail comes from: read back to back (as here, page and API alternating with no pause), about one page read in four pays a scavenge of the read's own live data (10–12 MB, 15–30 ms) or the end of an incremental mark-compact; with curl and 50 ms between reads the slowest of 40 page reads took 111 ms. Wallboards poll every 30 s, so a real server has that idle time; the bench keeps the harder case. A sampled allocation profile of a page read (about 25 MB): React's server render about 8 MB, the 600 verdicts 5 MB (their sentences most of it), the rows and facts from PostgreSQL about 4 MB, `next/link` 1.4 MB for 686 links (the fourth change above).",
      "Measured and dropped in this session: the facts statement's keys cut to the rollout id, window start and authors with the rest joined in SQL (168 to about 70 KB a read sent to PostgreSQL; no change in CPU within the noise, reverted); `--max-semi-space-size=64` (page p95 142 and 156 ms, RSS 315–344 MB, over the 300 MB target); `--max-semi-space-size=16` (no gain, 222 MB). Response compression costs 1.6 ms a page at gzip level 6 (measured with zlib on the page's 498 KiB), so a lower level would not matter. Earlier sessions dropped: evaluating the gates in batches of 100, `--min-semi-space-size=32`, `--initial-old-space-size=160`.",
      "What would give the page a margin: not evaluating 600 full verdicts (twelve checks with their sentences) on every read, e.g. verdicts cached per rollout and invalidated by NOTIFY with the time each stays valid, or an overview that lists only the gates that need someone and pages the rest.",
    ]);
  }
} finally {
  await server.stop();
}
