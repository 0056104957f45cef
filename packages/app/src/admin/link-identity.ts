import { emailIdentity, loginIdentity } from "@rollgate/core/access/identity";
import { appendAudit } from "@rollgate/db/queries/audit";
import { linkIdentity, unlinkIdentity } from "@rollgate/db/queries/identities";
import { findUserByEmail } from "@rollgate/db/queries/users";
import type { Db } from "@rollgate/db/client";
import type { SignedInUser } from "../access/rollout-context";
import { AppError } from "../errors";

/**
 * Links (or unlinks) another identity to a person — a forge login or a second e-mail — so a
 * release whose author is that identity is recognised as theirs and never approved by them.
 */
export async function changeIdentity(
  deps: { db: Db; now: Date },
  admin: SignedInUser,
  params: { email: string; kind: "login" | "email"; value: string; link: boolean },
) {
  const value = params.value.trim();
  if (!value || value.length > 200)
    throw new AppError("invalid_request", "Give the login or e-mail to link (at most 200 characters).");
  if (params.kind === "email" && !value.includes("@"))
    throw new AppError("invalid_request", "An e-mail identity needs an @.");
  const identity = params.kind === "login" ? loginIdentity(value) : emailIdentity(value);
  await deps.db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, params.email);
    if (!user) throw new AppError("not_found", `Nobody with the e-mail ${params.email} has signed in yet.`);
    if (params.link) {
      if (!(await linkIdentity(tx, { userId: user.id, identity })))
        throw new AppError("conflict", `${identity} already belongs to someone else; unlink it there first.`);
    } else if (!(await unlinkIdentity(tx, { userId: user.id, identity })))
      throw new AppError("conflict", `${user.email} has no identity ${identity}.`);
    await appendAudit(tx, {
      at: deps.now,
      actorType: "user",
      actorId: admin.id,
      action: params.link ? "identity.linked" : "identity.unlinked",
      subjectType: "user",
      subjectId: user.id,
      data: { by: admin.email, email: user.email, identity },
    });
  });
}
