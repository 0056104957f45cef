import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { notificationPayload } from "@rollgate/core/integrations/notifications";
import { openDatabase } from "@rollgate/db/client";
import { freshDatabase } from "@rollgate/db/fresh-database";
import { createSubscription, enqueueNotification } from "@rollgate/db/queries/notifications";
import { services } from "@rollgate/db/schema";
import { encryptSecret, newSigningSecret } from "@rollgate/db/secrets";
import postgres from "postgres";
import { SECRET_KEY } from "../support/api";
import { AppServer, waitFor } from "../support/app-server";

// A replica stopped by SIGTERM (a rolling update) while its background worker delivers a
// notification: it finishes that delivery before it exits, so nothing is left claimed or sent twice.
// A server and a database of its own: no other worker takes the delivery.

const HOLD_MS = 2500;

test("SIGTERM lets the background job running finish before the server exits", async () => {
  test.setTimeout(120_000);
  const arrived: number[] = [];
  const answered: number[] = [];
  const receiver = createServer((req, res) => {
    req.resume();
    arrived.push(Date.now());
    setTimeout(() => {
      answered.push(Date.now());
      res.writeHead(200).end("ok");
    }, HOLD_MS);
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const admin = new URL(process.env.DATABASE_URL!);
  admin.pathname = "/postgres";
  const databaseUrl = await freshDatabase(admin.toString(), `int_worker_stop_${process.env.E2E_PORT ?? 3210}`);
  const app = new AppServer(0, { DATABASE_URL: databaseUrl });
  const handle = await openDatabase({ url: databaseUrl, max: 1 });
  try {
    await app.start();
    const { db } = handle;
    const [service] = await db
      .insert(services)
      .values({ slug: "billing", name: "Billing" })
      .returning({ id: services.id });
    const sub = await createSubscription(db, {
      serviceId: service!.id,
      environmentId: null,
      kind: "webhook",
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      secretCiphertext: encryptSecret(newSigningSecret(), SECRET_KEY),
      eventTypes: ["lease.taken"],
      createdBy: "admin@example.com",
    });
    const at = new Date();
    await db.transaction((tx) =>
      enqueueNotification(tx, {
        serviceId: service!.id,
        environmentId: null,
        type: "lease.taken",
        key: "lease:stop",
        now: at,
        payload: notificationPayload({
          type: "lease.taken",
          service: "billing",
          environment: "production",
          release: "rel-1",
          summary: "ci-7 took the contract lease.",
          at,
        }) as unknown as Record<string, unknown>,
      }),
    );
    await waitFor(async () => arrived.length > 0, 30_000);
    await app.stop("SIGTERM");
    expect(answered, app.output.join("")).toHaveLength(1);
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const deliveries =
      await sql`select status, attempts from notification_deliveries where subscription_id = ${sub.id}`;
    await sql.end();
    expect([...deliveries]).toEqual([{ status: "delivered", attempts: 1 }]);
  } finally {
    await app.stop("SIGKILL");
    await handle.close();
    receiver.closeAllConnections();
    receiver.close();
  }
});
