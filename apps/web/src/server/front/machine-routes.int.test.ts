import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestService } from "../../../test/integrations";

// The standalone server's front (main.ts): the machine routes it answers without Next.js give
// the same answers as Next's route files, and everything else reaches Next untouched.

process.env.ROLLGATE_DATA_DIR ??= "memory://";
vi.mock("server-only", () => ({}));

const { database, closeDatabase } = await import("@rollgate/db/runtime");
const support = await import("../../../test/integrations");
const { matchMachineRoute, serveMachineRoute } = await import("./machine-routes");
const { processGateWaiters } = await import("../gate/gate-waiters");
const { MAX_BODY_BYTES } = await import("../events/read-signed-body");
const gateRoute = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/gate/route");

const handle = await database();
/** What reached the stand-in for Next: method and raw target. */
const toNext: string[] = [];
let server: Server;
let base: string;
let svc: TestService;

beforeAll(async () => {
  server = createServer((req, res) => {
    const match = matchMachineRoute(req.method ?? "GET", req.url ?? "/");
    if (match) return void serveMachineRoute(match, req, res, base);
    toNext.push(`${req.method} ${req.url}`);
    res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  svc = await support.testService(handle.db, "front");
  await support.startWindow(svc, "r1", "2.0.0", new Date());
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await closeDatabase();
});

const gatePath = (release = "r1") => `/api/v1/rollouts/${svc.slug}/staging/${release}/gate`;
const bearer = () => ({ authorization: `Bearer ${svc.token}` });

describe("the standalone server's machine routes", () => {
  it("answers a gate read with the very body and status of Next's route file", async () => {
    const direct = await gateRoute.GET(new Request(`http://rollgate.test${gatePath()}`, { headers: bearer() }), {
      params: Promise.resolve({ service: svc.slug, environment: "staging", release: "r1" }),
    });
    const front = await fetch(base + gatePath(), { headers: bearer() });
    expect(front.status).toBe(200);
    expect(front.headers.get("cache-control")).toBe("no-store");
    const [a, b] = [await direct.json(), await front.json()];
    // Messages may count seconds left in the window; the two reads are moments apart.
    const timeless = (gate: { checks: { message: string }[] }) => ({
      ...gate,
      checks: gate.checks.map((c) => ({ ...c, message: c.message.replace(/\d+/g, "#") })),
    });
    expect(timeless(b)).toEqual(timeless(a));
    expect(b).toMatchObject({ service: svc.slug, environment: "staging", release: "r1", state: "verifying" });
  });

  it("decodes path segments, and answers refusals through the one error path", async () => {
    const unknown = await fetch(base + gatePath("no%20such"), { headers: bearer() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/json");
    expect((await unknown.json()).error.message).toContain("no such");
    const anonymous = await fetch(base + gatePath());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    const elsewhere = await fetch(base + `/api/v1/rollouts/other-svc/staging/r1/gate`, { headers: bearer() });
    expect(elsewhere.status).toBe(403);
    expect(toNext).toEqual([]);
  });

  it("answers the backfill control read (what `rollgate backfill` asks before every batch) as Next's route file does", async () => {
    const backfillId = crypto.randomUUID();
    const { SAMPLE_DATA } = await import("@rollgate/core/testing/samples");
    await support.send(svc, "r1", "backfill.started", { ...SAMPLE_DATA["backfill.started"], backfill_id: backfillId });
    const path = `/api/v1/rollouts/${svc.slug}/staging/r1/backfills/${backfillId}`;
    const route = await import("@/app/api/v1/rollouts/[service]/[environment]/[release]/backfills/[backfill_id]/route");
    const direct = await route.GET(new Request(`http://rollgate.test${path}`, { headers: bearer() }), {
      params: Promise.resolve({ service: svc.slug, environment: "staging", release: "r1", backfill_id: backfillId }),
    });
    const front = await fetch(base + path, { headers: bearer() });
    expect(front.status).toBe(200);
    expect(await front.json()).toEqual(await direct.json());
    const unknown = await fetch(base + path.replace(backfillId, crypto.randomUUID()), { headers: bearer() });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("not_found");
    expect(toNext).toEqual([]);
  });

  it("carries a well-formed request id through, and makes one for a malformed id", async () => {
    const kept = await fetch(base + gatePath(), { headers: { ...bearer(), "x-request-id": "ci-run-42.step-7" } });
    expect(kept.headers.get("x-request-id")).toBe("ci-run-42.step-7");
    const made = await fetch(base + gatePath(), {
      headers: { ...bearer(), "x-request-id": "no spaces allowed" },
    });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a signed event, and answers a replayed delivery as a duplicate", async () => {
    const body = JSON.stringify({
      type: "slo.snapshot",
      service: svc.slug,
      environment: "staging",
      release: "r1",
      occurred_at: new Date().toISOString(),
      data: { availability: 99.95, error_budget_remaining: 0.8, burn_rate: 0.4 },
    });
    const signed = support.signed(svc, "http://unused", body);
    const headers = Object.fromEntries(signed.headers);
    const first = await fetch(`${base}/api/v1/events`, { method: "POST", headers, body });
    expect(first.status).toBe(202);
    const again = await fetch(`${base}/api/v1/events`, { method: "POST", headers, body });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ duplicate: true });
  });

  it("refuses a body past the limit by its size, declared or streamed", async () => {
    const big = "x".repeat(MAX_BODY_BYTES + 10);
    const signed = support.signed(svc, "http://unused", big);
    const declared = await fetch(`${base}/api/v1/events`, {
      method: "POST",
      headers: Object.fromEntries(signed.headers),
      body: big,
    });
    expect(declared.status).toBe(413);
    const chunked = await postChunked(`${base}/api/v1/events`, Object.fromEntries(signed.headers), big);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("payload_too_large");
  });

  it("leaves every other method, path and spelling to Next.js", async () => {
    toNext.length = 0;
    const asked = [
      ["HEAD", gatePath()],
      ["PUT", "/api/v1/events"],
      ["GET", `${gatePath()}/`],
      ["GET", `/api/v1/rollouts/${svc.slug}//r1/gate`],
      ["GET", `/api/v1/rollouts/%ZZ/staging/r1/gate`],
      ["GET", "/api/health"],
      ["GET", "/"],
      ["POST", `${gatePath()}/lease`],
    ] as const;
    for (const [method, path] of asked) expect((await fetch(base + path, { method })).status).toBe(418);
    expect(toNext).toEqual(asked.map(([method, path]) => `${method} ${path}`));
  });

  it("drops a parked long-poll when its client goes away", async () => {
    const current = await fetch(`${base}${gatePath()}/wait?timeout=0`, { headers: bearer() });
    const known = current.headers.get("etag")!;
    const waiters = await processGateWaiters();
    const parkedNow = () => waiters.stats().waiters;
    const before = parkedNow();
    const gone = new AbortController();
    const parked = fetch(`${base}${gatePath()}/wait?timeout=60`, {
      headers: { ...bearer(), "if-none-match": known },
      signal: gone.signal,
    }).catch((e: unknown) => e);
    await expect.poll(parkedNow, { timeout: 5000 }).toBe(before + 1);
    gone.abort();
    await parked;
    await expect.poll(parkedNow, { timeout: 5000 }).toBe(before);
  });
});

/** A POST with a chunked body (no content-length): the front must stop at the limit itself. */
function postChunked(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  const { "content-length": _length, ...rest } = headers;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { ...rest, "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    for (let i = 0; i < body.length; i += 16_384) req.write(body.slice(i, i + 16_384));
    req.end();
  });
}
