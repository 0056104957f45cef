import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Io } from "../io.ts";
import { main } from "../main.ts";

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

  it("is in the help", async () => {
    const out: string[] = [];
    await main(["--help"], { out: (t) => void out.push(t), err: () => undefined, interactive: false });
    expect(out.join("\n")).toMatch(/rollgate backfill --database-url URL --table T --set/);
  });
});
