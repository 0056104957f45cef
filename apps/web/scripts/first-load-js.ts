// First-load JavaScript per route, from the build output, gzip-compressed: what a browser
// downloads before a page is interactive. Fails (exit 1) when a route is over its budget.
// Run after `next build`: pnpm --filter @rollgate/web exec tsx scripts/first-load-js.ts [--budget-kb 200] [--json] [--dir .next]
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { gzipSync } from "node:zlib";

export interface RouteSize {
  route: string;
  files: number;
  gzipBytes: number;
}

/**
 * Each page's client-reference manifest names the chunks of its layouts and the page
 * (`entryJSFiles`); the build manifest names the runtime every page loads (`rootMainFiles`).
 * Their union, each chunk gzipped once, is the route's first load. Polyfills are left out,
 * as Next does: they are `nomodule` and modern browsers skip them.
 */
export function firstLoadJs(nextDir: string): RouteSize[] {
  const build = JSON.parse(readFileSync(path.join(nextDir, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  const gzipped = new Map<string, number>();
  const sizeOf = (file: string) => {
    let size = gzipped.get(file);
    if (size === undefined) {
      size = gzipSync(readFileSync(path.join(nextDir, file)), { level: 9 }).length;
      gzipped.set(file, size);
    }
    return size;
  };
  return manifests(path.join(nextDir, "server", "app"))
    .flatMap((file) => Object.entries(readManifest(file)))
    .filter(([route]) => !route.startsWith("/_"))
    .map(([route, entry]) => {
      const files = new Set([...build.rootMainFiles, ...Object.values(entry.entryJSFiles ?? {}).flat()]);
      return {
        route: route.replace(/\/page$/, "") || "/",
        files: files.size,
        gzipBytes: [...files].reduce((sum, f) => sum + sizeOf(f), 0),
      };
    })
    .sort((a, b) => a.route.localeCompare(b.route));
}

function manifests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return manifests(full);
    return name === "page_client-reference-manifest.js" ? [full] : [];
  });
}

/** The manifest is a script that assigns to `globalThis.__RSC_MANIFEST`; run it in a bare context. */
function readManifest(file: string): Record<string, { entryJSFiles?: Record<string, string[]> }> {
  const context: {
    globalThis?: unknown;
    __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }>;
  } = {};
  context.globalThis = context;
  vm.runInNewContext(readFileSync(file, "utf8"), context, { timeout: 1000 });
  return context.__RSC_MANIFEST ?? {};
}

/** The check as CI runs it: prints every route, returns 1 when one is over budget or nothing was built. */
export function main(argv: string[]): number {
  const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const budgetKb = Number(option("--budget-kb") ?? 200);
  const nextDir = option("--dir") ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".next");
  const routes = firstLoadJs(nextDir);
  if (routes.length === 0) {
    console.error(`No page manifests under ${nextDir}; run the build first.`);
    return 1;
  }
  const over = routes.filter((r) => r.gzipBytes > budgetKb * 1024);
  if (argv.includes("--json")) console.log(JSON.stringify({ budgetKb, routes }, null, 2));
  else {
    console.log(`First-load JavaScript per route (gzip), budget ${budgetKb} KB:`);
    for (const r of routes)
      console.log(
        `  ${(r.gzipBytes / 1024).toFixed(1).padStart(7)} KB  ${r.files} files  ${r.route}${r.gzipBytes > budgetKb * 1024 ? "  OVER BUDGET" : ""}`,
      );
  }
  if (over.length)
    console.error(`${over.length} route(s) over the ${budgetKb} KB budget: ${over.map((r) => r.route).join(", ")}`);
  return over.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = main(process.argv.slice(2));
