import { API_SCOPES } from "@rollgate/core/types";
import type { Db } from "@rollgate/db/client";
import { appendAudit } from "@rollgate/db/queries/audit";
import { createApiToken as insertApiToken } from "@rollgate/db/queries/tokens";
import { AppError } from "../errors";

/** Who creates a token: an admin (a user), or an operator's `rollgate token create` on the database (system). */
export interface TokenCreator {
  actorType: "user" | "system";
  actorId: string;
  /** The admin's e-mail or the command: stored as the token's `createdBy` and kept with the audit entry. */
  by: string;
}

/**
 * Creates an API token for a service and records `token.created` in the audit chain, in one
 * transaction; the plain token and secret are returned once (only a hash and an encrypted copy
 * are stored). The admin page and the CLI's `rollgate token create` both call it.
 */
export async function createApiToken(
  deps: { db: Db; now: Date; secretKey: string },
  params: {
    serviceId: string;
    /** The service's slug, for the audit entry. */
    service: string;
    name: string;
    environments: string[];
    scopes: string[];
    creator: TokenCreator;
  },
) {
  const unknown = params.scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (params.scopes.length === 0 || unknown.length)
    throw new AppError("invalid_request", `Choose scopes among ${API_SCOPES.join(", ")}.`);
  if (params.environments.length === 0)
    throw new AppError("invalid_request", "Name at least one environment the token may act on.");
  const { creator } = params;
  return deps.db.transaction(async (tx) => {
    const created = await insertApiToken(tx, {
      serviceId: params.serviceId,
      name: params.name,
      environments: params.environments,
      scopes: params.scopes,
      createdBy: creator.by,
      secretKey: deps.secretKey,
    });
    await appendAudit(tx, {
      at: deps.now,
      actorType: creator.actorType,
      actorId: creator.actorId,
      action: "token.created",
      subjectType: "api_token",
      subjectId: created.id,
      data: {
        by: creator.by,
        service: params.service,
        name: params.name,
        environments: params.environments,
        scopes: params.scopes,
        prefix: created.tokenPrefix,
      },
    });
    return created;
  });
}
