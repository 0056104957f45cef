import { and, eq, gt, lt, or } from "drizzle-orm";
import type { Db } from "../client.ts";
import { signInFailures } from "../schema/index.ts";

/** Failed sign-ins since `since`, for the account and for the address (shared by every replica). */
export async function recentSignInFailures(db: Db, params: { account: string; address: string; since: Date }) {
  const rows = await db
    .select({ account: signInFailures.account, address: signInFailures.address, at: signInFailures.at })
    .from(signInFailures)
    .where(
      and(
        gt(signInFailures.at, params.since),
        or(eq(signInFailures.account, params.account), eq(signInFailures.address, params.address)),
      ),
    );
  return {
    account: rows.filter((r) => r.account === params.account).map((r) => r.at),
    address: rows.filter((r) => r.address === params.address).map((r) => r.at),
  };
}

/** Records one failure, and forgets failures older than `forgetBefore` (they no longer count). */
export async function recordSignInFailure(
  db: Db,
  params: { account: string; address: string; at: Date; forgetBefore: Date },
): Promise<void> {
  await db.insert(signInFailures).values({ account: params.account, address: params.address, at: params.at });
  await db.delete(signInFailures).where(lt(signInFailures.at, params.forgetBefore));
}

/** After a successful sign-in, the account's own failures stop counting (the address's remain). */
export async function clearAccountFailures(db: Db, account: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.account, account));
}
