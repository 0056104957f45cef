import { z } from "zod";

// `POST …/gate/lease` is signed like an event (Standard Webhooks: id.timestamp.body), and the
// signature covers the body only. So the body names the rollout the request is for — the CLI
// sends `{ "service", "environment", "release" }` — and a body naming another rollout than the
// path is refused: a signed request cannot be carried to another rollout's lease. An empty body
// or `{}` (older clients) names none. And since a lease is no idempotent fact, a webhook-id is
// used once: a repeated one is refused, whatever became of the first request (granted, voided,
// refused), so an identical request replayed inside the signature's tolerance takes nothing.

export interface LeaseRequestKeys {
  service: string;
  environment: string;
  release: string;
}

export const leaseRequestBodySchema = z.union([
  z.strictObject({ service: z.string(), environment: z.string(), release: z.string() }),
  z.strictObject({}),
]);

/** What is wrong with a lease request's signed body for the rollout in its path (empty: nothing). */
export function leaseRequestProblems(
  payload: string,
  path: LeaseRequestKeys,
): Array<{ path: string; message: string }> {
  if (payload.trim() === "") return [];
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return [{ path: "", message: "the body is not JSON; send the rollout it is for, or {}" }];
  }
  const parsed = leaseRequestBodySchema.safeParse(json);
  if (!parsed.success)
    return [{ path: "", message: "send { service, environment, release } naming the rollout in the path, or {}" }];
  const named = parsed.data as Partial<LeaseRequestKeys>;
  return (["service", "environment", "release"] as const).flatMap((key) =>
    named[key] === undefined || named[key] === path[key]
      ? []
      : [{ path: key, message: `names ${named[key]}, but the request is for ${path[key]} (the path)` }],
  );
}

/** A lease request whose webhook-id its token used before is refused (null: the first time). */
export function leaseRequestReplay(
  firstSeen: boolean,
  webhookId: string,
): { code: "replayed"; message: string } | null {
  if (firstSeen) return null;
  return {
    code: "replayed",
    message: `This token already sent a request with webhook-id ${webhookId}; a lease request is used once. Sign each lease request with a new webhook-id.`,
  };
}
