import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { drillTemplate, forgetDrillTemplate, freshDrillDatabase } from "./template.ts";

let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(path.join(os.tmpdir(), "rollgate-drill-cache-"));
  forgetDrillTemplate();
});
afterEach(() => vi.restoreAllMocks());
const cacheFiles = () => readdirSync(cacheDir).filter((f) => f.endsWith(".bin"));
/** PGlite starts that ran initdb (those not loaded from a data directory; initdb itself starts a helper too). */
const initdbs = (create: { mock: { calls: unknown[][] } }) =>
  create.mock.calls.filter(([options]) => !(options as { loadDataDir?: Blob } | undefined)?.loadDataDir).length;

describe("the drill's initialised cluster", () => {
  it("runs initdb once (dropping clusters of other PGlite versions), then starts every drill database from the cached cluster without it", async () => {
    writeFileSync(path.join(cacheDir, "drill-template-pglite-0.0.1-00000000.bin"), "an earlier PGlite's cluster");
    const create = vi.spyOn(PGlite, "create");
    await drillTemplate({ cacheDir });
    expect(initdbs(create)).toBeGreaterThan(0);
    expect(cacheFiles()).toHaveLength(1); // and the earlier version's file is gone
    forgetDrillTemplate(); // a new process: only the disk cache is left
    create.mockClear();
    const db = await freshDrillDatabase({ cacheDir });
    try {
      expect(create).toHaveBeenCalledTimes(1);
      expect(initdbs(create)).toBe(0);
      expect((await db.query<{ n: number }>("select count(*)::int as n from pg_database")).rows[0]!.n).toBe(3);
      expect((await db.query<{ shared_buffers: string }>("show shared_buffers")).rows[0]!.shared_buffers).toBe("16MB");
      expect((await db.query("select relname from pg_class where relname = 'users'")).rows).toEqual([]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it("rebuilds a cached cluster whose checksum does not match instead of loading it", async () => {
    await drillTemplate({ cacheDir });
    const file = path.join(cacheDir, cacheFiles()[0]!);
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, good.length / 2)); // a torn write
    forgetDrillTemplate();
    const create = vi.spyOn(PGlite, "create");
    const db = await freshDrillDatabase({ cacheDir });
    try {
      expect(initdbs(create)).toBeGreaterThan(0);
      expect((await db.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
      expect(readFileSync(file).length).toBeGreaterThan(good.length / 2);
    } finally {
      await db.close();
    }
  }, 120_000);

  it("keeps the cluster in memory only when told to", async () => {
    await drillTemplate({ cacheDir: null });
    expect(cacheFiles()).toEqual([]);
  }, 120_000);
});
