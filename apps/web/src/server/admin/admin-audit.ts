import "server-only";
import { adminAudit as auditOf } from "@rollgate/app/admin/manage";
import type { CurrentUser } from "../auth/current-user";
import { now } from "../clock";

/** The audit entry of an admin's change, at the server's clock (the app's `adminAudit`). */
export function adminAudit(
  admin: CurrentUser,
  action: string,
  subjectType: string,
  subjectId: string,
  data: Record<string, unknown>,
) {
  return auditOf(now(), admin, action, subjectType, subjectId, data);
}
