import {
  listApiTokens,
  listEnvironmentsWithPolicy,
  listServices,
  listUsersWithRoles,
} from "@rollgate/db/queries/admin";
import { listIdentities } from "@rollgate/db/queries/identities";
import type { Db } from "@rollgate/db/client";

export async function getUsersView(db: Db) {
  const [users, services, identities] = await Promise.all([
    listUsersWithRoles(db),
    listServices(db),
    listIdentities(db),
  ]);
  // The e-mail a person signs in with is always one of their identities; linked ones are listed beside it.
  return {
    users: users.map((u) => ({
      ...u,
      identities: (identities.get(u.id) ?? []).filter((i) => i !== `email:${u.email}`),
    })),
    services,
  };
}

export async function getTokensView(db: Db) {
  const [tokens, services] = await Promise.all([listApiTokens(db), listServices(db)]);
  return { tokens, services };
}

export async function getPoliciesView(db: Db) {
  return listEnvironmentsWithPolicy(db);
}
