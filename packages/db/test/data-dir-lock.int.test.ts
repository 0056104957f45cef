import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../src/client.ts";
import { lockPath } from "../src/data-dir-lock.ts";

// The embedded (PGlite) data folder: one instance per process, one process per folder.
const root = mkdtempSync(path.join(tmpdir(), "rollgate-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string) => path.join(root, name);
const packageDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

describe("the embedded data folder", () => {
  it("finding 4: the runtime's database is one per process, even when its module is loaded twice (Next's two bundles)", async () => {
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("ROLLGATE_DATA_DIR", folder("runtime"));
    const first = await import("../src/runtime.ts");
    vi.resetModules();
    const second = await import("../src/runtime.ts");
    expect(second).not.toBe(first);
    try {
      const [a, b] = await Promise.all([first.database(), second.database()]);
      expect(b).toBe(a);
    } finally {
      await first.closeDatabase();
      vi.unstubAllEnvs();
    }
  });

  it("finding 4: a second opening in the same process is refused instead of sharing the files", async () => {
    const handle = await openDatabase({ dataDir: folder("twice") });
    try {
      await expect(openDatabase({ dataDir: folder("twice") })).rejects.toThrow(
        /is in use by process \d+ .*Only one process may open it/,
      );
    } finally {
      await handle.close();
    }
    expect(existsSync(lockPath(folder("twice")))).toBe(false);
  });

  it("finding 4: a second process (rollgate token create, pnpm db:seed) gets a clear error while the server holds the folder", async () => {
    const handle = await openDatabase({ dataDir: folder("shared") });
    try {
      const seed = promisify(execFile)(path.join(packageDir, "node_modules", ".bin", "tsx"), ["src/bin/seed.ts"], {
        cwd: packageDir,
        env: { ...process.env, DATABASE_URL: "", ROLLGATE_DATA_DIR: folder("shared") },
      });
      await expect(seed).rejects.toMatchObject({
        stderr: expect.stringMatching(new RegExp(`in use by process ${process.pid} .*stop that process`)),
      });
    } finally {
      await handle.close();
    }
  });

  it("finding 4: the lock of a process that died is taken over, not waited on", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    const pid = dead.pid!;
    await new Promise((resolve) => dead.once("exit", resolve));
    const dir = folder("stale");
    const first = await openDatabase({ dataDir: dir });
    await first.close();
    writeFileSync(lockPath(dir), JSON.stringify({ pid, host: "gone", nonce: "x", since: new Date(0).toISOString() }));
    const handle = await openDatabase({ dataDir: dir });
    await handle.close();
    expect(readdirSync(dir).filter((f) => f.startsWith("rollgate.lock") && !f.includes(".stale-"))).toEqual([]);
  });
});
