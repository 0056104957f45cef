import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { duration, countdown } from "./commands/gate.ts";
import { API } from "@rollgate/core/contract/endpoints";
import type { EventBody } from "@rollgate/core/contract/events";
import { explain, is, request, requestLease } from "./http.ts";

const secret = "whsec_" + Buffer.from("a-test-secret-of-32-bytes-length").toString("base64");
const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let failuresLeft = 0;
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    seen.push({ headers: req.headers, body });
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      // The first attempts "lose" their answer: a 503, then a dropped connection.
      if (failuresLeft === 0) return req.socket.destroy();
      res.writeHead(503).end();
      return;
    }
    res
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ event_id: randomUUID(), duplicate: seen.length > 1 }));
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
afterAll(() => new Promise<void>((r) => server.close(() => r())));
const env = () => ({
  ROLLGATE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  ROLLGATE_TOKEN: "rg_x",
  ROLLGATE_SECRET: secret,
});

describe("the CLI's HTTP client", () => {
  it("retries 5xx and lost connections with the same webhook-id, each attempt validly signed", async () => {
    seen.length = 0;
    failuresLeft = 2;
    const answer = await request(env(), API.events, {
      body: { type: "flag.changed" } as EventBody,
      sleep: async () => {},
    });
    expect(answer.status).toBe(202);
    // The declared answer, parsed by its schema and typed by its status.
    expect(is(answer, 202) && typeof answer.json.duplicate).toBe("boolean");
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.headers["webhook-id"])).size).toBe(1);
    for (const attempt of seen)
      expect(() => new Webhook(secret).verify(attempt.body, attempt.headers as Record<string, string>)).not.toThrow();
  });

  it("finding 9: signs a lease request over a body naming its rollout, with a new webhook-id for each attempt", async () => {
    seen.length = 0;
    failuresLeft = 1;
    const keys = { service: "svc", environment: "production", release: "r1" };
    const answer = await requestLease(env(), keys, "job 1");
    expect(answer.status).toBe(202);
    expect(seen).toHaveLength(2);
    expect(new Set(seen.map((s) => s.headers["webhook-id"])).size).toBe(2);
    for (const attempt of seen) {
      expect(JSON.parse(attempt.body)).toEqual(keys);
      expect(attempt.headers["x-rollgate-holder"]).toBe("job 1");
      expect(() => new Webhook(secret).verify(attempt.body, attempt.headers as Record<string, string>)).not.toThrow();
    }
  });

  it("keeps an answer the endpoint does not declare (a lease answered 202 here) apart from the declared ones, and explains it", async () => {
    failuresLeft = 0;
    const answer = await requestLease(env(), { service: "svc", environment: "production", release: "r1" }, "job 1");
    expect(is(answer, 201)).toBe(false);
    expect(explain(answer)).toBe("HTTP 202: lease does not answer 202");
  });

  it("gives up with a sentence after its retries", async () => {
    await expect(
      request({ ...env(), ROLLGATE_URL: "http://127.0.0.1:9" }, API.health, { sleep: async () => {} }),
    ).rejects.toThrow(/did not answer after 6 attempts/);
  });
});

describe("gate durations", () => {
  it("reads durations and prints countdowns", () => {
    expect(duration("90s")).toBe(90_000);
    expect(duration("2h")).toBe(7_200_000);
    expect(duration("15")).toBe(15_000);
    expect(() => duration("soon")).toThrow(/not a duration/);
    expect(countdown(3_725_000)).toBe("1h02m");
    expect(countdown(61_000)).toBe("1m01s");
    expect(countdown(-5)).toBe("0s");
  });
});
