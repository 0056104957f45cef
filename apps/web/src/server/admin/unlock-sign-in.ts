import "server-only";
import { appendAudit } from "@rollgate/db/queries/audit";
import { clearAccountFailures } from "@rollgate/db/queries/sign-in";
import { findUserByEmail } from "@rollgate/db/queries/users";
import { database } from "@rollgate/db/runtime";
import type { CurrentUser } from "../auth/current-user";
import { now } from "../clock";
import { AppError } from "../errors";

/**
 * An admin's unlock of a local account's sign-in: every failed attempt recorded for it, from any
 * address, stops counting (the pause the owner's own address got, and the account-wide slow-down).
 * The address-wide limit stays: it is about the address, not the account. Audited.
 */
export async function unlockSignIn(admin: CurrentUser, email: string): Promise<number> {
  const { db } = await database();
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) throw new AppError("not_found", `Nobody with the e-mail ${email} has signed in yet.`);
    const cleared = await clearAccountFailures(tx, user.email);
    await appendAudit(tx, {
      at: now(),
      actorType: "user",
      actorId: admin.id,
      action: "auth.sign_in_unlocked",
      subjectType: "user",
      subjectId: user.id,
      data: { by: admin.email, email: user.email, cleared },
    });
    return cleared;
  });
}
