import "server-only";
import type { Role } from "@rollgate/core/types";
import { findUserByEmail, rolesOf } from "@rollgate/db/queries/users";
import { database } from "@rollgate/db/runtime";
import { getServerSession } from "next-auth";
import { authOptions } from "./options";

export interface CurrentUser {
  id: string;
  email: string;
  name: string | null;
  roles: Array<{ role: Role; serviceId: string | null }>;
}

/** The signed-in user with their roles as the database has them now, or null. */
export async function currentUser(): Promise<CurrentUser | null> {
  const session = await getServerSession(authOptions());
  const email = session?.user?.email;
  if (!email) return null;
  const { db } = await database();
  const user = await findUserByEmail(db, email);
  if (!user) return null;
  const roles = (await rolesOf(db, user.id)) as CurrentUser["roles"];
  return { id: user.id, email: user.email, name: user.name, roles };
}
