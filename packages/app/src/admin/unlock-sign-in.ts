import { appendAudit } from "@rollgate/db/queries/audit";
import { clearAccountFailures } from "@rollgate/db/queries/sign-in";
import { findUserByEmail } from "@rollgate/db/queries/users";
import type { Db } from "@rollgate/db/client";
import type { SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";

/**
 * An admin's unlock of a local account's sign-in: every failed attempt recorded for it, from any
 * address, stops counting (the pause the owner's own address got, and the account-wide slow-down).
 * The address-wide limit stays: it is about the address, not the account. Audited.
 */
export async function unlockSignIn(deps: { db: Db; now: Date }, admin: SignedInUser, email: string): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) throw new AppError("not_found", `Nobody with the e-mail ${email} has signed in yet.`);
    const cleared = await clearAccountFailures(tx, user.email);
    await appendAudit(tx, {
      at: deps.now,
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
