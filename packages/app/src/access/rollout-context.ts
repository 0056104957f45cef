import type { Person, RolloutContext } from "@rollgate/core/access/decide";
import { rolloutAuthor } from "@rollgate/core/access/release-binding";
import { parsePolicy, type Policy } from "@rollgate/core/policy";
import type { RolloutState } from "@rollgate/core/types";
import type { Db } from "@rollgate/db/client";
import { authorIdsOf } from "@rollgate/db/queries/identities";
import type { GateRow, RolloutRow } from "@rollgate/db/queries/rollouts";
import type { RolloutGate } from "../gate/evaluate-rollout-gate";

/** A signed-in person as the use cases need them: who, their address for the audit trail, their roles now. */
export interface SignedInUser extends Person {
  email: string;
}

/** What the rules in @rollgate/core/access need to know about a rollout, loaded for a use case. */
export async function rolloutContext(db: Db, row: RolloutRow): Promise<RolloutContext> {
  const parsed = parsePolicy(row.policy);
  if (!parsed.ok) throw new Error("stored policy is invalid");
  return contextOf(row, parsed.policy, await authorIdsOf(db, rolloutAuthor(row.rollout, row.release.author)));
}

/** The same context from a gate already evaluated (pages): its policy and author ids are loaded. */
export function gateContext(gate: RolloutGate<GateRow>): RolloutContext {
  return contextOf(gate.row, gate.policy, gate.facts.authorIds);
}

function contextOf(row: GateRow, policy: Policy, authorIds: readonly string[]): RolloutContext {
  return {
    serviceId: row.serviceId,
    environment: row.environmentName,
    state: row.rollout.state as RolloutState,
    policy,
    authorIds,
    contractChecksum: row.rollout.contractChecksum,
  };
}

export function personOf(user: SignedInUser): Person {
  return { id: user.id, roles: user.roles };
}
