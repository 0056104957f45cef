import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { acceptRequestId, runInRequest } from "./context.ts";
import { readLogLevel } from "./env.ts";
import { censorSecrets, createLogger, pathOf } from "./logger.ts";

function capture(level: "info" | "debug" = "info") {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ level, destination }),
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("logger", () => {
  it("writes one JSON object a line with the level as a word, an ISO time and the message", () => {
    const { logger, lines, records } = capture();
    logger.info({ job: "prune" }, "job finished");
    logger.warn("second");
    expect(lines).toHaveLength(2);
    const [first] = records();
    expect(first).toMatchObject({ level: "info", msg: "job finished", job: "prune" });
    expect(new Date(String(first!.time)).toISOString()).toBe(first!.time);
  });

  it("drops lines below the level", () => {
    const { logger, lines } = capture("info");
    logger.debug("quiet");
    expect(lines).toHaveLength(0);
  });

  it("carries the request id of the request being served, and none outside one", () => {
    const { logger, records } = capture();
    runInRequest({ requestId: "req-12345678" }, () => logger.info("inside"));
    logger.info("outside");
    expect(records().map((r) => r.requestId)).toEqual(["req-12345678", undefined]);
  });

  it("never writes credentials, cookies, signatures or a query string", () => {
    const { logger, lines } = capture();
    const url = "https://rollgate.example/api/v1/events?token=QUERY-SECRET-1&x=2";
    logger.info(
      {
        path: pathOf(url),
        headers: {
          authorization: "Bearer rg_TOKEN-SECRET-2",
          cookie: "next-auth.session-token=COOKIE-SECRET-3",
          "webhook-signature": "v1,SIG-SECRET-4",
          "set-cookie": "a=COOKIE-SECRET-5",
        },
        token: "TOKEN-SECRET-6",
        body: { password: "PASSWORD-SECRET-7", secret: "whsec_SECRET-8" },
      },
      "request",
    );
    const text = lines.join("\n");
    for (const secret of [
      "QUERY-SECRET-1",
      "TOKEN-SECRET-2",
      "COOKIE-SECRET-3",
      "SIG-SECRET-4",
      "COOKIE-SECRET-5",
      "TOKEN-SECRET-6",
      "PASSWORD-SECRET-7",
      "SECRET-8",
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain('"path":"/api/v1/events"');
    expect(text).toContain("[redacted]");
  });
});

describe("censorSecrets", () => {
  it("censors secret keys three levels down, in arrays and in a child's bindings, without changing what was logged", () => {
    const { logger, lines } = capture();
    const logged = {
      request: { body: { password: "DEEP-SECRET-1" }, items: [{ token: "ARRAY-SECRET-2" }] },
      kept: { a: { b: { c: "fourth level is data" } } },
    };
    logger.child({ service: "a" }).child({ secret: "BINDING-SECRET-3" }).info(logged, "nested");
    const text = lines.join("\n");
    for (const secret of ["DEEP-SECRET-1", "ARRAY-SECRET-2", "BINDING-SECRET-3"]) expect(text).not.toContain(secret);
    expect(text).toContain("fourth level is data");
    expect(text).toContain('"service":"a"');
    expect(logged.request.body.password).toBe("DEEP-SECRET-1");
    expect(logged.request.items[0]!.token).toBe("ARRAY-SECRET-2");
  });

  it("returns what holds no secret as it is", () => {
    const line = { route: "events", method: "POST", path: "/api/v1/events", status: 202, tags: ["a"] };
    expect(censorSecrets(line)).toBe(line);
  });
});

describe("request id", () => {
  it("keeps a well-formed incoming id and replaces anything else", () => {
    expect(acceptRequestId("3f1c2a4e-0d7b-4c1e-9a2b-5e6f7a8b9c0d")).toBe("3f1c2a4e-0d7b-4c1e-9a2b-5e6f7a8b9c0d");
    for (const bad of [null, "", "short", "has space in it", "x".repeat(129), 'quote"injection', "line\nbreak-in-id"])
      expect(acceptRequestId(bad)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("LOG_LEVEL", () => {
  it("defaults to info, accepts a level in any case, and reports a wrong one", () => {
    expect(readLogLevel({})).toEqual({ level: "info" });
    expect(readLogLevel({ LOG_LEVEL: "DEBUG" })).toEqual({ level: "debug" });
    expect(readLogLevel({ LOG_LEVEL: "verbose" })).toMatchObject({
      level: "info",
      problem: expect.stringContaining("verbose"),
    });
  });
});
