import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { instantQuery, type PrometheusTarget } from "./prometheus.ts";

// A stand-in for Prometheus's HTTP API that answers by query text and records what it was asked.
const seen: Array<{ url: URL; authorization: string | undefined }> = [];
const server = createServer((req, res) => {
  const url = new URL(req.url!, "http://x");
  seen.push({ url, authorization: req.headers.authorization });
  const q = url.searchParams.get("query");
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (q === "one")
    return json(200, {
      status: "success",
      data: { resultType: "vector", result: [{ metric: {}, value: [1, "99.5"] }] },
    });
  if (q === "none") return json(200, { status: "success", data: { resultType: "vector", result: [] } });
  if (q === "two")
    return json(200, {
      status: "success",
      data: { resultType: "vector", result: [{ value: [1, "1"] }, { value: [1, "2"] }] },
    });
  if (q === "scalar") return json(200, { status: "success", data: { resultType: "scalar", result: [1, "0.25"] } });
  if (q === "nan")
    return json(200, { status: "success", data: { resultType: "vector", result: [{ value: [1, "NaN"] }] } });
  if (q === "slow") return void setTimeout(() => json(200, {}), 3000);
  if (q === "locked") return json(401, { status: "error", error: "unauthorized" });
  return json(400, { status: "error", errorType: "bad_data", error: "parse error at char 3" });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
const target = (patch: Partial<PrometheusTarget> = {}): PrometheusTarget => ({
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  auth: "none",
  timeoutSeconds: 1,
  ...patch,
});
const at = new Date("2026-11-21T10:42:00Z");

describe("Prometheus instant queries", () => {
  it("reads exactly one series (or a scalar) at the sample time", async () => {
    expect(await instantQuery(target(), "one", at)).toEqual({ ok: true, value: 99.5 });
    expect(await instantQuery(target(), "scalar", at)).toEqual({ ok: true, value: 0.25 });
    expect(seen.at(-1)!.url.searchParams.get("time")).toBe((at.getTime() / 1000).toFixed(3));
  });

  it("says why when there is no number: no series, several, NaN, a PromQL error, a timeout, refused credentials, nobody listening", async () => {
    expect(await instantQuery(target(), "none", at)).toEqual({ ok: false, error: "query returned no series" });
    expect(await instantQuery(target(), "two", at)).toEqual({
      ok: false,
      error: "query returned 2 series; it must return exactly one",
    });
    expect(await instantQuery(target(), "nan", at)).toEqual({ ok: false, error: "query returned NaN, not a number" });
    expect(await instantQuery(target(), "up{", at)).toEqual({
      ok: false,
      error: "query failed: bad_data: parse error at char 3",
    });
    expect(await instantQuery(target(), "slow", at)).toEqual({ ok: false, error: "query timed out after 1 s" });
    expect(await instantQuery(target(), "locked", at)).toEqual({
      ok: false,
      error: "Prometheus refused the credentials (HTTP 401)",
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await instantQuery(target({ url: `http://127.0.0.1:${port}` }), "one", at)).toEqual({
      ok: false,
      error: "Prometheus did not answer (ECONNREFUSED)",
    });
  });

  it("sends a bearer token or basic auth when the policy says so", async () => {
    await instantQuery(target({ auth: "bearer", secret: "t0ken" }), "one", at);
    expect(seen.at(-1)!.authorization).toBe("Bearer t0ken");
    await instantQuery(target({ auth: "basic", username: "rollgate", secret: "pw" }), "one", at);
    expect(seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from("rollgate:pw").toString("base64")}`);
  });
});
