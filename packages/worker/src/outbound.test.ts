import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDestination, DestinationRefusedError, guardedLookup, outboundFetch, type Resolver } from "./outbound.ts";
import { instantQuery, type PrometheusTarget } from "./prometheus.ts";

const TOKEN = "prom-bearer-0123456789-secret";
let hits = 0;
const server = createServer((req, res) => {
  hits += 1;
  // A chatty server that echoes what it was sent, as an internal service or a proxy might.
  res.writeHead(400, { "content-type": "application/json" });
  res.end(JSON.stringify({ status: "error", errorType: "bad_data", error: `echo ${req.headers.authorization}` }));
});
let port = 0;
beforeAll(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve())));
beforeAll(() => void (port = (server.address() as AddressInfo).port));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const target = (url: string): PrometheusTarget => ({ url, auth: "bearer", secret: TOKEN, timeoutSeconds: 2 });
const at = new Date("2026-11-02T09:00:00Z");

describe("outbound requests to configured destinations", () => {
  it("finding 14: the stored Prometheus bearer token never comes back in an error", async () => {
    const result = await instantQuery(target(`http://127.0.0.1:${port}`), "up", at, fetch);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).toContain("[redacted]");
  });

  it("finding 14: a query to 127.0.0.1 is refused before connecting unless internal addresses are allowed", async () => {
    const before = hits;
    const refused = await instantQuery(
      target(`http://127.0.0.1:${port}`),
      "up",
      at,
      outboundFetch({ allowPrivate: false }),
    );
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining("refused") });
    expect(hits).toBe(before);
    for (const url of ["http://[::ffff:127.0.0.1]:5432", "http://0.0.0.0:5432", "http://169.254.169.254/"]) {
      const r = await instantQuery(target(url), "up", at, outboundFetch({ allowPrivate: false }));
      expect(r, url).toMatchObject({ ok: false, error: expect.stringContaining("refused") });
      expect(JSON.stringify(r)).not.toContain("UND_ERR_SOCKET");
    }
    const allowed = await instantQuery(
      target(`http://127.0.0.1:${port}`),
      "up",
      at,
      outboundFetch({ allowPrivate: true }),
    );
    expect(allowed).toMatchObject({ ok: false, error: expect.stringContaining("bad_data") });
    expect(hits).toBe(before + 1);
  });

  it("finding 14: a name that resolves to an internal address is refused at save time and again at send time (DNS rebinding)", async () => {
    let answer = ["93.184.216.34"];
    const resolve: Resolver = async () => answer;
    expect(await checkDestination("http://prometheus.example:9090", { allowPrivate: false, resolve })).toEqual({
      ok: true,
    });
    answer = ["127.0.0.1"]; // the name now points home
    expect(await checkDestination("http://prometheus.example:9090", { allowPrivate: false, resolve })).toMatchObject({
      ok: false,
    });
    const before = hits;
    const sent = await instantQuery(
      target(`http://prometheus.example:${port}`),
      "up",
      at,
      outboundFetch({ allowPrivate: false, resolve }),
    );
    expect(sent).toMatchObject({ ok: false, error: expect.stringContaining("resolves to 127.0.0.1") });
    expect(hits).toBe(before);
  });

  it("the socket lookup hands over exactly the addresses it checked, in the form net asks for", async () => {
    const lookup = guardedLookup(async () => ["93.184.216.34", "2606:2800:220:1::1"]);
    const all = await new Promise((resolve, reject) =>
      lookup("a.example", { all: true }, (e, list) => (e ? reject(e) : resolve(list))),
    );
    expect(all).toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:2800:220:1::1", family: 6 },
    ]);
    const one = await new Promise((resolve, reject) =>
      lookup("a.example", { family: 6 }, (e, address, family) => (e ? reject(e) : resolve([address, family]))),
    );
    expect(one).toEqual(["2606:2800:220:1::1", 6]);
    const mixed = guardedLookup(async () => ["93.184.216.34", "10.0.0.7"]);
    const error = await new Promise<Error | null>((resolve) => mixed("b.example", {}, (e) => resolve(e)));
    expect(error).toBeInstanceOf(DestinationRefusedError);
  });
});
