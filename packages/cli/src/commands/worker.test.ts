import { afterEach, describe, expect, it, vi } from "vitest";
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

describe("rollgate worker", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("refuses to run on embedded PGlite, where the web server runs the jobs itself", async () => {
    vi.stubEnv("DATABASE_URL", "");
    const { err, io: streams } = io();
    expect(await main(["worker"], streams)).toBe(2);
    expect(err.join("\n")).toMatch(/needs DATABASE_URL .*the web server runs the jobs itself/);
  });
});
