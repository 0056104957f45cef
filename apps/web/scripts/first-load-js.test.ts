import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { firstLoadJs, main } from "./first-load-js";

/** A build output in miniature: a runtime chunk, a layout chunk shared by two pages, and a heavy page. */
function fakeBuild(): { dir: string; gz: (name: string) => number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "first-load-"));
  const chunks: Record<string, Buffer> = {
    "runtime.js": randomBytes(30_000),
    "layout.js": randomBytes(20_000),
    "heavy.js": randomBytes(180_000),
    "light.js": Buffer.from("x".repeat(50_000)),
  };
  mkdirSync(path.join(dir, "static", "chunks"), { recursive: true });
  for (const [name, bytes] of Object.entries(chunks)) writeFileSync(path.join(dir, "static", "chunks", name), bytes);
  writeFileSync(
    path.join(dir, "build-manifest.json"),
    JSON.stringify({ rootMainFiles: ["static/chunks/runtime.js"], polyfillFiles: ["static/chunks/light.js"] }),
  );
  const page = (route: string, files: string[]) => {
    const folder = path.join(dir, "server", "app", ...route.split("/").filter(Boolean));
    mkdirSync(folder, { recursive: true });
    const entry = {
      entryJSFiles: {
        "[project]/app/layout": ["static/chunks/layout.js"],
        [`[project]/app${route}/page`]: files.map((f) => `static/chunks/${f}`),
      },
    };
    writeFileSync(
      path.join(folder, "page_client-reference-manifest.js"),
      `globalThis.__RSC_MANIFEST = globalThis.__RSC_MANIFEST || {};\nglobalThis.__RSC_MANIFEST["${route}/page"] = ${JSON.stringify(entry)};`,
    );
  };
  page("", ["light.js"]);
  page("/reports", ["layout.js", "heavy.js"]);
  return { dir, gz: (name) => gzipSync(chunks[name]!, { level: 9 }).length };
}

afterEach(() => vi.restoreAllMocks());

describe("first-load JavaScript per route", () => {
  it("sums each route's runtime, layout and page chunks once, gzipped, leaving polyfills out", () => {
    const { dir, gz } = fakeBuild();
    expect(firstLoadJs(dir)).toEqual([
      { route: "/", files: 3, gzipBytes: gz("runtime.js") + gz("layout.js") + gz("light.js") },
      { route: "/reports", files: 3, gzipBytes: gz("runtime.js") + gz("layout.js") + gz("heavy.js") },
    ]);
  });

  it("fails when a route is over its budget and passes when every route is under", () => {
    const { dir } = fakeBuild();
    vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(main(["--dir", dir, "--budget-kb", "200"])).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("1 route(s) over the 200 KB budget: /reports"));
    expect(main(["--dir", dir, "--budget-kb", "300"])).toBe(0);
  });

  it("fails when there is no build to measure", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const empty = mkdtempSync(path.join(os.tmpdir(), "first-load-"));
    mkdirSync(path.join(empty, "server", "app"), { recursive: true });
    writeFileSync(path.join(empty, "build-manifest.json"), JSON.stringify({ rootMainFiles: [] }));
    expect(main(["--dir", empty])).toBe(1);
  });
});
