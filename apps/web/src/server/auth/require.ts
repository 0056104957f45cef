import "server-only";
import { mayAdminister } from "@rollgate/core/access/decide";
import { AppError } from "../errors";
import { currentUser, type CurrentUser } from "./current-user";

/** The signed-in admin, or an error that says what is missing. */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthenticated", "Sign in as an admin to see this page.");
  const allowed = mayAdminister(user);
  if (!allowed.ok) throw new AppError("forbidden", "This page is for admins. Ask an admin to grant you the role.");
  return user;
}
