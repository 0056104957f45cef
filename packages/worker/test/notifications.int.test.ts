import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { notificationPayload } from "@rollgate/core/integrations/notifications";
import { blockKitProblems } from "@rollgate/core/testing/block-kit";
import { createSubscription, enqueueNotification, retryDeliveryNow } from "@rollgate/db/queries/notifications";
import { notificationDeliveries } from "@rollgate/db/schema";
import { encryptSecret, newSigningSecret } from "@rollgate/db/secrets";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { makeRelease } from "../../db/test/fixtures.ts";
import { testDatabase } from "../../db/test/harness.ts";
import { DEFAULT_WORKER_CONFIG, type JobContext } from "../src/context.ts";
import { deliverNotifications, retryDelayMs } from "../src/jobs/notifications.ts";

const handle = await testDatabase();
const { db } = handle;
const SECRET_KEY = "test-secret-key-0123456789";

// A local receiver: per path, how many requests to refuse before answering 200, and what arrived.
const failFirst = new Map<string, number>();
const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string; status: number }> = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString("utf8")));
  req.on("end", () => {
    const path = req.url!;
    const left = failFirst.get(path) ?? 0;
    const status = left > 0 ? 503 : 200;
    failFirst.set(path, left - 1);
    received.push({ path, headers: req.headers, body, status });
    res.writeHead(status).end(status === 200 ? "ok" : "busy");
  });
});
// A free port, the system's choice.
async function listen(): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return (server.address() as AddressInfo).port;
}
const port = await listen();
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function context(clock: { at: Date }): JobContext {
  return {
    db,
    now: () => clock.at,
    secretKey: SECRET_KEY,
    config: {
      ...DEFAULT_WORKER_CONFIG,
      // The receivers of these tests listen on 127.0.0.1.
      allowPrivateDestinations: true,
      publicUrl: "https://rollgate.example.com",
      notificationBackoffMs: 1000,
      notificationMaxAttempts: 5,
    },
  };
}

async function subscribed(kind: "slack" | "webhook", path: string) {
  const made = await makeRelease(db);
  const secret = newSigningSecret();
  const sub = await createSubscription(db, {
    serviceId: made.service.id,
    environmentId: null,
    kind,
    url: `http://127.0.0.1:${port}${path}`,
    secretCiphertext: kind === "webhook" ? encryptSecret(secret, SECRET_KEY) : null,
    eventTypes: ["lease.taken", "contract.failed"],
    createdBy: "admin@example.com",
  });
  const staging = made.environments.find((e) => e.name === "staging")!;
  const raise = (type: "lease.taken" | "contract.failed", key: string, at: Date) =>
    db.transaction((tx) =>
      enqueueNotification(tx, {
        serviceId: made.service.id,
        environmentId: staging.id,
        type,
        key,
        now: at,
        payload: notificationPayload({
          type,
          service: made.service.slug,
          environment: "staging",
          release: "rel-1",
          summary: "ci-7 took the contract lease.",
          at,
        }) as unknown as Record<string, unknown>,
      }),
    );
  return { ...made, sub, secret, raise };
}

describe("delivering notifications", () => {
  it("finding 14: a delivery to 127.0.0.1 is refused when it connects unless internal addresses are allowed, and its error hides the Slack path", async () => {
    for (const kind of ["webhook", "slack"] as const) {
      const path = `/services/T0/B0/${crypto.randomUUID()}`;
      const s = await subscribed(kind, path);
      const clock = { at: new Date() };
      expect(await s.raise("lease.taken", `lease:${kind}`, clock.at)).toBe(1);
      const strict = context(clock);
      strict.config = { ...strict.config, allowPrivateDestinations: false };
      await deliverNotifications(strict);
      const [row] = await db
        .select()
        .from(notificationDeliveries)
        .where(eq(notificationDeliveries.subscriptionId, s.sub.id));
      expect(row, kind).toMatchObject({ status: "pending", attempts: 1 });
      expect(row!.lastError, kind).toContain("refused");
      expect(row!.lastError, kind).not.toContain(path);
      expect(received.some((r) => r.path === path)).toBe(false);
    }
  });

  it("retries a failing receiver with backoff and delivers on the third attempt, exactly once, with a verifiable Standard Webhooks signature", async () => {
    const path = `/hook-${crypto.randomUUID()}`;
    failFirst.set(path, 2);
    const s = await subscribed("webhook", path);
    const clock = { at: new Date() };
    expect(await s.raise("lease.taken", "lease:1", clock.at)).toBe(1);
    expect(await s.raise("lease.taken", "lease:1", clock.at)).toBe(0); // the same event again: deduplicated
    const ctx = context(clock);
    const [row] = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, s.sub.id));

    await deliverNotifications(ctx);
    await deliverNotifications(ctx); // not due yet: the retry waits about a second
    clock.at = new Date(clock.at.getTime() + 1300);
    await deliverNotifications(ctx);
    let state = (await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, row!.id)))[0]!;
    expect(state).toMatchObject({ status: "pending", attempts: 2, lastError: "the receiver answered HTTP 503" });
    clock.at = new Date(clock.at.getTime() + 2500);
    await deliverNotifications(ctx);
    clock.at = new Date(clock.at.getTime() + 60_000);
    await deliverNotifications(ctx); // nothing left to send

    const mine = received.filter((r) => r.path === path);
    expect(mine.map((r) => r.status)).toEqual([503, 503, 200]);
    state = (await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, row!.id)))[0]!;
    expect(state).toMatchObject({ status: "delivered", attempts: 3, lastError: null });
    const delivered = mine[2]!;
    expect(delivered.headers["webhook-id"]).toBe(row!.id);
    const verified = new Webhook(s.secret).verify(delivered.body, delivered.headers as Record<string, string>) as {
      type: string;
      data: { url: string };
    };
    expect(verified.type).toBe("lease.taken");
    expect(verified.data.url).toBe(`https://rollgate.example.com/rollouts/${s.service.slug}/staging/rel-1`);
    expect(() =>
      new Webhook(newSigningSecret()).verify(delivered.body, delivered.headers as Record<string, string>),
    ).toThrow();
  });

  it("sends a Slack subscription a Block Kit message within the limits", async () => {
    const path = `/slack-${crypto.randomUUID()}`;
    const s = await subscribed("slack", path);
    const clock = { at: new Date() };
    await s.raise("contract.failed", "contract:1", clock.at);
    await deliverNotifications(context(clock));
    const mine = received.filter((r) => r.path === path);
    expect(mine).toHaveLength(1);
    const message = JSON.parse(mine[0]!.body) as { text: string; blocks: Array<Record<string, unknown>> };
    expect(blockKitProblems(message)).toEqual([]);
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "context", "actions"]);
  });

  it("gives up after the last attempt, and 'retry now' makes a failed delivery due again", async () => {
    const path = `/down-${crypto.randomUUID()}`;
    failFirst.set(path, 100);
    const s = await subscribed("webhook", path);
    const clock = { at: new Date() };
    await s.raise("lease.taken", "lease:9", clock.at);
    const ctx = context(clock);
    for (let i = 0; i < 6; i += 1) {
      await deliverNotifications(ctx);
      clock.at = new Date(clock.at.getTime() + 60_000);
    }
    const [row] = await db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.subscriptionId, s.sub.id));
    expect(row).toMatchObject({ status: "failed", attempts: 5 });
    expect(received.filter((r) => r.path === path)).toHaveLength(5);
    failFirst.set(path, 0);
    expect(await retryDeliveryNow(db, row!.id, clock.at)).toBe(true);
    await deliverNotifications(ctx);
    expect(
      (await db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, row!.id)))[0],
    ).toMatchObject({ status: "delivered" });
  });

  it("backs off exponentially with bounded jitter", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(1000, n, () => 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1000, 1, () => 0.999)).toBeLessThanOrEqual(1200);
    expect(retryDelayMs(1000, 40, () => 0)).toBe(3_600_000);
  });
});
