import "server-only";
import { AppError } from "../errors";
import { currentUser, type CurrentUser } from "./current-user";

/** The signed-in admin, or an error that says what is missing. */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthenticated", "Sign in as an admin to see this page.");
  if (!user.roles.some((r) => r.role === "admin" && r.serviceId === null)) throw new AppError("forbidden", "This page is for admins. Ask an admin to grant you the role.");
  return user;
}
