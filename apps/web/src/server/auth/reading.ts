import "server-only";
import { mayRead, type Readable, type ReadingSettings } from "@rollgate/core/access/reading";
import { redirect } from "next/navigation";
import { env } from "../env";
import { AppError } from "../errors";
import { currentUser, type CurrentUser } from "./current-user";
import { signInUrl } from "./sign-in-url";

// Routes and pages ask the reading rules (@rollgate/core/access/reading) through these.

export function readingSettings(): ReadingSettings {
  return { publicWallboard: env().publicWallboard };
}

/** For route handlers and use cases: the reader, or an AppError (401, 403) to answer with. */
export async function authorizeRead(what: Readable, reader?: CurrentUser | null): Promise<CurrentUser | null> {
  const user = reader === undefined ? await currentUser() : reader;
  const decision = mayRead(what, user, readingSettings());
  if (!decision.allowed) throw new AppError(decision.reason, decision.message);
  return user;
}

/**
 * For pages: sends an anonymous visitor to sign-in (back to `path` afterwards); a signed-in
 * person without the right role gets the sentence to show instead of the page.
 */
export async function pageReader(
  what: Readable | null,
  path: string,
  reader?: CurrentUser | null,
): Promise<{ user: CurrentUser | null; refusal: string | null }> {
  const user = reader === undefined ? await currentUser() : reader;
  if (!what) {
    if (!user) redirect(signInUrl(path));
    return { user, refusal: null };
  }
  const decision = mayRead(what, user, readingSettings());
  if (!decision.allowed && decision.reason === "unauthenticated") redirect(signInUrl(path));
  return { user, refusal: decision.allowed ? null : decision.message };
}
