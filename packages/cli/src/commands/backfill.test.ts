import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Io } from "../io.ts";
import { main } from "../main.ts";
import { ProgressBar } from "./backfill.ts";

// The command's own flags: a usage error is a sentence and exit 2, before any database or Rollgate is asked.

const saved = { ...process.env };
beforeEach(() => {
  process.env.ROLLGATE_URL = "http://127.0.0.1:9"; // nothing listens: a usage error must not get that far
  process.env.ROLLGATE_TOKEN = "rg_test";
  process.env.ROLLGATE_SECRET = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
  delete process.env.ROLLGATE_DATABASE_URL;
});
afterEach(() => {
  process.env = { ...saved };
});

async function run(args: string[]) {
  const err: string[] = [];
  const io: Io = { out: () => undefined, err: (t) => void err.push(t), interactive: false };
  const code = await main(["backfill", ...args], io);
  return { code, err: err.join("\n") };
}

const BASE = [
  "--database-url",
  "postgres://nobody@127.0.0.1:9/none",
  "--service",
  "s",
  "--environment",
  "e",
  "--release",
  "r",
];

describe("rollgate backfill flags", () => {
  it.each([
    [[], /give --database-url/],
    [["--database-url", "postgres://x@127.0.0.1:9/x"], /give --table/],
    [[...BASE, "--table", "invoices"], /give --set/],
    [["--database-url", "postgres://x@127.0.0.1:9/x", "--table", "t", "--set", "a = b"], /give --service/],
    [
      [...BASE, "--table", "t", "--set", "a = b", "--batch-size", "0"],
      /--batch-size takes a whole number of at least 1/,
    ],
    [[...BASE, "--table", "t", "--set", "a = b", "--max-lag", "soon"], /--max-lag takes a duration such as 1s/],
    [
      [...BASE, "--table", "t", "--set", "a = b", "--min-batch-size", "500", "--max-batch-size", "100"],
      /--min-batch-size is larger/,
    ],
    [[...BASE, "--table", "t", "--set", "a = b", "--bogus"], /Unknown option '--bogus'/],
  ])("%j is a usage error", async (args, message) => {
    const { code, err } = await run(args as string[]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it("a database that cannot be reached is a sentence and exit 1, not a stack", async () => {
    const { code, err } = await run([...BASE, "--table", "t", "--set", "a = b"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^rollgate backfill: failed: .*ECONNREFUSED/);
  });

  it("is in the help", async () => {
    const out: string[] = [];
    await main(["--help"], { out: (t) => void out.push(t), err: () => undefined, interactive: false });
    expect(out.join("\n")).toMatch(/rollgate backfill --database-url URL --table T --set/);
  });
});

describe("the progress bar on a terminal", () => {
  it("shows rows done of the estimate, rate, ETA, lag and the throttle reason, and news on lines of their own", () => {
    const drawn: string[] = [];
    const lines: string[] = [];
    const bar = new ProgressBar(
      { out: () => undefined, err: (t) => void lines.push(t), interactive: true },
      (t) => void drawn.push(t),
    );
    const id = "6f1c2a7e-1b8e-4c4e-9a51-0d2f3c4b5a69";
    bar.show({
      kind: "progress",
      backfill_id: id,
      rows_done: 500,
      rows_written: 480,
      estimate_rows: 1000,
      rate_per_s: 2500,
      eta_s: 0.2,
      batch_size: 400,
      replica_lag_ms: 120,
      throttle: null,
    });
    expect(drawn.at(-1)).toBe(
      "[############------------] 50% 500/1,000 rows · 2,500/s · ETA 200 ms · batch 400 · lag 120 ms",
    );
    bar.show({
      kind: "paused",
      backfill_id: id,
      rows_done: 500,
      cause: "replica_lag",
      reason: "replica lag 2.0 s is over --max-lag 1.0 s",
    });
    expect(lines.at(-1)).toBe("rollgate backfill: paused: replica lag 2.0 s is over --max-lag 1.0 s");
    expect(drawn.at(-1)).toMatch(/· waiting: replica lag 2\.0 s is over --max-lag 1\.0 s$/);
    bar.show({ kind: "resumed", backfill_id: id, rows_done: 500, after_ms: 3000 });
    expect(lines.at(-1)).toBe("rollgate backfill: resumed after 3.0 s");
    expect(drawn.at(-1)).not.toMatch(/waiting/);
    bar.show({ kind: "finished", backfill_id: id, rows_done: 1000, rows_written: 960, duration_ms: 4000 });
    expect(drawn.at(-1)).toBe("\n");
  });
});
