import "server-only";
import { listApiTokens, listEnvironmentsWithPolicy, listServices, listUsersWithRoles } from "@rollgate/db/queries/admin";
import { database } from "@rollgate/db/runtime";

export async function getUsersView() {
  const { db } = await database();
  const [users, services] = await Promise.all([listUsersWithRoles(db), listServices(db)]);
  return { users, services };
}

export async function getTokensView() {
  const { db } = await database();
  const [tokens, services] = await Promise.all([listApiTokens(db), listServices(db)]);
  return { tokens, services };
}

export async function getPoliciesView() {
  const { db } = await database();
  return listEnvironmentsWithPolicy(db);
}
