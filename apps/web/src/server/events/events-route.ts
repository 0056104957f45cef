import "server-only";
import { API } from "@rollgate/core/contract/endpoints";
import { assertScope, reply, serve } from "../api/serve";
import { AppError } from "../errors";
import { metrics } from "../metrics";
import { ingestEvent } from "@rollgate/app/events/ingest-event";
import { readSignedEvent } from "./read-signed-body";

// Served by Next.js from `app/api/v1/events` in development; the standalone server answers it
// itself (`server/front/machine-routes.ts`).

/** POST /api/v1/events — CI webhook (Standard Webhooks signature) */
export const postEvent = serve(API.events, async ({ db, token, now, request }) => {
  const { webhookId, body } = await readSignedEvent(request, token);
  assertScope(token, body.service, body.environment);
  const result = await ingestEvent({ db, token, now, webhookId, body });
  const outcome = result.duplicate ? "duplicate" : result.outcome;
  metrics().events.inc({ type: body.type, outcome });
  if (result.outcome === "accepted")
    return reply(API.events, 202, { event_id: result.eventId, duplicate: result.duplicate });
  throw new AppError("conflict", result.rejection.message, {
    reason: result.rejection.code,
    duplicate: result.duplicate,
  });
});
