import { assertScope, withApiToken } from "@/server/api/with-api-token";
import { AppError } from "@/server/errors";
import { ingestEvent } from "@/server/events/ingest-event";
import { readSignedEvent } from "@/server/events/read-signed-body";
import { metrics } from "@/server/metrics";

export const dynamic = "force-dynamic";

// POST /api/v1/events — CI webhook (Standard Webhooks signature)
export const POST = withApiToken("events", "events:write", async ({ db, token, now }, request) => {
  const { webhookId, body } = await readSignedEvent(request, token);
  assertScope(token, body.service, body.environment);
  const result = await ingestEvent({ db, token, now, webhookId, body });
  const outcome = result.duplicate ? "duplicate" : result.outcome;
  metrics().events.inc({ type: body.type, outcome });
  if (result.outcome === "accepted")
    return Response.json({ event_id: result.eventId, duplicate: result.duplicate }, { status: 202 });
  throw new AppError("conflict", result.rejection.message, {
    reason: result.rejection.code,
    duplicate: result.duplicate,
  });
});
