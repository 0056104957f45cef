// Benchmark: the rollout page's server render with a production-sized history (1,000,000 SLO
// snapshots and 100,000 events) beside a small one (10,000 snapshots, 1,000 events), on
// PostgreSQL, through the built standalone server, read by a signed-in viewer of the service
// (rollout pages ask for sign-in). Exits 1 when a target is missed.
// Run: pnpm --filter @rollgate/web build && pnpm exec tsx e2e/bench/render.bench.ts [--write]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { freshDatabase } from "@rollgate/db/fresh-database";
import { hashPassword } from "@rollgate/db/secrets";
import postgres from "postgres";
import { writeBenchmarkSection } from "../../scripts/benchmark-doc.ts";
import { SCALE_SERVICE, seedScale, type ScaleCase } from "./seed-scale.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const WARMUP = 10;
const adminUrl = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BIG: ScaleCase = { release: "big", snapshots: 1_000_000, events: 100_000 };
const SMALL: ScaleCase = { release: "small", snapshots: 10_000, events: 1_000 };

const url = new URL(await freshDatabase(adminUrl, "rollgate_render_bench"));
process.env.ROLLGATE_SECRET_KEY ??= "bench-only-secret-key-not-for-production";

const seedStart = performance.now();
await seedScale(url.toString(), [BIG, SMALL]);
const seedSeconds = (performance.now() - seedStart) / 1000;
console.log(`seeded in ${seedSeconds.toFixed(0)} s`);

// The reader: a local account with the viewer role on the service, signed in with the
// credentials provider as the browser tests' scripts do (e2e/support/session.ts).
const READER = { email: "bench.reader@example.com", password: `bench-${process.pid}-${Date.now()}` };
{
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    const [user] = await sql<{ id: string }[]>`
      insert into users (email, name, password_hash) values (${READER.email}, 'Bench reader', ${hashPassword(READER.password)}) returning id`;
    await sql`insert into user_roles (user_id, role, service_id) values (${user!.id}, 'viewer', (select id from services where slug = ${SCALE_SERVICE}))`;
  } finally {
    await sql.end();
  }
}

const { AppServer } = await import("../support/app-server.ts");
const { passwordSignIn } = await import("../support/session.ts");
const server = new AppServer(0, (serverUrl) => ({
  DATABASE_URL: url.toString(),
  NEXTAUTH_SECRET: "bench-only-nextauth-secret",
  NEXTAUTH_URL: serverUrl,
  ROLLGATE_CREDENTIALS_LOGIN: "1",
}));
let cookie = "";

const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
/** utime + stime of the server process, in ms: what a render costs however busy the machine is. */
const cpuMs = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
};

/** One full server render, signed in: request to the last byte of the HTML, and the server's CPU for it. */
async function render(release: string): Promise<{ ms: number; cpu: number; bytes: number }> {
  const cpu0 = cpuMs();
  const start = performance.now();
  const response = await fetch(`${server.url}/rollouts/${SCALE_SERVICE}/staging/${release}`, {
    headers: { cookie },
    redirect: "manual",
  });
  const html = await response.text();
  const ms = performance.now() - start;
  if (response.status !== 200 || !html.includes("Scale "))
    throw new Error(
      `render of ${release} failed: HTTP ${response.status}${response.headers.get("location") ? ` to ${response.headers.get("location")}` : ""}`,
    );
  return { ms, cpu: cpuMs() - cpu0, bytes: Buffer.byteLength(html) };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

// Started inside the try: whatever throws after this line, the server is stopped.
try {
  await server.start();
  const signIn = await passwordSignIn(server.url, READER.email, READER.password, "203.0.113.7");
  if (!signIn.cookie) throw new Error(`sign-in failed: HTTP ${signIn.status}, ${signIn.url || "no answer"}`);
  cookie = signIn.cookie;
  for (let i = 0; i < WARMUP; i += 1) {
    await render(BIG.release);
    await render(SMALL.release);
  }
  const times: Record<string, number[]> = { big: [], small: [] };
  const cpus: Record<string, number[]> = { big: [], small: [] };
  let bytes = 0;
  // Interleaved, so drift on the machine touches both alike.
  for (let i = 0; i < ROUNDS; i += 1) {
    const big = await render(BIG.release);
    times.big!.push(big.ms);
    cpus.big!.push(big.cpu);
    bytes = big.bytes;
    const small = await render(SMALL.release);
    times.small!.push(small.ms);
    cpus.small!.push(small.cpu);
  }
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
  const stats = (k: "big" | "small") => ({
    p50: quantile(sorted(times[k]!), 0.5),
    p95: quantile(sorted(times[k]!), 0.95),
    cpu: quantile(sorted(cpus[k]!), 0.5),
  });
  const big = stats("big");
  const small = stats("small");
  const ratio = big.p95 / small.p95;
  const p95Met = big.p95 <= 150;
  const ratioMet = ratio <= 1.5;
  const table = [
    "| rollout | SLO snapshots | events | p50 | p95 | server CPU a render, p50 |",
    "| --- | --- | --- | --- | --- | --- |",
    `| big | ${BIG.snapshots.toLocaleString("en")} | ${BIG.events.toLocaleString("en")} | ${big.p50.toFixed(1)} ms | ${big.p95.toFixed(1)} ms | ${big.cpu.toFixed(0)} ms |`,
    `| small | ${SMALL.snapshots.toLocaleString("en")} | ${SMALL.events.toLocaleString("en")} | ${small.p50.toFixed(1)} ms | ${small.p95.toFixed(1)} ms | ${small.cpu.toFixed(0)} ms |`,
    "",
    "| target | result | |",
    "| --- | --- | --- |",
    `| big p95 ≤ 150 ms | ${big.p95.toFixed(1)} ms | ${p95Met ? "met" : "missed"} |`,
    `| big p95 ≤ 1.5× small p95 | ${ratio.toFixed(2)}× | ${ratioMet ? "met" : "missed"} |`,
  ].join("\n");
  console.log(table);
  console.log(
    `load average (1, 5, 15 min) at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  if (process.argv.includes("--write")) {
    writeBenchmarkSection("Rollout page render", [
      "`pnpm --filter @rollgate/web build && pnpm exec tsx e2e/bench/render.bench.ts --write`",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, PostgreSQL on the same machine.`,
      `[seed-scale.ts](../e2e/bench/seed-scale.ts) makes both rollouts with generate_series (one snapshot a second up to now; eight events in ten are snapshots), ${seedSeconds.toFixed(0)} s for both;`,
      `then ${WARMUP} warm-up renders each and ${ROUNDS} measured renders each, interleaved: one GET of the page by a signed-in viewer of the service (a credentials sign-in first; the session cookie on every request) against the standalone server, timed to the last byte of the HTML (${(bytes / 1024).toFixed(0)} KiB for big).`,
      "The page draws at most 300 SLO buckets from the hourly or per-minute rollups, the gate's SLO summary reads whole hours and minutes from the rollups and only the partial minutes at the edges from the raw table, and the timeline shows one keyset page of 50.",
      "",
      table,
    ]);
  }
  process.exitCode = p95Met && ratioMet ? 0 : 1;
} finally {
  await server.stop();
}
