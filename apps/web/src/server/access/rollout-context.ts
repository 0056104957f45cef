import "server-only";
import type { Person, RolloutContext } from "@rollgate/core/access/decide";
import { parsePolicy, type Policy } from "@rollgate/core/policy";
import type { RolloutState } from "@rollgate/core/types";
import type { Db } from "@rollgate/db/client";
import { authorIdsOf } from "@rollgate/db/queries/identities";
import type { RolloutRow } from "@rollgate/db/queries/rollouts";
import type { CurrentUser } from "../auth/current-user";

/** What the rules in @rollgate/core/access need to know about a rollout. */
export async function rolloutContext(db: Db, row: RolloutRow): Promise<RolloutContext & { policy: Policy }> {
  const parsed = parsePolicy(row.policy);
  if (!parsed.ok) throw new Error("stored policy is invalid");
  return {
    serviceId: row.serviceId,
    environment: row.environmentName,
    state: row.rollout.state as RolloutState,
    policy: parsed.policy,
    authorIds: await authorIdsOf(db, row.release.author),
    contractChecksum: row.rollout.contractChecksum,
  };
}

export function personOf(user: CurrentUser): Person {
  return { id: user.id, roles: user.roles };
}
