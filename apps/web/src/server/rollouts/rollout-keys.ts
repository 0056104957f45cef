import "server-only";
import { unstorableReason } from "@rollgate/core/contract/storable-text";
import { findRollout, type RolloutKeys } from "@rollgate/db/queries/rollouts";
import { database } from "@rollgate/db/runtime";
import { z } from "zod";
import { assertStorableText } from "../api/storable-text";

// A rollout's address: service, environment and release, as the path or a form gives them.

/** A key PostgreSQL cannot store (a NUL, a lone surrogate) names no rollout: unknown, never a 500. */
const key = z
  .string()
  .min(1, "Name the service, environment and release.")
  .refine((text) => unstorableReason(text) === null, "There is no such rollout.");

/** The keys of a rollout form (server actions extend it with their own fields). */
export const rolloutKeysSchema = z.object({ service: key, environment: key, release: key });

/** Path keys of a route handler: text PostgreSQL cannot store is a 400 naming the segment, as on /api/v1. */
export function pathKeys(params: RolloutKeys): RolloutKeys {
  assertStorableText(params, "path");
  return params;
}

/** Whether the rollout exists; keys that cannot name one are simply unknown. */
export async function rolloutExists(keys: RolloutKeys): Promise<boolean> {
  if (!rolloutKeysSchema.safeParse(keys).success) return false;
  const { db } = await database();
  return (await findRollout(db, keys)) !== null;
}
