import "server-only";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { hitRateLimit, latestWindowBefore } from "@rollgate/db/queries/rate-limits";
import { type AppError, logError } from "../errors";

/**
 * A valid token used with a bad signature or outside its scope is worth an audit entry
 * (a leaked token, a misconfigured pipeline). Unknown tokens are not recorded: anyone can
 * send those, and the chain is not a place for noise. Nor is a loop of refusals: the first
 * refusal of a token in each minute is chained, later ones in that minute are only counted
 * (bucket `refused:<token id>` in `rate_limits`), and the next chained refusal carries the
 * count of the token's last window before its own. So a token adds at most one entry a minute.
 */
export async function auditRefusal(
  known: { db: Db; token: { id: string; name: string }; at: Date },
  route: string,
  error: AppError,
): Promise<void> {
  const { db, token, at } = known;
  try {
    const bucket = `refused:${token.id}`;
    const { count, windowStart } = await hitRateLimit(db, bucket, at, 60_000);
    if (count > 1) return;
    const previous = await latestWindowBefore(db, bucket, windowStart);
    const data = {
      route,
      token: token.name,
      code: error.code,
      message: error.message,
      windowStart,
      laterRefusals: "counted, not chained, until the window ends",
      previousWindow: previous ? { start: previous.windowStart, refused: previous.count } : null,
    };
    await appendAudit(db, {
      at,
      actorType: "token",
      actorId: token.id,
      action: "api.request_refused",
      subjectType: "api_token",
      subjectId: token.id,
      data,
    });
  } catch (e) {
    logError("could not audit a refused request", e);
  }
}
