import { parseArgs } from "node:util";
import { API } from "@rollgate/core/contract/endpoints";
import type { GateCheckJson as Check } from "@rollgate/core/contract/responses";
import type { RolloutKey } from "@rollgate/core/contract/rollout-key";
import { openChecks } from "@rollgate/core/gate";
import { leaseHolder, readCliEnv, rolloutKeys, type CliEnv } from "../env.ts";
import { explain, is, request, requestLease, type Answer } from "../http.ts";
import { UsageError, type Io } from "../io.ts";
import { ROLLOUT_OPTIONS } from "./send.ts";

export const EXIT_DENIED = 3;
export const EXIT_TIMEOUT = 4;

/**
 * `rollgate gate [--wait] [--timeout 2h] [--interval 50s]`: reads the gate; with --wait,
 * waits while the only open checks are pending, then takes the lease. Waiting is a long-poll
 * (`GET …/gate/wait` with If-None-Match): the server holds each request until the verdict
 * changes or `--interval` passes, so a waiting pipeline costs the server a socket, not a poll
 * loop. Exit 0 with the lease held (its JSON on stdout), 3 when the gate is denied or another
 * job got the lease first (409, with the reason), 4 on timeout.
 */
export async function gateCommand(args: string[], io: Io, clock: { now(): number } = realClock): Promise<number> {
  const { values } = parse(args);
  const keys = rolloutKeys(values);
  const env = readCliEnv();
  const timeoutMs = values.timeout ? duration(values.timeout) : 24 * 3_600_000;
  // Under fetch's own 300 s header timeout.
  const holdSeconds = Math.max(
    0,
    Math.min(240, Math.round((values.interval ? duration(values.interval) : 50_000) / 1000)),
  );
  const deadline = clock.now() + timeoutMs;
  let lastLine = "";
  let etag: string | null = null;
  let open: Check[] = [];

  for (;;) {
    const hold: number = etag ? Math.min(holdSeconds, Math.ceil(Math.max(0, deadline - clock.now()) / 1000)) : 0;
    const answer: Answer<typeof API.gateWait> = values.wait
      ? await request(env, API.gateWait, {
          params: keys,
          query: { timeout: hold },
          headers: etag ? { "if-none-match": etag } : {},
        })
      : await request(env, API.gate, { params: keys });
    if (is(answer, 200)) {
      etag = answer.etag;
      open = openChecks(answer.json.checks);
      if (answer.json.allowed) return takeLease(env, keys, io);
      const failed = open.filter((c) => c.status === "fail");
      if (failed.length > 0 || !values.wait) {
        for (const c of open) io.err(`  ${c.status.toUpperCase()} ${c.id}: ${c.message}`);
        io.err(`rollgate gate: denied for ${keys.service}/${keys.environment}/${keys.release}.`);
        return EXIT_DENIED;
      }
    } else if (answer.status !== 304) {
      io.err(`rollgate gate: ${explain(answer)}`);
      return answer.status === 404 || answer.status === 403 ? EXIT_DENIED : 2;
    }
    if (clock.now() >= deadline) {
      io.err(`rollgate gate: still waiting after ${values.timeout}; giving up.`);
      return EXIT_TIMEOUT;
    }
    lastLine = report(io, open, clock.now(), lastLine);
  }
}

async function takeLease(env: CliEnv, keys: RolloutKey, io: Io): Promise<number> {
  const holder = leaseHolder(`rollgate gate (pid ${process.pid})`);
  const lease = await requestLease(env, keys, holder);
  if (!is(lease, 201)) {
    io.err(`rollgate gate: the gate passed but the lease was refused — ${explain(lease)}`);
    return EXIT_DENIED;
  }
  io.err(`rollgate gate: allowed; lease ${lease.json.lease_id} held until ${lease.json.expires_at}.`);
  io.out(JSON.stringify(lease.json));
  return 0;
}

/** A live countdown on a terminal; a timestamped line in CI logs, only when something changed. */
function report(io: Io, open: Check[], now: number, lastLine: string): string {
  const waits = open.map((c) => (c.until ? `${c.id} ${countdown(Date.parse(c.until) - now)}` : c.id)).join(", ");
  const line = `waiting on ${waits}`;
  if (io.interactive) io.err(`\r\x1b[2K${line}`);
  else if (line.replace(/\d+/g, "") !== lastLine.replace(/\d+/g, "") || now % 60_000 < 10_000)
    io.err(`${new Date(now).toISOString()} ${line}`);
  return line;
}

export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, "0")}m` : m ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** `90s`, `15m`, `2h`, or plain seconds. */
export function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a duration (use e.g. 90s, 15m, 2h).`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        ...ROLLOUT_OPTIONS,
        wait: { type: "boolean", default: false },
        timeout: { type: "string" },
        interval: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const realClock = { now: () => Date.now() };
