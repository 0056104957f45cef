import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../main.ts";

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), interactive: false },
  };
};

describe("rollgate drill", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("shows the rehearsal step of the late-writes variant: v1's statements and PostgreSQL's error after the contract", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "rollgate-drill-"));
    dirs.push(dir);
    const { out, err, io: streams } = io();
    expect(await main(["drill", "--scenario", "late-writes", "--out", dir], streams)).toBe(0);
    const step = err.find((line) => line.includes("rollgate rehearse proves it"));
    expect(step).toMatch(
      /^✓ late-writes 10\. rollgate rehearse proves it: .* — succeeded: 2 of 2 statement\(s\) of v1\.0\.0 work after expand and fail after the contract: /,
    );
    expect(step).toContain(
      '"insert into users (email, name) values ($1, $2)" (3 call(s)): column "email" of relation "users" does not exist',
    );
    expect(out.join("\n")).toMatch(/^Drill complete: every step went as expected\./);
    const evidence = JSON.parse(await readFile(path.join(dir, "evidence.json"), "utf8"));
    expect(evidence.rehearsal).toMatchObject({ version: "1.0.0", statements: 2, proofs: [{}, {}] });
    expect(await readFile(path.join(dir, "evidence.md"), "utf8")).toMatch(
      /Rehearsal of 1\.0\.0's 2 observed statement\(s\) against the contract \(\d+ ms\): 2 proof\(s\)/,
    );
  }, 60_000);

  it("refuses an unknown scenario with exit 2", async () => {
    const { err, io: streams } = io();
    expect(await main(["drill", "--scenario", "nope"], streams)).toBe(2);
    expect(err.join("\n")).toMatch(/--scenario must be unsafe, safe, both, late-writes or all\./);
  });
});
