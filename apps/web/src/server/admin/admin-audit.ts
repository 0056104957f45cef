import "server-only";
import type { CurrentUser } from "../auth/current-user";
import { now } from "../clock";

/** The audit entry of an admin's change: the admin is the actor, and their e-mail is kept with the data. */
export function adminAudit(
  admin: CurrentUser,
  action: string,
  subjectType: string,
  subjectId: string,
  data: Record<string, unknown>,
) {
  return {
    at: now(),
    actorType: "user" as const,
    actorId: admin.id,
    action,
    subjectType,
    subjectId,
    data: { by: admin.email, ...data },
  };
}
