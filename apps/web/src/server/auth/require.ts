import "server-only";
import { AppError } from "../errors";
import type { CurrentUser } from "./current-user";
import { authorizeRead } from "./reading";

/** The signed-in admin, or an error that says what is missing. */
export async function requireAdmin(): Promise<CurrentUser> {
  const user = await authorizeRead({ kind: "admin" });
  if (!user) throw new AppError("unauthenticated", "Sign in as an admin to do this.");
  return user;
}
