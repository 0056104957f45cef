import type { RolloutKey } from "./rollout-key.ts";

// The rollout page's address. No zod here: client components link with it.

/** The rollout page's path, `/rollouts/{service}/{environment}/{release}`, each segment percent-encoded. */
export function rolloutPath(key: RolloutKey): string {
  return `/rollouts/${encodeURIComponent(key.service)}/${encodeURIComponent(key.environment)}/${encodeURIComponent(key.release)}`;
}
