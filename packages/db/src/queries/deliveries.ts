import { and, eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client.ts";
import { webhookDeliveries } from "../schema/index.ts";
import { compiledStatement } from "./compiled.ts";

/**
 * Claims a webhook-id for a token. Returns the new delivery's id, or null when the id was
 * seen before — including by a concurrent request, which the unique index makes wait for
 * the first one's transaction and then see it.
 */
export async function claimDelivery(
  db: Db,
  tokenId: string,
  webhookId: string,
  eventType: string,
  eventId: string,
): Promise<string | null> {
  // Written as accepted, with the id its event will get: the transaction commits both or
  // neither, and a refusal overwrites the outcome before it commits.
  const [row] = rowsOf<{ id: string }>(await db.execute(claim(tokenId, webhookId, eventType, eventId)));
  return row?.id ?? null;
}

// Every event runs this first, inside its transaction: compiled once (compiled.ts).
const claim = compiledStatement(
  (tokenId: string, webhookId: string, eventType: string, eventId: string) => sql`
    insert into ${webhookDeliveries} (token_id, webhook_id, event_type, status, http_status, event_id)
    values (${tokenId}, ${webhookId}, ${eventType}, 'accepted', 202, ${eventId})
    on conflict (token_id, webhook_id) do nothing
    returning id`,
  ["\u0000token", "\u0000webhook", "\u0000type", "\u0000event"],
);

export async function findDelivery(db: Db, tokenId: string, webhookId: string) {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.tokenId, tokenId), eq(webhookDeliveries.webhookId, webhookId)))
    .limit(1);
  return row ?? null;
}

export async function settleDelivery(
  db: Db,
  id: string,
  outcome: {
    status: "accepted" | "rejected";
    httpStatus: number;
    rolloutId?: string | null;
    eventId?: string | null;
    error?: unknown;
  },
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      status: outcome.status,
      httpStatus: outcome.httpStatus,
      rolloutId: outcome.rolloutId ?? null,
      eventId: outcome.eventId ?? null,
      error: outcome.error ?? null,
    })
    .where(eq(webhookDeliveries.id, id));
}

/** `webhook_deliveries.event_type` of a signed lease request: a webhook-id is one message of its token, whatever the route. */
export const LEASE_REQUEST = "lease.request";

/**
 * Records the webhook-id of a signed request that is no event (a lease request) the first time
 * it is seen, committed at once whatever the request's outcome; returns null when the token
 * used the id before, for anything. A replay of the request is then refused, however late in
 * the signature's tolerance it comes and whatever became of the first one.
 */
export async function claimRequestId(
  db: Db,
  tokenId: string,
  webhookId: string,
  kind: typeof LEASE_REQUEST,
): Promise<string | null> {
  const [row] = await db
    .insert(webhookDeliveries)
    .values({ tokenId, webhookId, eventType: kind, status: "received", httpStatus: 0 })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return row?.id ?? null;
}
