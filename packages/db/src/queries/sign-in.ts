import { and, eq, gt, lt, or } from "drizzle-orm";
import type { Db } from "../client.ts";
import { signInFailures } from "../schema/index.ts";

/** Failed sign-ins since `since`: for the account from this address, for the account, and for the address (shared by every replica). */
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
    pair: rows.filter((r) => r.account === params.account && r.address === params.address).map((r) => r.at),
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

/**
 * After a successful sign-in, the account's failures from that address stop counting (another
 * address's remain: they are someone else's guesses).
 */
export async function clearPairFailures(db: Db, account: string, address: string): Promise<void> {
  await db.delete(signInFailures).where(and(eq(signInFailures.account, account), eq(signInFailures.address, address)));
}

/** An admin's unlock: every failure recorded for the account, from any address, stops counting. Returns how many. */
export async function clearAccountFailures(db: Db, account: string): Promise<number> {
  const rows = await db
    .delete(signInFailures)
    .where(eq(signInFailures.account, account))
    .returning({ account: signInFailures.account });
  return rows.length;
}
