import { randomUUID } from "node:crypto";
import { openDatabase } from "@rollgate/db/client";
import { migrateDatabase } from "@rollgate/db/migrate";
import { appendAudit } from "@rollgate/db/queries/audit";
import { auditEvents } from "@rollgate/db/schema";
import { captureLogs } from "@rollgate/log/testing/capture";
import { log } from "@rollgate/log";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
const { inRequest } = await import("./request");

const handle = await openDatabase(
  process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, max: 2 } : { dataDir: "memory://" },
);
await migrateDatabase(handle);
afterAll(() => handle.close());
const { db } = handle;

const appendTestEntry = (subjectId: string) =>
  db.transaction((tx) =>
    appendAudit(tx, {
      at: new Date(),
      actorType: "system",
      actorId: "test",
      action: "test.request",
      subjectType: "test",
      subjectId,
    }),
  );
// The chain's first keyed entry also writes (and logs) the audit key's record: on a fresh
// database write it first, so a request's log lines are only its own.
beforeAll(() => appendTestEntry(randomUUID()));

/** A handler that, like every use case, writes an audit entry and logs on the way. */
const handler = inRequest("test", async (request: Request) => {
  const subjectId = randomUUID();
  await appendTestEntry(subjectId);
  log().info({ headers: Object.fromEntries(request.headers) }, "handling");
  return Response.json({ subjectId }, { status: 202 });
});

async function call(headers: Record<string, string>) {
  const logs = captureLogs("info");
  try {
    const response = await handler(
      new Request("https://rollgate.example/api/v1/events?token=QUERY-SECRET&service=billing", {
        method: "POST",
        headers,
      }),
    );
    const { subjectId } = (await response.json()) as { subjectId: string };
    const [entry] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.subjectId, subjectId));
    return { response, records: logs.records(), text: logs.text(), audit: entry!.data as Record<string, unknown> };
  } finally {
    logs.restore();
  }
}

describe("one request id from the request to its log lines and audit entries", () => {
  it("carries the id the proxy forwarded into every log line and the audit entry", async () => {
    const requestId = `ci-${randomUUID()}`;
    const { records, audit } = await call({ "x-request-id": requestId });
    expect(records.map((r) => r.requestId)).toEqual([requestId, requestId]);
    expect(records.at(-1)).toMatchObject({
      msg: "request",
      route: "test",
      method: "POST",
      path: "/api/v1/events",
      status: 202,
    });
    expect(audit.requestId).toBe(requestId);
  });

  it("makes an id when none came (or a malformed one), still shared by the log and the audit entry", async () => {
    const { records, audit } = await call({ "x-request-id": "bad id\twith spaces" });
    expect(audit.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(records.every((r) => r.requestId === audit.requestId)).toBe(true);
  });

  it("logs no credential, cookie, signature or query value of the request", async () => {
    const { text } = await call({
      authorization: "Bearer rg_TOKEN-SECRET",
      cookie: "__Secure-next-auth.session-token=COOKIE-SECRET",
      "webhook-signature": "v1,SIGNATURE-SECRET",
      "x-request-id": `ci-${randomUUID()}`,
    });
    for (const secret of ["QUERY-SECRET", "billing", "TOKEN-SECRET", "COOKIE-SECRET", "SIGNATURE-SECRET"])
      expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });
});
