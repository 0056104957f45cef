import { and, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { users } from "../schema/index.ts";
import { demoUsers } from "./world.ts";

/** The password of every demo account (demo and local use only). */
export const DEMO_PASSWORD = "rollgate-demo";

export interface DemoAccount {
  email: string;
  name: string;
  role: string;
}

/**
 * The demo accounts this database has with a local password, which only the seed
 * (`pnpm db:seed`) creates: none in a database that was never seeded.
 */
export async function findDemoAccounts(db: Db): Promise<DemoAccount[]> {
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .where(
      and(
        inArray(
          users.email,
          demoUsers.map((u) => u.email),
        ),
        isNotNull(users.passwordHash),
      ),
    );
  const present = new Set(rows.map((r) => r.email));
  return demoUsers.filter((u) => present.has(u.email));
}
