import { z } from "zod";

// A rollout's address: one release of one service in one environment, as every path, body,
// query and form names it.

export const rolloutKeySchema = z.object({ service: z.string(), environment: z.string(), release: z.string() });
export type RolloutKey = z.infer<typeof rolloutKeySchema>;

/** The one wording of "rollout not found" (a 404 `not_found`), wherever a rollout is looked up by its key. */
export function rolloutNotFoundMessage(key: RolloutKey): string {
  return `There is no release ${key.release} of ${key.service} in ${key.environment}.`;
}
