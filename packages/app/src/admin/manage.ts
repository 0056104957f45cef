import { sameDestination } from "@rollgate/core/integrations/destination";
import { parsePolicy } from "@rollgate/core/policy";
import { ROLES } from "@rollgate/core/types";
import { listServices, setProductionLike, updatePolicy } from "@rollgate/db/queries/admin";
import { deleteSloSourceSecret } from "@rollgate/db/queries/slo-sources";
import { appendAudit } from "@rollgate/db/queries/audit";
import { revokeApiToken } from "@rollgate/db/queries/tokens";
import { createApiToken } from "../access/create-api-token";
import { findUserByEmail, grantRole, revokeRole, revokeSessions, upsertUser } from "@rollgate/db/queries/users";
import type { Db } from "@rollgate/db/client";
import type { SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";

// Admin use cases: each checks its input, changes one thing in one transaction, and
// records it in the audit chain with the admin as actor.

/** What the admin use cases take: the database, the time, the key that seals secrets, and the destination guard. */
export interface AdminDeps {
  db: Db;
  now: Date;
  secretKey: string;
  /** Whether a URL may be called from the server (ROLLGATE_ALLOW_PRIVATE_DESTINATIONS decides private addresses). */
  checkDestination: (url: string) => Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** The audit entry of an admin's change: the admin is the actor, and their e-mail is kept with the data. */
export function adminAudit(
  at: Date,
  admin: SignedInUser,
  action: string,
  subjectType: string,
  subjectId: string,
  data: Record<string, unknown>,
) {
  return {
    at,
    actorType: "user" as const,
    actorId: admin.id,
    action,
    subjectType,
    subjectId,
    data: { by: admin.email, ...data },
  };
}

async function serviceId(db: Db, slug: string | undefined): Promise<string | null> {
  if (!slug) return null;
  const service = (await listServices(db)).find((s) => s.slug === slug);
  if (!service) throw new AppError("not_found", `There is no service ${slug}.`);
  return service.id;
}

export async function changeRole(
  deps: AdminDeps,
  admin: SignedInUser,
  params: { email: string; role: string; service?: string; grant: boolean },
) {
  if (!(ROLES as readonly string[]).includes(params.role))
    throw new AppError("invalid_request", `Choose a role: ${ROLES.join(", ")}.`);
  const svc = await serviceId(deps.db, params.service);
  const { db } = deps;
  await db.transaction(async (tx) => {
    const user = params.grant ? await upsertUser(tx, { email: params.email }) : await findUserByEmail(tx, params.email);
    if (!user) throw new AppError("not_found", `Nobody with the e-mail ${params.email} has signed in yet.`);
    if (!params.grant && user.id === admin.id && params.role === "admin" && !svc)
      throw new AppError("conflict", "You cannot remove your own admin role; ask another admin.");
    const changed = params.grant
      ? await grantRole(tx, { userId: user.id, role: params.role, serviceId: svc, grantedBy: admin.id })
      : await revokeRole(tx, { userId: user.id, role: params.role, serviceId: svc });
    if (!changed)
      throw new AppError(
        "conflict",
        params.grant ? `${user.email} already has that role.` : `${user.email} does not have that role.`,
      );
    // A role taken away also ends the person's sessions: they sign in again to what is left.
    if (!params.grant) await revokeSessions(tx, { userId: user.id, at: deps.now });
    await appendAudit(
      tx,
      adminAudit(deps.now, admin, params.grant ? "role.granted" : "role.revoked", "user", user.id, {
        email: user.email,
        role: params.role,
        service: params.service ?? null,
      }),
    );
  });
}

export async function createToken(
  deps: AdminDeps,
  admin: SignedInUser,
  params: { service: string; name: string; environments: string[]; scopes: string[] },
) {
  const svc = (await serviceId(deps.db, params.service))!;
  const { db } = deps;
  return createApiToken(
    { db, now: deps.now, secretKey: deps.secretKey },
    { ...params, serviceId: svc, creator: { actorType: "user", actorId: admin.id, by: admin.email } },
  );
}

export async function revokeToken(deps: AdminDeps, admin: SignedInUser, id: string) {
  const { db } = deps;
  await db.transaction(async (tx) => {
    if (!(await revokeApiToken(tx, id, deps.now)))
      throw new AppError("conflict", "That token is already revoked, or does not exist.");
    await appendAudit(tx, adminAudit(deps.now, admin, "token.revoked", "api_token", id, {}));
  });
}

/**
 * Saves an environment's policy. An SLO source must not point into the server's network
 * (unless ROLLGATE_ALLOW_PRIVATE_DESTINATIONS=1); when its address changes, the stored
 * credential is forgotten, so it is never sent to the new address: `credentialDropped` says so.
 */
export async function savePolicy(
  deps: AdminDeps,
  admin: SignedInUser,
  params: { environmentId: string; policyJson: string },
): Promise<{ credentialDropped: boolean }> {
  let raw: unknown;
  try {
    raw = JSON.parse(params.policyJson);
  } catch {
    throw new AppError("invalid_request", "The policy is not valid JSON.", [{ path: "", message: "not valid JSON" }]);
  }
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new AppError("invalid_request", "The policy has errors; nothing was saved.", parsed.errors);
  const source = parsed.policy.sloSource;
  if (source) {
    const check = await deps.checkDestination(source.url);
    if (!check.ok)
      throw new AppError("invalid_request", `The SLO source's URL ${check.reason}; nothing was saved.`, [
        { path: "sloSource.url", message: check.reason },
      ]);
  }
  const { db } = deps;
  return db.transaction(async (tx) => {
    const saved = await updatePolicy(tx, params.environmentId, parsed.policy, deps.now);
    if (!saved) throw new AppError("not_found", "There is no such environment.");
    const before = parsePolicy(saved.previousPolicy);
    const moved = !sameDestination(before.ok ? before.policy.sloSource?.url : null, source?.url);
    const credentialDropped = moved && (await deleteSloSourceSecret(tx, saved.id));
    await appendAudit(
      tx,
      adminAudit(deps.now, admin, "policy.changed", "environment", saved.id, {
        environment: saved.name,
        policy: parsed.policy,
        ...(credentialDropped ? { sloSourceCredentialDropped: true } : {}),
      }),
    );
    return { credentialDropped };
  });
}

/** Marks an environment production-like or not: production's defaults and a second person for overrides follow the flag. */
export async function setEnvironmentProductionLike(
  deps: AdminDeps,
  admin: SignedInUser,
  params: { environmentId: string; productionLike: boolean },
) {
  const { db } = deps;
  return db.transaction(async (tx) => {
    const changed = await setProductionLike(tx, params.environmentId, params.productionLike, deps.now);
    if (!changed) throw new AppError("not_found", "There is no such environment.");
    await appendAudit(
      tx,
      adminAudit(deps.now, admin, "environment.production_like_changed", "environment", changed.id, {
        environment: changed.name,
        productionLike: changed.productionLike,
      }),
    );
    return changed;
  });
}
