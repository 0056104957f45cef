// Benchmark: a thousand pipelines running `rollgate gate --wait` on one rollout against one
// standalone server on PostgreSQL. Server CPU while they wait (beside the same server idle),
// then an approval written straight into the database opens the gate: time to the first
// granted lease, and how fast the others get their 409.
// Run: pnpm --filter @rollgate/web build && pnpm exec tsx e2e/bench/gate-wait.bench.ts [--write]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { freshDatabase } from "@rollgate/db/fresh-database";
import { writeBenchmarkSection } from "../../scripts/benchmark-doc.ts";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
/** The CLI's default hold of one wait request; the CPU spans are as long, so every client re-polls once inside. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 50);
const HOLD = `${SECONDS}s`;
/** BENCH_PORT, else a free port. */
const PORT = Number(process.env.BENCH_PORT ?? 0);
const METRICS_TOKEN = "bench-only-metrics-token-0123456789";
const adminUrl = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const url = new URL(await freshDatabase(adminUrl, "gatewait_bench"));
process.env.DATABASE_URL = url.toString();
process.env.ROLLGATE_SECRET_KEY ??= "bench-only-secret-key-not-for-production";

const { AppServer, waitFor } = await import("../support/app-server.ts");
const { makeService, query, startWindow, sha, CONTRACT } = await import("../support/api.ts");
const { gateCommand } = await import("../../packages/cli/src/commands/gate.ts");

const server = new AppServer(PORT, {
  DATABASE_URL: url.toString(),
  ROLLGATE_RATE_LIMIT_PER_MINUTE: "100000000",
  ROLLGATE_METRICS_TOKEN: METRICS_TOKEN,
});
await server.start();
const pid = server.pid!;
const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
/** utime + stime of the server process, in ms (fields 14 and 15 of /proc/<pid>/stat). */
const cpuMs = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
};
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
async function metric(name: string): Promise<number> {
  const text = await (
    await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  )
    .text()
    .catch(() => "");
  return Number(
    text
      .split("\n")
      .find((line) => line.startsWith(`${name} `))
      ?.slice(name.length + 1) ?? 0,
  );
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function cpuOver(seconds: number) {
  const [c0, t0] = [cpuMs(), performance.now()];
  await sleep(seconds * 1000);
  return (cpuMs() - c0) / (performance.now() - t0);
}

try {
  // Window already over, evidence in place, one approval required: only the approval is missing.
  const svc = await makeService({ policy: { rollbackWindowSeconds: 1 } });
  await query(
    `update environments set policy = jsonb_set(policy, '{approvals,required}', '1') where service_id = (select id from services where slug = $1) and name = 'staging'`,
    [svc.slug],
  );
  await startWindow(server.url, svc, { evidence: true });
  const [rollout] = await query<{ id: string }>(
    `select r.id from rollouts r join releases l on l.id = r.release_id join services s on s.id = l.service_id join environments e on e.id = r.environment_id where s.slug = $1 and e.name = 'staging'`,
    [svc.slug],
  );
  const [approver] = await query<{ id: string }>(
    `insert into users (email) values ('approver@example.com'), ('dev@example.com') returning id`,
  );
  await query(`insert into user_roles (user_id, role) values ($1, 'approver')`, [approver!.id]);

  const step = (what: string) => console.error(`${new Date().toISOString()} ${what}`);
  await sleep(5000); // start-up settles (migrations, the worker's first runs)
  const idleLoad = load();
  const idle = await cpuOver(SECONDS);
  step("idle span measured; starting the clients");

  // The pipelines: the CLI's own gate command, in this process, each with its own output.
  Object.assign(process.env, {
    ROLLGATE_URL: server.url,
    ROLLGATE_TOKEN: svc.token,
    ROLLGATE_SECRET: svc.secret,
    ROLLGATE_SERVICE: svc.slug,
    ROLLGATE_ENVIRONMENT: "staging",
    ROLLGATE_RELEASE: "r1",
  });
  const finished: Array<{ code: number; at: number; err: string; out: string }> = [];
  const pipelines = Array.from({ length: CLIENTS }, async () => {
    let err = "";
    let out = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += `${t}\n`), interactive: false };
    const code = await gateCommand(["--wait", "--timeout", "10m", "--interval", HOLD], io).catch(
      (e: unknown) => ((err += String(e)), 99),
    );
    finished.push({ code, at: performance.now(), err, out });
  });
  // Every client has had its first answer and is parked (the server holds its second request).
  const allParked = () => waitFor(async () => (await metric("rollgate_gate_waiters")) >= CLIENTS, 180_000);
  const clientsStart = performance.now();
  await allParked();
  const parkedAfter = performance.now() - clientsStart;
  step("all parked; measuring");
  const parkedRss = rssMiB();
  const waitLoad = load();
  const evaluationsBefore = await metric("rollgate_gate_wait_evaluations_total");
  // One whole cycle: from every client parked until every hold has ended (304), each client
  // has asked again and is parked again, so the span holds exactly one re-poll per client.
  const [c0, t0] = [cpuMs(), performance.now()];
  await sleep(SECONDS * 1000);
  await waitFor(
    async () => (await metric('rollgate_api_requests_total{route="gate_wait",status="304"}')) >= CLIENTS,
    180_000,
  );
  await allParked();
  const span = (performance.now() - t0) / 1000;
  const waiting = (cpuMs() - c0) / (span * 1000);
  const evaluations = (await metric("rollgate_gate_wait_evaluations_total")) - evaluationsBefore;
  step("cycle measured");
  const early = finished.length;
  step("opening the gate");

  // Open the gate: an approval from another connection, as the dashboard on another replica would write it.
  await query(
    `insert into approvals (rollout_id, approver_id, role, decision, contract_checksum, decided_at) values ($1, $2, 'approver', 'approve', $3, now())`,
    [rollout!.id, approver!.id, sha(CONTRACT)],
  );
  const opened = performance.now();
  const cpuBefore = cpuMs();
  await Promise.all(pipelines);
  const herdCpu = cpuMs() - cpuBefore;
  const afterRss = rssMiB();

  const winners = finished.filter((f) => f.code === 0);
  const losers = finished.filter((f) => f.code !== 0);
  // The reason either way: the closed gate naming the holder, or the lease's 409 lease_held.
  const byVerdict = losers.filter((f) => f.code === 3 && /FAIL lease: .*holds the contract lease until/.test(f.err));
  const by409 = losers.filter((f) => f.code === 3 && /409 conflict: .*already holds the lease/.test(f.err));
  const withReason = [...byVerdict, ...by409];
  const since = (f: { at: number }) => f.at - opened;
  const loserTimes = losers.map(since).sort((a, b) => a - b);
  const q = (p: number) => loserTimes[Math.min(loserTimes.length - 1, Math.ceil(p * loserTimes.length) - 1)] ?? NaN;
  const firstLease = winners.length === 1 ? since(winners[0]!) : NaN;
  const [leases] = await query<{ n: number }>(`select count(*)::int as n from leases where rollout_id = $1`, [
    rollout!.id,
  ]);

  const pct = (share: number) => `${(share * 100).toFixed(1)} % of a core`;
  const table = [
    "| measure | value | target |",
    "| --- | --- | --- |",
    `| server CPU, idle (no client), ${SECONDS} s | ${pct(idle)} | — |`,
    `| server CPU, ${CLIENTS} clients waiting, one whole hold cycle (${span.toFixed(1)} s: every client re-polled once and parked again) | ${pct(waiting)} | ≤ 10 %: ${waiting <= 0.1 ? "met" : "missed"} |`,
    `| of which the waiting itself (waiting − idle) | ${pct(waiting - idle)} | — |`,
    `| gate evaluations for the ${CLIENTS} waiters during that cycle (${CLIENTS} re-polls; shared per rollout) | ${evaluations} | — |`,
    `| time until all ${CLIENTS} clients were first parked (${2 * CLIENTS} requests: a first read, then a wait) | ${(parkedAfter / 1000).toFixed(1)} s | — |`,
    `| server RSS with ${CLIENTS} parked requests / after the herd | ${parkedRss.toFixed(0)} MiB / ${afterRss.toFixed(0)} MiB | — |`,
    `| approval committed → first lease granted (client saw 201) | ${firstLease.toFixed(0)} ms | ≤ 1 s: ${firstLease <= 1000 ? "met" : "missed"} |`,
    `| the other ${losers.length}: exit 3 naming the holder | ${withReason.length} of ${losers.length} (${byVerdict.length} by the closed gate, ${by409.length} by a 409); p50 ${q(0.5).toFixed(0)} ms, last ${q(1).toFixed(0)} ms after the approval | at once |`,
    `| leases granted / clients that returned before the gate opened | ${leases!.n} / ${early} | 1 / 0 |`,
    `| server CPU from the approval until the last client exited | ${herdCpu.toFixed(0)} ms | — |`,
  ].join("\n");
  console.log(table);
  if (losers.length !== withReason.length)
    console.log(
      "unexpected:",
      losers.find((f) => !withReason.includes(f)),
    );
  console.log(`load average: idle ${idleLoad}; waiting ${waitLoad}; after ${load()}`);

  if (process.argv.includes("--write")) {
    writeBenchmarkSection("A thousand waiting pipelines", [
      "`pnpm --filter @rollgate/web build && pnpm exec tsx e2e/bench/gate-wait.bench.ts --write`",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, PostgreSQL on the same machine; load average (1, 5, 15 min) ${idleLoad} before the idle span, ${waitLoad} before the waiting one, ${load()} at the end.`,
      `One standalone server (the in-process worker on). ${CLIENTS} clients are the CLI's own \`gateCommand\` (\`rollgate gate --wait --interval ${HOLD}\`) in one process, sharing one token (rate limit raised for the run), all on one rollout whose only open check is one approval.`,
      `Server CPU is utime + stime from /proc/<pid>/stat, first over ${SECONDS} s with no client, then over one whole cycle of the clients' holds (${HOLD}, the CLI's default): from all parked until each has had its 304, asked again and been parked again. Then an approval is inserted on another connection; the server hands the open gate to the longest waiter first and answers the others when its lease is taken (a closed gate naming the holder).`,
      "",
      table,
      "",
      `Reading the numbers: a parked request costs memory (RSS above) and nothing else; a notification or a deadline costs one evaluation per rollout, however many wait. What the waiting costs is one authenticated request per client per hold (token lookup, rate-limit count, the 304), which the standalone server's front answers without Next's route runtime: ${(((waiting - idle) * span * 1000) / CLIENTS).toFixed(2)} ms of server CPU per re-poll in this run, so the share of a core scales with clients ÷ hold. Through Next's route runtime (before the front) the same re-poll cost about 4.8 ms and 1000 clients at a 50 s hold took 13.9 % of a core; answering a parked request, about 2.4 ms, and the 999 others got their answer 2 s after the lease.`,
      "Before the hand-off of an open gate to one waiter, all 1000 were answered `allowed` at once and all asked for the lease: 1000 signed lease requests queued on the pool and the row lock, the first lease came 24.5 s after the approval and the last 409 35 s after it (measured the same way on this machine at load 11–14, 20 s holds).",
    ]);
  }
} finally {
  await server.stop();
}
